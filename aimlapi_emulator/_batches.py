"""The Batches API (capabilities/batch-processing; docs/wire.md "Batches").

``POST /v1/batches`` checks the body against batch-create.json (user messages with string
content only, string ``system``, the listed params, unique ``custom_id``s) and answers the batch
object. The requests are then answered in a background thread as /messages answers them:
validation and model rules, then the scripted ``replies=`` (a replies function sees each as
``RecordedRequest("POST", "/v1/batches", headers, params)``), else the default assistant.
``GET /v1/batches?batch_id=`` answers ``[{"id", "status": "generating"}]`` until the batch is
processed *and* it has been polled ``generating_polls`` times, then one result per request as
JSON Lines (the page's example client reads lines). ``POST /v1/batches/cancel/{id}`` answers
the batch object with ``processing_status: "canceling"``; later GETs answer the page's "if
already cancelled" example (that object plus ``"status": "cancelled"``); cancelling an ended
batch is the documented 400.

A request the validation or model rules refuse becomes an ``errored`` result with Anthropic's
error object, as Anthropic validates batch requests. Succeeded messages are the /messages body
with ``service_tier: "batch"`` and ``meta.usage`` at half price — the page promises "up to 50%"
and shows no ``meta``; we add it as every other /messages answer carries it [INF].
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import secrets
import string
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.responses import Response

from ._answer import ReplyFunctionError, answer
from ._envelopes import APIError
from ._records import RecordedRequest
from ._render_messages import messages_whole
from ._usage import cost
from ._validate_content import schema_error

if TYPE_CHECKING:
    from starlette.requests import Request

    from ._server import ServerState, _Call

_ALPHABET = string.ascii_letters + string.digits
_PARAMS = frozenset(
    {
        "model", "messages", "system", "metadata", "max_tokens", "stop_sequences", "temperature",
        "top_k", "top_p", "tool_choice", "tools", "thinking",
    }
)  # fmt: skip
_MAX_REQUESTS = 100_000


@dataclass
class _Batch:
    id: str
    created_at: dt.datetime
    requests: list[tuple[str, dict[str, Any]]]
    polls_left: int
    headers: dict[str, str] = field(default_factory=dict)  # the create call's, key redacted
    results: bytes | None = None  # JSON Lines, once processed
    counts: dict[str, int] = field(default_factory=dict)
    cancel_initiated_at: dt.datetime | None = None

    def object(self, processing_status: str) -> dict[str, Any]:
        """The batch object of batch-create.json's 200 schema."""
        n = len(self.requests)
        counts = {"processing": n, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}
        if processing_status == "ended":
            counts = {"processing": 0, "canceled": 0, "expired": 0, **self.counts}
        return {
            "id": self.id,
            "type": "message_batch",
            "processing_status": processing_status,
            "request_counts": counts,
            "ended_at": None,
            "created_at": self.created_at.isoformat(),
            "expires_at": (self.created_at + dt.timedelta(days=1)).isoformat(),
            "archived_at": None,
            "cancel_initiated_at": (
                self.cancel_initiated_at.isoformat() if self.cancel_initiated_at else None
            ),
            "results_url": None,
        }


class BatchStore:
    """The batches one emulator knows. ``generating_polls``: how many GETs answer "generating"
    before the results (at least until the background processing is done)."""

    def __init__(self, generating_polls: int = 1) -> None:
        if generating_polls < 0:
            raise ValueError(f"batch_polls must be >= 0, got {generating_polls}")
        self.generating_polls = generating_polls
        self._batches: dict[str, _Batch] = {}
        self._lock = threading.Lock()
        self._tasks: set[asyncio.Task[None]] = set()

    def add(
        self,
        requests: list[tuple[str, dict[str, Any]]],
        state: ServerState,
        headers: dict[str, str],
    ) -> _Batch:
        batch = _Batch(
            id="".join(secrets.choice(_ALPHABET) for _ in range(21)),
            created_at=dt.datetime.now(dt.timezone.utc),
            requests=requests,
            polls_left=self.generating_polls,
            headers=headers,
        )
        with self._lock:
            self._batches[batch.id] = batch
        task = asyncio.get_running_loop().create_task(asyncio.to_thread(_process, batch, state))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return batch

    def get(self, batch_id: str) -> _Batch:
        with self._lock:
            batch = self._batches.get(batch_id)
        if batch is None:
            raise APIError(404, f"Batch {batch_id} not found")
        return batch


def _process(batch: _Batch, state: ServerState) -> None:
    lines, counts = [], {"succeeded": 0, "errored": 0}
    for custom_id, params in batch.requests:
        outcome = _answer(params, state, batch.headers)
        counts[outcome["type"]] += 1
        lines.append(json.dumps({"custom_id": custom_id, "result": outcome}))
    batch.counts = counts
    batch.results = ("\n".join(lines) + "\n").encode()


def _errored(kind: str, message: str) -> dict[str, Any]:
    return {
        "type": "errored",
        "error": {"type": "error", "error": {"type": kind, "message": message}},
    }


def _answer(params: dict[str, Any], state: ServerState, headers: dict[str, str]) -> dict[str, Any]:
    """One request as /messages answers it: validation and model rules (an ``errored`` result
    instead of a 400), then the scripted reply if the test gave one, else the default assistant.
    A replies function sees the request as ``RecordedRequest("POST", "/v1/batches", headers,
    params)``."""
    recorded = RecordedRequest("POST", "/v1/batches", headers, params)
    try:
        params, reply, line = answer(params, "messages", state, recorded)
    except APIError as exc:
        return _errored("invalid_request_error", exc.message)
    except ReplyFunctionError as exc:  # the test's own function failed: say so in the result
        return _errored("api_error", str(exc))
    model = params["model"]
    full = cost(model, reply.input_tokens, reply.output_tokens)
    credits = round(float(full["credits_used"]) / 2)  # the batch price: half [INF]
    price = {"credits_used": credits, "usd_spent": credits / 2_000_000}
    signature = state.signer.sign(reply.thinking) if reply.thinking is not None else None
    msg_id = "msg_01" + "".join(secrets.choice(_ALPHABET) for _ in range(22))
    message = line.finish_whole(messages_whole(reply, model, msg_id, signature, price))
    message["usage"]["service_tier"] = "batch"
    return {"type": "succeeded", "message": message}


