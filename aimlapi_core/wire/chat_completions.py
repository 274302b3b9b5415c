"""The ``/chat/completions`` dialect: the seed format the AI/ML API documents for Claude.

Requests are Anthropic-shaped (see ``encode.py``). Responses are OpenAI-shaped with Anthropic
leaks, and the decoder reads every form docs/wire.md "Response on /chat/completions" lists:
content as a string or as Anthropic blocks, thinking as ``reasoning_content`` / ``reasoning`` /
``reasoning_details``, tool calls as OpenAI ``tool_calls`` or ``tool_use`` blocks, finish
reasons in both vocabularies, usage in both namings.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

from aimlapi_core._json import excerpt, loads_text, parse_arguments
from aimlapi_core._rules import DIALECT_CONTENT
from aimlapi_core._sse import ServerSentEvent
from aimlapi_core._types import (
    ChatRequest,
    ChatResult,
    CitationDelta,
    CostDelta,
    Finish,
    MessageStart,
    Part,
    PartDelta,
    RawPart,
    RedactedThinkingDelta,
    RedactedThinkingPart,
    ServerToolCallDelta,
    ServerToolCallPart,
    ServerToolResultPart,
    SignatureDelta,
    StreamEvent,
    TextDelta,
    TextPart,
    ThinkingDelta,
    ThinkingPart,
    ToolCallDelta,
    ToolCallPart,
    UsageDelta,
)
from aimlapi_core.errors import AIMLAPIError, ResponseValidationError

from ._common import (
    SHAPE_ERRORS,
    cost_from_body,
    cost_of,
    ids_of,
    opt_dict,
    opt_index,
    opt_str,
    require_object,
    shape_error,
    stop_reason,
    usage_fields,
    usage_from_wire,
    usage_object,
)
from .encode import encode_request
from .envelope import error_from_body, raise_if_error_envelope, stream_error
from .messages import decode_blocks

_CONTENT = DIALECT_CONTENT["chat_completions"]


class ChatCompletionsDialect:
    name: Literal["chat_completions", "messages"] = "chat_completions"
    path = "/chat/completions"

    def encode(self, request: ChatRequest, *, stream: bool) -> dict[str, Any]:
        return encode_request(request, stream=stream, dialect_content=_CONTENT)

    def decode(self, body: Any, headers: Mapping[str, str]) -> ChatResult:
        try:
            return decode_completion(body, headers)
        except AIMLAPIError:
            raise
        except SHAPE_ERRORS as exc:  # the one boundary: see _common.SHAPE_ERRORS
            raise shape_error("the chat completion", body, exc) from None

    def stream_decoder(self) -> ChatCompletionsStreamDecoder:
        return ChatCompletionsStreamDecoder()


def _reasoning(message: Mapping[str, Any]) -> ThinkingPart | None:
    text = opt_str(message, "reasoning_content", "message") or opt_str(
        message, "reasoning", "message"
    )
    if text:
        return ThinkingPart(thinking=text)
    details = message.get("reasoning_details")
    if isinstance(details, list):
        texts = [d.get("text") for d in details if isinstance(d, dict)]
        joined = "".join(t for t in texts if isinstance(t, str))
        sigs = [d.get("signature") for d in details if isinstance(d, dict)]
        signature = next((s for s in sigs if isinstance(s, str) and s), None)
        if joined or signature:
            return ThinkingPart(thinking=joined, signature=signature)
    return None


def _annotations(value: Any) -> list[dict[str, Any]] | None:
    """OpenAI ``message.annotations`` (``url_citation`` when a search tool ran, newer chat
    schemas) → the text's citations, kept as sent (docs/wire.md "Citations")."""
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(a, dict) for a in value):
        raise ResponseValidationError(f"message.annotations is not a list: {excerpt(value)}")
    return [dict(a) for a in value] or None


