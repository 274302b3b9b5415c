"""LangChain messages → the core's neutral request parts (results go back in ``_results.py``).

:func:`to_core_messages` walks the messages: system messages join the top-level system prompt, the
content of user turns and tool results goes through ``_user_content.py``'s tables, and
assistant turns — earlier answers replayed, in the shapes ``_results.py`` and
``_content_blocks.py`` write them, or other providers' — through :data:`_AI_BLOCKS` here. A
block no table knows raises ``UnsupportedContentError`` naming it, before any request.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

import aimlapi_core as t
from aimlapi_core.adapter import rules
from aimlapi_core.errors import InvalidRequestError, UnsupportedContentError

from ._user_content import (
    USER_BLOCKS,
    Handler,
    convert_blocks,
    result_content,
    text_block,
    tool_id,
    unsupported,
)


def _thinking(block: dict[str, Any], where: str) -> t.ThinkingPart:
    return t.ThinkingPart(thinking=block.get("thinking", ""), signature=block.get("signature"))


def _reasoning(block: dict[str, Any], where: str) -> t.ThinkingPart | None:
    # LangChain v1 standard reasoning; our outbound translator keeps the signature in extras.
    extras = block.get("extras") or {}
    signature = extras.get("signature") or block.get("signature")
    text = block.get("reasoning", "")
    if not text and not signature:
        return None
    return t.ThinkingPart(thinking=text, signature=signature)


def _redacted(block: dict[str, Any], where: str) -> t.RedactedThinkingPart:
    return t.RedactedThinkingPart(
        data=rules.block_str(block, "data", where, kind="redacted_thinking")
    )


def _tool_use(block: dict[str, Any], where: str) -> t.ToolCallPart:
    kind = str(block.get("type"))
    args = block.get("input") if kind == "tool_use" else block.get("args")
    if not args and block.get("partial_json"):
        args = block["partial_json"]
    return t.ToolCallPart(
        id=tool_id(block.get("id"), where),
        name=rules.block_str(block, "name", where, kind=kind),
        arguments=rules.tool_arguments(args, where),
    )


def _server_tool_use(block: dict[str, Any], where: str) -> t.ServerToolCallPart:
    # Claude's block (our answers' form, as langchain-anthropic's); a streamed aggregate
    # carries its input as the concatenated partial_json.
    args = block.get("input") if block.get("type") == "server_tool_use" else block.get("args")
    if not args and block.get("partial_json"):
        args = json.loads(block["partial_json"])
    name: Any = block.get("name")
    if block.get("type") == "server_tool_call" and name == "code_interpreter":
        name = "code_execution"  # LangChain's standard name for Claude's code_execution
    if not isinstance(name, str) or not isinstance(block.get("id"), str):
        raise UnsupportedContentError(f"{where}: server tool call without a name and an id")
    return t.ServerToolCallPart(id=block["id"], name=name, arguments=args or {})


def _server_tool_result(block: dict[str, Any], where: str) -> t.ServerToolResultPart:
    if block.get("type") == "server_tool_result":  # LangChain's standard form
        kind = (block.get("extras") or {}).get("block_type")
        if not isinstance(kind, str):
            raise UnsupportedContentError(
                f"{where}: server_tool_result without extras.block_type cannot be replayed"
            )
        return t.ServerToolResultPart(
            type=kind, tool_call_id=block.get("tool_call_id", ""), content=block.get("output")
        )
    return t.ServerToolResultPart(
        type=block["type"], tool_call_id=block.get("tool_use_id", ""), content=block.get("content")
    )


def _raw(block: dict[str, Any], where: str) -> t.RawPart:
    """A Claude block this library has no part for, as an answer carried it: replayed as is."""
    return t.RawPart(block={k: v for k, v in block.items() if k != "index"})


def _non_standard(block: dict[str, Any], where: str) -> Any:
    value = block.get("value")
    if isinstance(value, dict) and value.get("type") == "redacted_thinking":
        return _redacted(value, where)
    if isinstance(value, dict) and isinstance(value.get("type"), str):
        # content_blocks' form of a block this library kept raw (_content_blocks._standard_blocks).
        return _ai_block(value, where)
    return unsupported(block, where)


def _skip(block: dict[str, Any], where: str) -> None:
    return None


_AI_BLOCKS: dict[str, Handler] = {
    "text": text_block,
    "thinking": _thinking,
    "reasoning": _reasoning,
    "redacted_thinking": _redacted,
    "tool_use": _tool_use,
    "tool_call": _tool_use,
    # Unparsed streamed fragments: the finished call is in AIMessage.tool_calls.
    "tool_call_chunk": _skip,
    "invalid_tool_call": _skip,
    "non_standard": _non_standard,
    "server_tool_use": _server_tool_use,
    "server_tool_call": _server_tool_use,
    "server_tool_result": _server_tool_result,
    # Streamed server tool input merges into its server_tool_use block (same index); a lone
    # fragment carries nothing to replay.
    "server_tool_call_chunk": _skip,
    "input_json_delta": _skip,
}
# Block types a user or a framework may put in an assistant turn that the API cannot take
# there: refused by name. Any other type in an assistant turn came from the API (a block newer
# than this library, kept raw by the core) and is replayed as is.
_NOT_RAW = frozenset(
    {"image", "image_url", "file", "document", "text-plain", "audio", "video", "input_audio",
     "tool_result", "search_result"}
)  # fmt: skip


def _ai_block(block: dict[str, Any], where: str) -> Any:
    kind = block.get("type")
    handler = _AI_BLOCKS.get(kind) if isinstance(kind, str) else None
    if handler is not None:
        return handler(block, where)
    if isinstance(kind, str) and kind.endswith("_tool_result") and kind != "tool_result":
        return _server_tool_result(block, where)
    if isinstance(kind, str) and kind not in _NOT_RAW:
        return _raw(block, where)
    return unsupported(block, where)


def _ai_content(content: str | list[Any], where: str) -> list[t.Part]:
    if isinstance(content, str):
        return [t.TextPart(text=content)] if content else []
    parts: list[t.Part] = []
    for i, block in enumerate(content):
        if isinstance(block, str):
            if block:
                parts.append(t.TextPart(text=block))
            continue
        part = _ai_block(block, f"{where} block {i}")
        if part is not None:
            parts.append(part)
    return parts


_CACHEABLE = (t.TextPart, t.ImagePart, t.DocumentPart, t.ToolResultPart, t.SearchResultPart)


def cache_last_block(turns: list[t.Message], cache_control: dict[str, Any]) -> None:
    """The ``cache_control=`` call argument (as ChatAnthropic takes it): a cache breakpoint on
    the last block of the last message, i.e. the whole prompt is cached up to there. Whether
    the model takes it is the core's per-model rule."""
    last = turns[-1]
    for part in reversed(last.parts):
        if isinstance(part, _CACHEABLE):
            part.cache_control = dict(cache_control)
            return
    raise UnsupportedContentError(
        f"cache_control=: the last message ({last.role}) has no block that can carry a cache "
        "breakpoint (text, image, document, tool result); put cache_control on a block instead"
    )


