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

import datetime as dt
import json
import secrets
import string
from typing import Any

from ._batch_store import AnswerOne, Batch, errored
from ._context import Output, RequestContext, Route, ServerState, random_id
from ._envelopes import APIError, schema_error
from ._pipeline import answer
from ._records import RecordedRequest
from ._render_messages import messages_whole
from ._reply import ReplyFunctionError
from ._usage import cost

_ALPHABET = string.ascii_letters + string.digits
_PARAMS = frozenset(
    {
        "model", "messages", "system", "metadata", "max_tokens", "stop_sequences", "temperature",
        "top_k", "top_p", "tool_choice", "tools", "thinking",
    }
)  # fmt: skip
_MAX_REQUESTS = 100_000


def _answerer(state: ServerState) -> AnswerOne:
    def answer_one(params: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        """One request as /messages answers it: the chat pipeline (a refusal is an ``errored``
        result instead of a 400). A replies function sees the request as
        ``RecordedRequest("POST", "/v1/batches", headers, params)``."""
        recorded = RecordedRequest("POST", "/v1/batches", headers, params)
        try:
            call, reply = answer(params, "messages", state, recorded)
        except APIError as exc:
            return errored("invalid_request_error", exc.message)
        except ReplyFunctionError as exc:  # the test's own function failed: say so
            return errored("api_error", str(exc))
        model = call.body["model"]
        full = cost(model, reply.input_tokens, reply.output_tokens)
        credits = round(float(full["credits_used"]) / 2)  # the batch price: half [INF]
        price = {"credits_used": credits, "usd_spent": credits / 2_000_000}
        signature = state.signer.sign(reply.thinking) if reply.thinking is not None else None
        message = messages_whole(reply, model, random_id("msg_01"), signature, price)
        message["usage"]["service_tier"] = "batch"
        return {"type": "succeeded", "message": message}

    return answer_one


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


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


async def _create(state: ServerState, ctx: RequestContext) -> Output:
    requests = _check_create(ctx.body)
    batch = state.batches.add(requests, ctx.recorded.headers, _answerer(state))
    return ctx.json(batch.object("in_progress"))


async def _get(state: ServerState, ctx: RequestContext) -> Output:
    batch_id = ctx.request.query_params.get("batch_id")
    if not batch_id:
        raise schema_error("batch_id: Required (a query parameter)")
    batch = state.batches.get(batch_id)
    if batch.cancel_initiated_at is not None:
        return ctx.json([{**batch.object("canceling"), "status": "cancelled"}])
    if batch.results is None or batch.polls_left > 0:
        batch.polls_left = max(batch.polls_left - 1, 0)
        return ctx.json([{"id": batch.id, "status": "generating"}])
    return Output(200, dict(ctx.headers), batch.results, media_type="application/x-ndjson")


def _cancel_route(batch_id: str) -> Route:
    async def cancel(state: ServerState, ctx: RequestContext) -> Output:
        batch: Batch = state.batches.get(batch_id)
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
        return ctx.json(batch.object("canceling"))

    return Route(cancel, "messages")


def batch_route(method: str, path: str) -> Route | None:
    """The route for ``(method, path)`` (path without ``/v1``), or None: not a batch route.
    Every batch route sits behind the /messages key check (``x-api-key`` too)."""
    if path == "/batches":
        if method == "POST":
            return Route(_create, "messages")
        return Route(_get, "messages") if method == "GET" else None
    if method == "POST" and path.startswith("/batches/cancel/") and path.count("/") == 3:
        return _cancel_route(path.rsplit("/", 1)[1])
    return None
