"""Where cache breakpoints go in a neutral request: the one home of automatic prompt caching.

A request whose :attr:`~aimlapi_core.ChatRequest.prompt_caching` is set (both adapters'
``prompt_caching="auto"``, LangChain's ``AIMLAPIPromptCachingMiddleware``) gets its breakpoints
here, from the encoder, on either dialect (docs/wire.md "Prompt caching"):

- the API caches the prompt prefix that ends at a block carrying ``cache_control``, in the
  order tools, system, messages; a later request that repeats the prefix reads it (0.1x the
  input price) instead of paying for it again (a write costs 1.25x, 2x for the 1-hour TTL);
- so the conversation tail is marked (its last block that can carry a hint: text, image,
  document, search result, tool result): in an agent loop each request repeats the previous
  one and adds a turn, so what one request writes the next one reads;
- the system prompt and the last tool are marked too: a new conversation of the same agent
  (same tools, same instructions) still reads those;
- at most four breakpoints per request, the caller's own counted first: when fewer are free,
  the tail goes first, then the system prompt, then the tools;
- a breakpoint whose prefix is shorter than the model's minimum cacheable length
  (:func:`aimlapi_core.catalog.min_cacheable_tokens`, by the local estimate of
  :mod:`aimlapi_core.tokens`) would cache nothing and is not placed.

Where the model's schema takes no ``cache_control`` on the endpoint (every 4.x id on
``/chat/completions``), the request is sent without breakpoints and the policy's
``unsupported_model_behavior`` says so: ``"warn"`` (once per model and endpoint, through
:mod:`warnings`), ``"raise"`` (:class:`~aimlapi_core.errors.UnsupportedContentError` before any
request) or ``"ignore"``. A caller's own hints beyond four are refused before any request
(:func:`check_breakpoints`), as the API would answer 400.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from ._model_rules import cache_refusal
from ._types import (
    ChatRequest,
    DocumentPart,
    ImagePart,
    JSONObject,
    Message,
    Part,
    PromptCaching,
    SearchResultPart,
    TextPart,
    ToolResultPart,
)
from .catalog import min_cacheable_tokens
from .errors import InvalidRequestError, UnsupportedContentError
from .tokens import (
    MESSAGE_OVERHEAD,
    estimate_message_tokens,
    estimate_text_tokens,
    estimate_tool_tokens,
)

__all__ = ["MAX_BREAKPOINTS", "check_breakpoints", "count_breakpoints", "place_breakpoints"]

MAX_BREAKPOINTS = 4  # per request, system, tools and messages together

# The parts that carry a cache hint on the wire (wire/blocks.py ``with_cache``).
_CACHEABLE = (TextPart, ImagePart, DocumentPart, SearchResultPart, ToolResultPart)


def place_breakpoints(request: ChatRequest, api: str) -> ChatRequest:
    """``request`` with breakpoints placed by its ``prompt_caching`` policy (a new request:
    the caller's parts are never changed), or ``request`` itself when none is placed.

    Raises:
        UnsupportedContentError: the model takes no ``cache_control`` on ``api`` and the policy
            says ``unsupported_model_behavior="raise"``.
    """
    policy = request.prompt_caching
    if policy is None or not _supported(policy, request.model, api):
        return request
    free = MAX_BREAKPOINTS - count_breakpoints(request)
    if free <= 0:
        return request
    minimum = min_cacheable_tokens(request.model)
    choice = request.tool_choice.type if request.tool_choice else "auto"
    tools_end = estimate_tool_tokens(request.tools, choice)
    texts = [k for k, p in enumerate(request.system) if p.text]  # empty text is not sent
    system_end = tools_end
    if texts:
        system_end += MESSAGE_OVERHEAD + sum(estimate_text_tokens(p.text) for p in request.system)
    tail = _tail(request.messages)
    marks: list[str] = []
    if tail is not None:
        i, j = tail
        tail_end = system_end + sum(estimate_message_tokens(m) for m in request.messages[: i + 1])
        if tail_end >= minimum and not _marked(request.messages[i].parts[j]):
            marks.append("tail")
    if texts and system_end >= minimum and not request.system[texts[-1]].cache_control:
        marks.append("system")
    if request.tools and tools_end >= minimum and not request.tools[-1].cache_control:
        marks.append("tools")
    marks = marks[:free]
    if not marks:
        return request
    control = policy.cache_control
    changes: dict[str, Any] = {}
    if "tail" in marks and tail is not None:
        changes["messages"] = _mark_part(request.messages, *tail, control)
    if "system" in marks:
        last = texts[-1]
        changes["system"] = [
            replace(p, cache_control=dict(control)) if k == last else p
            for k, p in enumerate(request.system)
        ]
    if "tools" in marks:
        tools = list(request.tools)
        tools[-1] = replace(tools[-1], cache_control=dict(control))
        changes["tools"] = tools
    return replace(request, **changes)


def count_breakpoints(request: ChatRequest) -> int:
    """The cache hints a request carries: system blocks, tools, and every block of every
    message (those inside tool results and search results included)."""
    hints = sum(1 for p in request.system if p.cache_control)
    hints += sum(1 for tool in request.tools if tool.cache_control)
    return hints + sum(1 for message in request.messages for _ in _hints(message.parts))


def check_breakpoints(request: ChatRequest) -> None:
    """Refuse a request with more than four cache hints before it is sent (the API's 400)."""
    count = count_breakpoints(request)
    if count > MAX_BREAKPOINTS:
        raise InvalidRequestError(
            f"the request carries {count} cache_control breakpoints; the API takes at most "
            f"{MAX_BREAKPOINTS} per request (system, tools and messages together): remove "
            f"{count - MAX_BREAKPOINTS}, keeping the one at the end of the prefix you repeat"
        )


def _hints(parts: list[Part] | list[TextPart]) -> Iterator[Part]:
    for part in parts:
        if getattr(part, "cache_control", None):
            yield part
        if isinstance(part, (ToolResultPart, SearchResultPart)):
            yield from _hints(part.content)  # type: ignore[arg-type]


def _supported(policy: PromptCaching, model: str, api: str) -> bool:
    refusal = cache_refusal(model, api)
    if refusal is None:
        return True
    behavior = policy.unsupported_model_behavior
    if behavior == "raise":
        raise UnsupportedContentError(f"prompt_caching: {refusal}")
    if behavior == "warn":
        # One location and one text per model and endpoint: Python's default filter shows it
        # once, not on every turn of an agent loop.
        warnings.warn(
            f"prompt_caching places no cache breakpoint here: {refusal} (to silence this, "
            "pass unsupported_model_behavior='ignore')",
            UserWarning,
            stacklevel=2,
        )
    return False


def _tail(messages: list[Message]) -> tuple[int, int] | None:
    """(message, part) of the last block that can carry a hint, newest message first."""
    for i in range(len(messages) - 1, -1, -1):
        parts = messages[i].parts
        for j in range(len(parts) - 1, -1, -1):
            part = parts[j]
            if isinstance(part, _CACHEABLE) and not (isinstance(part, TextPart) and not part.text):
                return i, j
    return None


def _marked(part: Part) -> bool:
    return bool(getattr(part, "cache_control", None))


def _mark_part(messages: list[Message], i: int, j: int, control: JSONObject) -> list[Message]:
    out = list(messages)
    parts = list(out[i].parts)
    part = parts[j]
    assert isinstance(part, _CACHEABLE)  # _tail picked it so
    parts[j] = replace(part, cache_control=dict(control))
    out[i] = replace(out[i], parts=parts)
    return out
