"""The ASGI app: routing, auth, the request log, the fault plan, and the chat routes.

One catch-all route dispatches by (method, path) so that every request — even a 404 — is
recorded in arrival order before anything else happens. Then, for every route alike: the key
check the route sits behind, the fault plan (an error-status fault answers instead of the
route), the route's :class:`~aimlapi_emulator._context.Output`, and the fault seam
(``_wire.send``) that puts it on the wire. A chat request's pipeline runs in a worker thread
(a replies function may be slow); a bug in the emulator is a 500 in the documented envelope
that says so, never a dropped connection.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from typing import Any

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route as StarletteRoute

from ._answer import Answer
from ._batches import batch_route
from ._context import ChatCall, Dialect, Output, RequestContext, Route, ServerState, random_id
from ._embeddings import embeddings_answer
from ._envelopes import APIError, schema_error
from ._faults import Fault
from ._models import models_listing
from ._pipeline import answer
from ._records import Bill, RecordedRequest, redact_headers
from ._render_chat import chat_stream, chat_whole
from ._render_messages import messages_stream, messages_whole
from ._reply import ReplyFunctionError
from ._usage import cost
from ._wire import send

ANSWER_THREADS = 16  # how many chat requests may be worked out at once


def build_app(state: ServerState) -> Starlette:
    async def dispatch(request: Request) -> Response:
        raw = await request.body()
        body = _parse_json(raw)
        recorded = RecordedRequest(
            request.method, request.url.path, redact_headers(request.headers), body, raw
        )
        state.log.append(recorded)
        ctx = RequestContext(request, recorded, raw, body)
        path = "/" + request.url.path.strip("/")
        bare = path[3:] if path.startswith("/v1/") else path
        route = _ROUTES.get((request.method, bare)) or batch_route(request.method, bare)
        if route is None:
            # NestJS's wording for an unknown route (errors-with-status-code-4xx.md: 404).
            return _error(ctx, APIError(404, f"Cannot {request.method} {path}"))
        try:
            with state.in_flight:
                if route.auth is not None:
                    _check_auth(state, request, route.auth)
                fault = await _take_fault(state, ctx)
                if fault is not None and fault.status is not None:
                    return _fault_error(ctx, fault)
                output = await route.handler(state, ctx)
                return send(output, fault, request.headers.get("authorization", ""))
        except APIError as exc:
            return _error(ctx, exc)
        except RecursionError:
            return _error(ctx, schema_error("the request body is nested too deeply"))
        except Exception as exc:  # an emulator bug: a 500 in the envelope, the server goes on
            message = f"aimlapi_emulator failed to answer: {type(exc).__name__}: {exc}"
            return _error(ctx, APIError(500, message))

    return Starlette(
        routes=[
            StarletteRoute(
                "/{path:path}",
                dispatch,
                methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            )
        ]
    )


def _error(ctx: RequestContext, exc: APIError, retry_after: float | None = None) -> Response:
    output = ctx.error(exc, retry_after)
    return Response(
        output.content, output.status, media_type=output.media_type, headers=output.headers
    )


def _check_auth(state: ServerState, request: Request, dialect: Dialect) -> None:
    header = request.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    key = key.strip() if scheme.lower() == "bearer" else ""
    if not key and dialect == "messages":
        key = request.headers.get("x-api-key", "").strip()  # Anthropic's header [OBS]
    if not key or (state.api_key is not None and not secrets.compare_digest(key, state.api_key)):
        raise APIError(401, envelope="problem")


async def _take_fault(state: ServerState, ctx: RequestContext) -> Fault | None:
    fault = state.faults.take(ctx.path)
    if fault is not None and fault.delay:
        await asyncio.sleep(fault.delay)
    return fault


def _fault_error(ctx: RequestContext, fault: Fault) -> Response:
    assert fault.status is not None
    message = fault.message
    if fault.upstream_400 and message is None:
        # docs/wire.md "Errors": an upstream 400 can surface as a 500 whose message starts "400 ".
        message = "400 messages.0.content.0.text: text content blocks must be non-empty"
    return _error(ctx, APIError(fault.status, message, fault.envelope), fault.retry_after)


async def _models(state: ServerState, ctx: RequestContext) -> Output:
    # complete-model-list.md: no key needed; items carry id, info, type, aliases, tags.
    return ctx.json(models_listing())


async def _embeddings(state: ServerState, ctx: RequestContext) -> Output:
    status, payload, headers = embeddings_answer(ctx.body)
    return ctx.json(payload, status, headers)


async def _answer_off_loop(
    state: ServerState, body: Any, dialect: Dialect, ctx: RequestContext
) -> tuple[ChatCall, Answer]:
    """The pipeline in a worker thread: a slow replies function holds one of
    ``ANSWER_THREADS`` threads, never the event loop, so other requests are answered meanwhile.
    (The threads are started by the server's thread, a daemon, so they are daemons too: a
    replies function that never returns cannot keep a test process alive.)"""
    if state.answer_limiter is None:  # made on the server's loop, where anyio finds it
        state.answer_limiter = anyio.CapacityLimiter(ANSWER_THREADS)
    return await anyio.to_thread.run_sync(
        answer, body, dialect, state, ctx.recorded, limiter=state.answer_limiter
    )


def _bill(path: str, model: str, reply: Answer, price: dict[str, float | int]) -> Bill:
    cache = reply.cache
    return Bill(
        path=path,
        model=model,
        input_tokens=reply.input_tokens,
        cache_read_tokens=cache.read if cache is not None else 0,
        cache_write_tokens=cache.write if cache is not None else 0,
        output_tokens=reply.output_tokens,
        credits_used=int(price["credits_used"]),
        usd_spent=float(price["usd_spent"]),
    )


def _chat_route(dialect: Dialect) -> Route:
    async def handler(state: ServerState, ctx: RequestContext) -> Output:
        body = ctx.body
        if body is None:
            raise schema_error(
                "the request body must be valid JSON (Content-Type: application/json)"
            )
        if state.rewrite_request is not None:
            body = state.rewrite_request(body)
        try:
            call, reply = await _answer_off_loop(state, body, dialect, ctx)
        except ReplyFunctionError as exc:  # the test's own function failed: say so in the answer
            raise APIError(500, f"aimlapi_emulator: {exc}") from exc.__cause__
        model, created = call.body["model"], int(time.time())
        msg_id = random_id("msg_01")
        cached = reply.cache.prices() if reply.cache is not None else {}
        price = cost(model, reply.input_tokens, reply.output_tokens, **cached)
        state.bills.append(_bill(ctx.path, model, reply, price))
        signature = state.signer.sign(reply.thinking) if reply.thinking is not None else None
        # The seeds and the 3.7 spec document 201 for chat completions; /messages answers 200.
        status = 200 if dialect == "messages" else 201
        if call.body.get("stream"):
            events: list[tuple[str | None, dict[str, Any]]]
            if dialect == "messages":
                events = list(messages_stream(reply, model, msg_id, signature, price))
            else:
                events = [(None, c) for c in chat_stream(reply, model, msg_id, created, price)]
            headers = {**ctx.headers, "cache-control": "no-cache"}
            media_type = "text/event-stream; charset=utf-8"
            return Output(status, headers, events=events, dialect=dialect, media_type=media_type)
        if dialect == "messages":
            whole = messages_whole(reply, model, msg_id, signature, price)
        else:
            whole = chat_whole(reply, model, msg_id, created, price)
        cost_headers = {
            "x-aimlapi-credits-used": str(price["credits_used"]),
            "x-aimlapi-usd-spent": f"{price['usd_spent']:.9f}",
        }
        return ctx.json(whole, status, cost_headers)

    return Route(handler, dialect)


# (method, path without /v1) → the route; batch routes come from `batch_route`.
_ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "/models"): Route(_models, None),
    ("POST", "/chat/completions"): _chat_route("chat_completions"),
    ("POST", "/messages"): _chat_route("messages"),
    ("POST", "/embeddings"): Route(_embeddings, "chat_completions"),
}


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _parse_json(raw: bytes) -> Any:
    """The body's JSON; None when empty or not JSON (NaN and Infinity are not JSON, and a body
    nested past the parser's depth is refused as such)."""
    if not raw:
        return None
    try:
        return json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return None