def _reasoning_details_text(details: Any) -> str:
    if not isinstance(details, list):
        return ""
    texts = [d.get("text") for d in details if isinstance(d, dict)]
    return "".join(t for t in texts if isinstance(t, str))


def _tool_calls(message: Mapping[str, Any]) -> list[ToolCallPart]:
    calls = message.get("tool_calls")
    if not calls:
        return []
    if not isinstance(calls, list):
        raise ResponseValidationError(f"message.tool_calls is not a list: {excerpt(calls)}")
    out: list[ToolCallPart] = []
    for call in calls:
        function = call.get("function") if isinstance(call, dict) else None
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            raise ResponseValidationError(f"unreadable tool call: {excerpt(call)}")
        name = function["name"]
        args = function.get("arguments")
        if args is not None and not isinstance(args, dict | str):
            raise ResponseValidationError(f"unreadable tool call arguments: {excerpt(call)}")
        arguments = args if isinstance(args, dict) else parse_arguments(args or "", name)
        call_id = opt_str(call, "id", "tool call") or ""
        out.append(ToolCallPart(id=call_id, name=name, arguments=arguments))
    return out


def _finish_reason(choice: Mapping[str, Any]) -> str | None:
    return opt_str(choice, "finish_reason", "choices[0]")


def decode_completion(body: Any, headers: Mapping[str, str]) -> ChatResult:
    body = require_object(body, "a chat completion")
    choices = body.get("choices")
    if not choices:
        raise_if_error_envelope(body, headers)
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise ResponseValidationError(
            f"the response has no choices to read a completion from: {excerpt(body)}"
        )
    choice = choices[0]
    raw = _finish_reason(choice)
    if body.get("error") is not None or raw == "error":
        # Some gateways report a provider failure as a completion with finish_reason "error"
        # and an error object next to `choices` (docs/wire.md "Errors"): an error, not an answer.
        raise error_from_body(body, headers)
    message = choice.get("message")
    if not isinstance(message, dict):
        raise ResponseValidationError(f"choices[0] has no message: {excerpt(body)}")
    parts: list[Part] = []
    content = message.get("content")
    if isinstance(content, list):
        blocks = decode_blocks(content)
        if not any(isinstance(b, ThinkingPart) for b in blocks):
            thinking = _reasoning(message)
            parts.extend([thinking] if thinking else [])
        parts.extend(blocks)
    else:
        thinking = _reasoning(message)
        parts.extend([thinking] if thinking else [])
        citations = _annotations(message.get("annotations"))
        if isinstance(content, str) and (content or citations):
            parts.append(TextPart(text=content, citations=citations))
        elif content is not None and not isinstance(content, str):
            raise ResponseValidationError(f"unreadable message content: {excerpt(content)}")
    parts.extend(_tool_calls(message))
    has_tools = any(isinstance(p, ToolCallPart) for p in parts)
    request_id, inference_id = ids_of(body, headers)
    rid = body.get("id")
    model = body.get("model")
    return ChatResult(
        parts=parts,
        id=rid if isinstance(rid, str) and rid else None,
        model=model if isinstance(model, str) else None,
        stop_reason=stop_reason(raw, has_tool_calls=has_tools),
        raw_stop_reason=raw,
        usage=usage_from_wire(usage_object(body.get("usage"), "the completion's")),
        cost=cost_of(body, headers),
        request_id=request_id,
        inference_id=inference_id,
        raw=body,
    )