# --------------------------------------------------------------------------- schema


def _check_create(body: Any) -> list[tuple[str, dict[str, Any]]]:
    if not isinstance(body, dict) or not isinstance(body.get("requests"), list):
        raise schema_error("requests: Required (a list of {custom_id, params})")
    requests = body["requests"]
    if not 1 <= len(requests) <= _MAX_REQUESTS:
        raise schema_error(f"requests: must hold 1 to {_MAX_REQUESTS} items, got {len(requests)}")
    unknown = sorted(set(body) - {"requests"})
    if unknown:
        raise schema_error(f"Unrecognized key(s) in object: {', '.join(map(repr, unknown))}")
    seen: set[str] = set()
    out = []
    for i, item in enumerate(requests):
        where = f"requests.{i}"
        if not isinstance(item, dict) or not isinstance(item.get("custom_id"), str):
            raise schema_error(f"{where}.custom_id: Required (a string)")
        if not isinstance(item.get("params"), dict):
            raise schema_error(f"{where}.params: Required (an object)")
        custom_id, params = item["custom_id"], item["params"]
        if custom_id in seen:
            raise schema_error(f"{where}.custom_id: {custom_id!r} is not unique within the batch")
        seen.add(custom_id)
        _check_params(params, f"{where}.params")
        out.append((custom_id, params))
    return out


def _check_params(params: dict[str, Any], where: str) -> None:
    unknown = sorted(set(params) - _PARAMS)
    if unknown:
        raise schema_error(f"{where}: Unrecognized key(s) in object: {', '.join(unknown)}")
    if not isinstance(params.get("model"), str) or not isinstance(params.get("messages"), list):
        raise schema_error(f"{where}: model and messages are required")
    if "system" in params and not isinstance(params["system"], str):
        raise schema_error(f"{where}.system: Expected string")
    for j, message in enumerate(params["messages"]):
        if not isinstance(message, dict) or message.get("role") != "user":
            raise schema_error(f"{where}.messages.{j}.role: Invalid enum value. Expected 'user'")
        if not isinstance(message.get("content"), str):
            raise schema_error(f"{where}.messages.{j}.content: Expected string")


# --------------------------------------------------------------------------- routes

Handler = Callable[..., Awaitable[Response]]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _json(value: Any, call: _Call, media_type: str = "application/json") -> Response:
    return Response(json.dumps(value).encode(), media_type=media_type, headers=call.headers)


async def _guard(state: ServerState, request: Request, call: _Call) -> Response | None:
    # The server's own auth and fault plan (imported here: _server imports this module).
    from ._server import _check_auth, _fault_error, _take_fault

    _check_auth(state, request, "messages")
    fault = await _take_fault(state, call)
    return _fault_error(call, fault) if fault is not None and fault.status is not None else None


async def _create(
    state: ServerState, request: Request, call: _Call, raw: bytes, body: Any
) -> Response:
    if (early := await _guard(state, request, call)) is not None:
        return early
    batch = state.batches.add(_check_create(body), state, call.recorded.headers)
    return _json(batch.object("in_progress"), call)


async def _get(
    state: ServerState, request: Request, call: _Call, raw: bytes, body: Any
) -> Response:
    if (early := await _guard(state, request, call)) is not None:
        return early
    batch_id = request.query_params.get("batch_id")
    if not batch_id:
        raise schema_error("batch_id: Required (a query parameter)")
    batch = state.batches.get(batch_id)
    if batch.cancel_initiated_at is not None:
        return _json([{**batch.object("canceling"), "status": "cancelled"}], call)
    if batch.results is None or batch.polls_left > 0:
        batch.polls_left = max(batch.polls_left - 1, 0)
        return _json([{"id": batch.id, "status": "generating"}], call)
    return Response(batch.results, media_type="application/x-ndjson", headers=call.headers)


def _cancel_handler(batch_id: str) -> Handler:
    async def cancel(
        state: ServerState, request: Request, call: _Call, raw: bytes, body: Any
    ) -> Response:
        if (early := await _guard(state, request, call)) is not None:
            return early
        batch = state.batches.get(batch_id)
        if batch.results is not None and batch.polls_left == 0 and not batch.cancel_initiated_at:
            upstream = {
                "type": "error",
                "error": {
                    "type": "invalid_request_error",
                    "message": f"Batch {batch_id} cannot be canceled because it has already "
                    "finished processing.",
                },
                "request_id": "req_011" + "".join(secrets.choice(_ALPHABET) for _ in range(21)),
            }
            raise APIError(400, "400 " + json.dumps(upstream, separators=(",", ":")))
        batch.cancel_initiated_at = batch.cancel_initiated_at or _now()
        return _json(batch.object("canceling"), call)

    return cancel


def batch_route(method: str, path: str) -> Handler | None:
    """The handler for ``(method, path)`` (path without ``/v1``), or None: not a batch route."""
    if path == "/batches":
        return _create if method == "POST" else _get if method == "GET" else None
    if method == "POST" and path.startswith("/batches/cancel/") and path.count("/") == 3:
        return _cancel_handler(path.rsplit("/", 1)[1])
    return None
