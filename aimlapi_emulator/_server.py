"""The ASGI app: routing, auth, request log, faults, and the answer (whole or streamed).

One catch-all route dispatches by (method, path) so that every request — even a 404 — is
recorded in arrival order before anything else happens.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import string
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from ._answer import ReplyFunctionError, answer
from ._batches import BatchStore, batch_route
from ._cache_ledger import PromptCacheLedger
from ._embeddings import embeddings_answer
from ._envelopes import APIError, error_body
from ._faults import Fault, FaultPlan
from ._lenient import relax
from ._models import models_listing
from ._records import Bill, InFlight, RecordedRequest, RequestLog, redact_headers
from ._render_chat import chat_stream, chat_whole, legacy_wrap
from ._render_messages import messages_stream, messages_whole
from ._reply import ReplyScript
from ._signing import ThinkingSigner
from ._usage import cost
from ._validate import Dialect
from ._validate_content import schema_error

_ALPHABET = string.ascii_letters + string.digits
_CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


@dataclass
class ServerState:
    """What one emulator instance knows; shared by the app and the `Emulator` object."""

    api_key: str | None = None  # None: any non-empty key is accepted
    signer: ThinkingSigner = field(default_factory=ThinkingSigner)
    faults: FaultPlan = field(default_factory=FaultPlan)
    log: RequestLog[RecordedRequest] = field(default_factory=RequestLog)
    bills: RequestLog[Bill] = field(default_factory=RequestLog)
    replies: ReplyScript = field(default_factory=ReplyScript)
    batches: BatchStore = field(default_factory=BatchStore)
    in_flight: InFlight = field(default_factory=InFlight)
    prompt_cache: PromptCacheLedger = field(default_factory=PromptCacheLedger)  # _cache_ledger
    lenient: bool = False  # benchmarks only: see _lenient.py


def _random_id(prefix: str, length: int = 22) -> str:
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))


class _Call:
    """Per-request context: ids and the headers every answer carries."""

    def __init__(self, request: Request, recorded: RecordedRequest) -> None:
        self.path = request.url.path
        self.recorded = recorded
        self.request_id = str(uuid.uuid4())
        self.headers = {"x-request-id": self.request_id, "x-inference-id": _random_id("", 21)}
        client_id = request.headers.get("x-client-request-id")
        # request-tracing-and-cost.md: a malformed id is silently dropped, never an error.
        if client_id and _CLIENT_ID_RE.match(client_id):
            self.headers["x-client-request-id"] = client_id

    def error(self, exc: APIError, retry_after: float | None = None) -> Response:
        content, media_type = error_body(
            exc.status, exc.message, self.path, self.request_id, exc.envelope
        )
        headers = dict(self.headers)
        if retry_after is not None:
            headers["retry-after"] = f"{retry_after:g}"
        return Response(content, status_code=exc.status, media_type=media_type, headers=headers)


def build_app(state: ServerState) -> Starlette:
    async def dispatch(request: Request) -> Response:
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        recorded = RecordedRequest(
            request.method, request.url.path, redact_headers(request.headers), body, raw
        )
        state.log.append(recorded)
        call = _Call(request, recorded)
        path = "/" + request.url.path.strip("/")
        bare = path[3:] if path.startswith("/v1/") else path
        route = _ROUTES.get((request.method, bare)) or batch_route(request.method, bare)
        if route is None:
            # NestJS's wording for an unknown route (errors-with-status-code-4xx.md: 404).
            return call.error(APIError(404, f"Cannot {request.method} {path}"))
        try:
            with state.in_flight:
                response: Response = await route(state, request, call, raw, body)
            return response
        except APIError as exc:
            return call.error(exc)

    return Starlette(
        routes=[
            Route(
                "/{path:path}",
                dispatch,
                methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            )
        ]
    )


async def _models(
    state: ServerState, request: Request, call: _Call, raw: bytes, body: Any
) -> Response:
    # complete-model-list.md: no key needed; items carry id, info, type, aliases, tags.
    fault = await _take_fault(state, call)
    if fault is not None and fault.status is not None:
        return _fault_error(call, fault)
    content = json.dumps(models_listing()).encode()
    return Response(content, media_type="application/json", headers=call.headers)


def _check_auth(state: ServerState, request: Request, dialect: Dialect) -> None:
    header = request.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    key = key.strip() if scheme.lower() == "bearer" else ""
    if not key and dialect == "messages":
        key = request.headers.get("x-api-key", "").strip()  # Anthropic's header [OBS]
    if not key or (state.api_key is not None and not secrets.compare_digest(key, state.api_key)):
        raise APIError(401, envelope="problem")


async def _take_fault(state: ServerState, call: _Call) -> Fault | None:
    fault = state.faults.take(call.path)
    if fault is not None and fault.delay:
        await asyncio.sleep(fault.delay)
    return fault


def _fault_error(call: _Call, fault: Fault) -> Response:
    assert fault.status is not None
    message = fault.message
    if fault.upstream_400 and message is None:
        # docs/wire.md "Errors": an upstream 400 can surface as a 500 whose message starts "400 ".
        message = "400 messages.0.content.0.text: text content blocks must be non-empty"
    return call.error(APIError(fault.status, message, fault.envelope), fault.retry_after)


def _json_route(answer: Callable[[Any], tuple[int, Any, dict[str, str]]]) -> Callable[..., Any]:
    """A whole-JSON POST route behind the same key check and fault plan as inference."""

    async def handler(
        state: ServerState, request: Request, call: _Call, raw: bytes, body: Any
    ) -> Response:
        _check_auth(state, request, "chat_completions")
        fault = await _take_fault(state, call)
        if fault is not None and fault.status is not None:
            return _fault_error(call, fault)
        status, payload, headers = answer(body)
        content = json.dumps(payload).encode()
        if fault is not None and fault.malformed_json:
            content = content[: len(content) // 2]
        return Response(
            content, status, media_type="application/json", headers={**call.headers, **headers}
        )

    return handler


def _make_inference(dialect: Dialect) -> Callable[..., Any]:
    async def handler(
        state: ServerState, request: Request, call: _Call, raw: bytes, body: Any
    ) -> Response:
        _check_auth(state, request, dialect)
        fault = await _take_fault(state, call)
        if fault is not None and fault.status is not None:
            return _fault_error(call, fault)
        if body is None:
            raise schema_error(
                "the request body must be valid JSON (Content-Type: application/json)"
            )
        if state.lenient:
            body = relax(body)
        try:
            body, reply, line = answer(body, dialect, state, call.recorded)
        except ReplyFunctionError as exc:  # the test's own function failed: say so in the answer
            raise APIError(500, f"aimlapi_emulator: {exc}") from exc.__cause__
        model, created = body["model"], int(time.time())
        msg_id = _random_id("msg_01")
        cached = line.cache.prices() if line.cache else {}
        price = cost(model, reply.input_tokens, reply.output_tokens, **cached)
        state.bills.append(
            Bill(
                path=call.path,
                model=model,
                input_tokens=reply.input_tokens,
                cache_read_tokens=line.cache.read if line.cache else 0,
                cache_write_tokens=line.cache.write if line.cache else 0,
                output_tokens=reply.output_tokens,
                credits_used=int(price["credits_used"]),
                usd_spent=float(price["usd_spent"]),
            )
        )
        signature = state.signer.sign(reply.thinking) if reply.thinking is not None else None
        if body.get("stream"):
            events: list[bytes]
            if dialect == "messages":
                items = line.finish_messages_stream(
                    messages_stream(reply, model, msg_id, signature, price)
                )
                events = [_sse(data, name) for name, data in items]
            else:
                chunks = line.finish_chat_stream(chat_stream(reply, model, msg_id, created, price))
                if fault is not None and fault.legacy_stream:
                    chunks = legacy_wrap(chunks, reply)
                events = [_sse(chunk) for chunk in chunks]
                if fault is not None and fault.done_marker:
                    events.append(b"data: [DONE]\n\n")
            if fault is not None:  # body-level faults of _faults.py (issue 10's matrix)
                events = fault.alter_events(events, request.headers.get("authorization", ""))
            return _stream_response(events, call, fault, dialect)
        if dialect == "messages":
            whole, status = messages_whole(reply, model, msg_id, signature, price), 200
            whole = line.finish_whole(whole)
        else:
            # The seeds and the 3.7 spec document 201 for chat completions.
            whole, status = chat_whole(reply, model, msg_id, created, price), 201
            whole = line.finish_whole(whole)
        content = json.dumps(whole).encode()
        if fault is not None and fault.malformed_json:
            content = content[: len(content) // 2]
        headers = {
            **call.headers,
            "x-aimlapi-credits-used": str(price["credits_used"]),
            "x-aimlapi-usd-spent": f"{price['usd_spent']:.9f}",
        }
        if fault is not None:  # body-level faults of _faults.py (issue 10's matrix)
            auth = request.headers.get("authorization", "")
            content, headers = fault.alter_whole(content, headers, auth)
        return Response(content, status_code=status, media_type="application/json", headers=headers)

    return handler


def _sse(data: dict[str, Any], event: str | None = None) -> bytes:
    prefix = f"event: {event}\n" if event else ""
    return f"{prefix}data: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


def _stream_response(
    events: list[bytes], call: _Call, fault: Fault | None, dialect: Dialect
) -> Response:
    if fault is not None and fault.malformed_json and len(events) > 1:
        broken = events[1].split(b"data: ", 1)
        events[1] = broken[0] + b"data: " + broken[1][: len(broken[1]) // 2] + b"\n\n"
    if fault is not None and fault.cut_after is not None:
        events = events[: fault.cut_after]  # the body just ends: no finish, no message_stop

    async def body() -> AsyncIterator[bytes]:
        for event in events:
            yield event
            await asyncio.sleep(0)  # one event per write, as a real stream arrives

    headers = {**call.headers, "cache-control": "no-cache"}
    if fault is not None:
        headers = fault.stream_headers(headers)
    return StreamingResponse(
        body(),
        status_code=200 if dialect == "messages" else 201,
        media_type="text/event-stream; charset=utf-8",
        headers=headers,
    )


# (method, path without /v1) → `async handler(state, request, call, raw, body) -> Response`.
# A handler raises APIError for a documented error; other modules add their routes here.
_ROUTES: dict[tuple[str, str], Callable[..., Any]] = {
    ("GET", "/models"): _models,
    ("POST", "/chat/completions"): _make_inference("chat_completions"),
    ("POST", "/messages"): _make_inference("messages"),
    ("POST", "/embeddings"): _json_route(embeddings_answer),
}
