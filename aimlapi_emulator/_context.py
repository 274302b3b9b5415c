"""What one request is answered with: the server's state, the request's context, its output.

Every route and every module that answers reads these and nothing of ``_server.py``, so the
server imports the answering modules and none of them imports it back.
"""

from __future__ import annotations

import json
import re
import secrets
import string
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from aimlapi_core.catalog import Capabilities, ModelInfo

from ._batch_store import BatchStore
from ._envelopes import APIError, error_body
from ._faults import FaultPlan
from ._model_view import model_view
from ._prompt_cache import PromptCacheLedger
from ._records import Bill, InFlight, RecordedRequest, RequestLog
from ._reply import ReplyScript
from ._signing import ThinkingSigner

if TYPE_CHECKING:
    import anyio
    from starlette.requests import Request

Dialect = Literal["chat_completions", "messages"]

_ALPHABET = string.ascii_letters + string.digits
_CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def random_id(prefix: str, length: int = 22) -> str:
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))


@dataclass
class ServerState:
    """What one emulator instance knows; shared by the app and the `Emulator` object."""

    api_key: str | None = None  # None: any non-empty key is accepted
    signer: ThinkingSigner = field(default_factory=ThinkingSigner)
    faults: FaultPlan = field(default_factory=FaultPlan)
    log: RequestLog[RecordedRequest] = field(default_factory=RequestLog)
    replies: ReplyScript = field(default_factory=ReplyScript)
    batches: BatchStore = field(default_factory=BatchStore)
    in_flight: InFlight = field(default_factory=InFlight)
    prompt_cache: PromptCacheLedger = field(default_factory=PromptCacheLedger)  # _prompt_cache
    bills: RequestLog[Bill] = field(default_factory=RequestLog)  # what each chat answer cost
    # Applied to a chat request's JSON body before the pipeline checks it; the log keeps the
    # body as sent (``Emulator(rewrite_request=...)``).
    rewrite_request: Callable[[Any], Any] | None = None
    # The chat answers' worker-thread limiter, made by the server on its own loop.
    answer_limiter: anyio.CapacityLimiter | None = None


@dataclass
class Output:
    """A success answer before the fault seam (``Fault.shape``) and the wire.

    A whole answer has ``content``; a stream has ``events``, each (SSE event name or None, data),
    and ``dialect`` says whose stream it is (the legacy and ``[DONE]`` faults are chat's).
    """

    status: int
    headers: dict[str, str]
    content: bytes = b""
    events: list[tuple[str | None, dict[str, Any]]] | None = None
    dialect: Dialect | None = None
    media_type: str = "application/json"


class RequestContext:
    """One request as the routes see it: its body, its record, its ids and answer headers."""

    def __init__(self, request: Request, recorded: RecordedRequest, raw: bytes, body: Any) -> None:
        self.request = request
        self.path = request.url.path
        self.recorded = recorded
        self.raw = raw
        self.body = body
        self.request_id = str(uuid.uuid4())
        self.headers = {"x-request-id": self.request_id, "x-inference-id": random_id("", 21)}
        client_id = request.headers.get("x-client-request-id")
        # request-tracing-and-cost.md: a malformed id is silently dropped, never an error.
        if client_id and _CLIENT_ID_RE.match(client_id):
            self.headers["x-client-request-id"] = client_id

    def error(self, exc: APIError, retry_after: float | None = None) -> Output:
        """The documented error envelope for ``exc``, with this request's ids."""
        content, media_type = error_body(
            exc.status, exc.message, self.path, self.request_id, exc.envelope
        )
        headers = dict(self.headers)
        if retry_after is not None:
            headers["retry-after"] = f"{retry_after:g}"
        return Output(exc.status, headers, content, media_type=media_type)

    def json(
        self, value: Any, status: int = 200, headers: Mapping[str, str] | None = None
    ) -> Output:
        """A whole JSON answer with this request's headers (and ``headers``)."""
        return Output(status, {**self.headers, **(headers or {})}, json.dumps(value).encode())


# `async handler(state, ctx) -> Output`; it raises APIError for a documented error.
Handler = Callable[[ServerState, RequestContext], Awaitable[Output]]


class Route(NamedTuple):
    """A route's handler and whose key check it sits behind (None: no key needed)."""

    handler: Handler
    auth: Dialect | None


@dataclass
class ChatCall:
    """One chat request through the pipeline: the body as sent and what was read of it once."""

    body: dict[str, Any]
    dialect: Dialect
    info: ModelInfo | None  # None: an id the catalogue does not know (refused by check_model)
    caps: Capabilities | None  # the model's schema on this endpoint
    signer: ThinkingSigner
    prompt_cache: PromptCacheLedger  # the emulator's cached prompt prefixes
    scripted: bool = False  # the reply came from the test's script
    _view: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def view(self) -> dict[str, Any]:
        """What the model reads of the request (``_model_view.py``); built once, when needed."""
        if self._view is None:
            self._view = model_view(self.body)
        return self._view