def _ai_parts(message: AIMessage, where: str) -> list[t.Part]:
    parts: list[t.Part] = _ai_content(message.content, where)
    calls = {p.id: p for p in parts if isinstance(p, t.ToolCallPart)}
    # AIMessage.tool_calls is authoritative for arguments (content blocks may hold stale or
    # partial input); calls present only in tool_calls (OpenAI style) are appended in order.
    for n, call in enumerate(message.tool_calls):
        call_id = tool_id(call.get("id"), f"{where} tool call {n}")
        part = t.ToolCallPart(id=call_id, name=call["name"], arguments=call["args"])
        if call_id in calls:
            calls[call_id].arguments = call["args"]
        else:
            parts.append(part)
    return parts


def to_core_messages(
    messages: Sequence[BaseMessage], *, require_turns: bool = True
) -> tuple[list[t.TextPart], list[t.Message]]:
    """LangChain messages → (system parts, user/assistant turns).

    Every system message, wherever it appears, joins the top-level ``system`` (the API has no
    system role in ``messages``: docs/wire.md). Consecutive turns of one role are merged into one
    turn, so tool results that follow each other form a single user turn. A request needs a
    turn besides the system prompt (``require_turns``); counting tokens does not
    (``trim_messages`` counts a leading ``SystemMessage`` alone).
    """
    system: list[t.TextPart] = []
    turns: list[t.Message] = []
    for i, message in enumerate(messages):
        where = f"message {i} ({message.type})"
        role: t.Role
        if isinstance(message, SystemMessage) or (
            isinstance(message, ChatMessage) and message.role == "system"
        ):
            system.extend(p for p in convert_blocks(message.content, {"text": text_block}, where))
            continue
        if isinstance(message, AIMessage) or (
            isinstance(message, ChatMessage) and message.role == "assistant"
        ):
            role = "assistant"
            parts = (
                _ai_parts(message, where)
                if isinstance(message, AIMessage)
                else _ai_content(message.content, where)
            )
        elif isinstance(message, ToolMessage):
            role = "user"
            parts = [
                t.ToolResultPart(
                    tool_call_id=tool_id(message.tool_call_id, where),
                    content=result_content(message.content, where),
                    is_error=message.status == "error",
                )
            ]
        elif isinstance(message, HumanMessage) or (
            isinstance(message, ChatMessage) and message.role == "user"
        ):
            role = "user"
            parts = convert_blocks(message.content, USER_BLOCKS, where)
        else:
            raise UnsupportedContentError(
                f"{where}: messages of type {type(message).__name__} cannot be sent; use "
                "System/Human/AI/Tool messages"
            )
        if not parts:
            continue  # an empty turn (e.g. AIMessage("")) carries nothing the API accepts
        if turns and turns[-1].role == role:
            turns[-1].parts.extend(parts)
        else:
            turns.append(t.Message(role=role, parts=parts))
    if not turns and require_turns:
        raise InvalidRequestError(
            "no user or assistant message to send: the API needs at least one user message "
            "besides the system prompt"
        )
    return system, turns