class ChatCompletionsStreamDecoder:
    """Chunks of a streamed ``/chat/completions`` response → neutral stream events.

    Tolerates every quirk in docs/wire.md "Streaming on /chat/completions": the id only on the first
    chunk, the role repeated on every delta, usage in the second-to-last chunk, a last chunk
    without ``delta`` repeating the finish, ``[DONE]`` present or not, the pre-2026-02-13
    ``{"event": chunk, "state": {...}}`` wrapper, and the cost in a last chunk's ``meta.usage``.
    """

    __slots__ = ("_next_index", "_started", "_text_index", "_thinking_index", "_tools", "finished")

    def __init__(self) -> None:
        self.finished = False
        self._started = False
        self._next_index = 0
        self._text_index = -1
        self._thinking_index = -1
        self._tools: dict[int, int] = {}  # wire tool index → part index

    def _new_index(self) -> int:
        index = self._next_index
        self._next_index += 1
        return index

    def feed(self, event: ServerSentEvent) -> list[StreamEvent]:
        """One chunk's events. Every failure to read it is a library error: the one boundary
        converting shape errors (_common.SHAPE_ERRORS) keeps the hot path to one ``json.loads``
        and dict lookups."""
        data = event.data
        if not data or data == "[DONE]":
            return []
        try:
            return self._feed(event, data)
        except AIMLAPIError:
            raise
        except SHAPE_ERRORS as exc:
            raise shape_error("a stream chunk", data, exc) from None

    def _feed(self, event: ServerSentEvent, data: str) -> list[StreamEvent]:
        try:
            chunk = loads_text(data)
        except ValueError:
            raise ResponseValidationError(f"a stream chunk is not JSON: {excerpt(data)}") from None
        if not isinstance(chunk, dict):
            raise ResponseValidationError(f"a stream chunk is not an object: {excerpt(data)}")
        if event.event == "error" or ("error" in chunk and "choices" not in chunk):
            raise stream_error(chunk)
        if chunk.get("error") is not None:
            # An error object next to `choices` (with finish_reason "error"): some gateways
            # report a provider disconnect this way. It is an error, never a finished answer.
            raise stream_error(chunk)
        out: list[StreamEvent] = []
        outer = chunk
        usage: Any = chunk.get("usage")
        inner = chunk.get("event")
        if isinstance(inner, dict):
            # Before 2026-02-13 every chunk was wrapped, with Anthropic-named usage in `state`.
            chunk = inner
            if chunk.get("error") is not None:
                raise stream_error(chunk)
            state = outer.get("state")
            usage = inner.get("usage") or (state.get("usage") if isinstance(state, dict) else None)
        if not self._started:
            self._started = True
            cid, model = chunk.get("id"), chunk.get("model")
            out.append(
                MessageStart(
                    cid if isinstance(cid, str) and cid else None,
                    model if isinstance(model, str) and model else None,
                )
            )
        finish: str | None = None
        choices = chunk.get("choices")
        if choices:
            if not isinstance(choices, list):
                raise ResponseValidationError(f"choices is not a list: {excerpt(data)}")
            choice = choices[0]
            # Hot path: type checks inlined (isinstance, no call) where a wrong type would pass.
            finish = choice.get("finish_reason")
            if finish is not None:
                if not isinstance(finish, str):
                    raise ResponseValidationError(f"finish_reason is not a string: {excerpt(data)}")
                if finish == "error":
                    raise stream_error(chunk)
            delta = choice.get("delta")
            if delta:
                if not isinstance(delta, dict):
                    raise ResponseValidationError(f"delta is not an object: {excerpt(data)}")
                self._delta(delta, out)
        if usage is not None:
            if not isinstance(usage, dict):
                raise ResponseValidationError(f"usage is not an object: {excerpt(data)}")
            if usage:
                out.append(UsageDelta(**usage_fields(usage)))
        if "meta" in chunk or "meta" in outer:
            # The cost of a streamed call comes in a last chunk (request-tracing-and-cost.md).
            cost = cost_from_body(chunk) or cost_from_body(outer)
            if cost is not None:
                out.append(CostDelta(cost))
        if finish and not self.finished:
            # The finish may come twice (second-to-last and last chunk): the first one counts.
            self.finished = True
            out.append(
                Finish(
                    stop_reason=stop_reason(finish, has_tool_calls=bool(self._tools)),
                    raw_stop_reason=finish,
                )
            )
        return out

    def _delta(self, delta: dict[str, Any], out: list[StreamEvent]) -> None:
        thinking = delta.get("reasoning_content") or delta.get("reasoning")
        if not thinking:
            # The claude-sonnet-latest page's answers carry reasoning_details too; read them
            # only when no plain field said the same (docs/wire.md "Response on ...").
            thinking = _reasoning_details_text(delta.get("reasoning_details"))
        if thinking:
            if not isinstance(thinking, str):
                raise ResponseValidationError(f"delta reasoning is not text: {excerpt(delta)}")
            if self._thinking_index < 0:
                self._thinking_index = self._new_index()
            out.append(ThinkingDelta(self._thinking_index, thinking))
        # A chunk's annotations go before its text, so a consumer that shapes content by the
        # first events (LangChain's ChunkStream) knows the text is cited before it arrives.
        for citation in _annotations(delta.get("annotations")) or []:
            out.append(CitationDelta(self._text(), citation))
        text = delta.get("content")
        if isinstance(text, str):
            if text:
                out.append(TextDelta(self._text(), text))
        elif isinstance(text, list):
            # Anthropic blocks in `content` (docs/wire.md "Response on /chat/completions", [INF]),
            # read as the whole decode reads them.
            self._blocks(text, out)
        elif text is not None:
            raise ResponseValidationError(f"delta.content is not text: {excerpt(delta)}")
        calls = delta.get("tool_calls")
        if calls:
            if not isinstance(calls, list):
                raise ResponseValidationError(f"delta.tool_calls is not a list: {excerpt(delta)}")
            for call in calls:
                key = opt_index(call, "a tool call")
                if key is None:
                    # No index: a fragment with an id starts a call, others continue the last.
                    new = call.get("id") or not self._tools
                    key = len(self._tools) if new else next(reversed(self._tools))
                index = self._tools.get(key)
                if index is None:
                    index = self._tools[key] = self._new_index()
                function = opt_dict(call, "function", "a tool call") or {}
                args = function.get("arguments")
                if args is not None and not isinstance(args, str | dict):
                    raise ResponseValidationError(
                        f"tool call arguments are neither text nor an object: {excerpt(call)}"
                    )
                out.append(
                    ToolCallDelta(
                        index,
                        opt_str(call, "id", "a tool call") or None,
                        opt_str(function, "name", "a tool call's function") or None,
                        args if isinstance(args, str) else json.dumps(args) if args else "",
                    )
                )

    def _text(self) -> int:
        if self._text_index < 0:
            self._text_index = self._new_index()
        return self._text_index

    def _blocks(self, blocks: list[Any], out: list[StreamEvent]) -> None:
        for part in decode_blocks(blocks):  # raises on a block it cannot read
            if isinstance(part, TextPart):
                out.append(TextDelta(self._text(), part.text))
                for citation in part.citations or []:
                    out.append(CitationDelta(self._text(), citation))
            elif isinstance(part, ThinkingPart):
                if self._thinking_index < 0:
                    self._thinking_index = self._new_index()
                if part.thinking:
                    out.append(ThinkingDelta(self._thinking_index, part.thinking))
                if part.signature:
                    out.append(SignatureDelta(self._thinking_index, part.signature))
            elif isinstance(part, ToolCallPart):
                # A whole call in one block: its own part, keyed apart from wire indexes.
                index = self._tools[-1 - len(self._tools)] = self._new_index()
                out.append(ToolCallDelta(index, part.id, part.name, json.dumps(part.arguments)))
            elif isinstance(part, RedactedThinkingPart):
                out.append(RedactedThinkingDelta(self._new_index(), part.data))
            elif isinstance(part, ServerToolCallPart):
                args = json.dumps(part.arguments)
                out.append(ServerToolCallDelta(self._new_index(), part.id, part.name, args))
            elif isinstance(part, (ServerToolResultPart, RawPart)):
                out.append(PartDelta(self._new_index(), part))
