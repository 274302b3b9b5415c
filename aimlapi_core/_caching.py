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
from typing import Any, TypeAlias

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

# Where a hint sits in the prompt: (0, tool) | (1, system block) | (2, message, part, 0, inner)
# for a block inside a tool or search result, (2, message, part, 1) for the part itself.
Position: TypeAlias = tuple[int, ...]


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
    taken = list(_hints(request))
    if len(taken) >= MAX_BREAKPOINTS:
        return request
    minimum = min_cacheable_tokens(request.model)
    choice = request.tool_choice.type if request.tool_choice else "auto"
    tools_end = estimate_tool_tokens(request.tools, choice)
    texts = [k for k, p in enumerate(request.system) if p.text]  # empty text is not sent
    system_end = tools_end
    if texts:
        system_end += MESSAGE_OVERHEAD + sum(estimate_text_tokens(p.text) for p in request.system)
    tail = _tail(request.messages)
    # Candidates in the order they are worth most, each with its place in the prompt.
    candidates: list[tuple[str, Position]] = []
    if tail is not None:
        i, j = tail
        tail_end = system_end + sum(estimate_message_tokens(m) for m in request.messages[: i + 1])
        if tail_end >= minimum and not _marked(request.messages[i].parts[j]):
            candidates.append(("tail", (2, i, j, 1)))
    if texts and system_end >= minimum and not request.system[texts[-1]].cache_control:
        candidates.append(("system", (1, texts[-1])))
    if request.tools and tools_end >= minimum and not request.tools[-1].cache_control:
        candidates.append(("tools", (0, len(request.tools) - 1)))
    # Within the four, and never where the API would refuse the TTLs' order (the caller's
    # own 1-hour or 5-minute choices win over the policy's).
    placed: list[tuple[Position, str]] = [(at, _ttl(hint)) for at, hint in taken]
    marks: set[str] = set()
    for name, at in candidates:
        trial = sorted([*placed, (at, policy.ttl)])
        if len(trial) <= MAX_BREAKPOINTS and _ttls_in_order([ttl for _, ttl in trial]):
            placed, marks = trial, marks | {name}
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
    """The cache hints a request carries: tools, system blocks, and every block of every
    message (those inside tool results and search results included)."""
    return sum(1 for _ in _hints(request))


def check_breakpoints(request: ChatRequest) -> None:
    """Refuse, before it is sent, what the API answers 400: more than four cache hints, or a
    1-hour one after a 5-minute one (longer TTLs come first in the prompt)."""
    hints = [hint for _, hint in _hints(request)]
    if len(hints) > MAX_BREAKPOINTS:
        raise InvalidRequestError(
            f"the request carries {len(hints)} cache_control breakpoints; the API takes at most "
            f"{MAX_BREAKPOINTS} per request (tools, system and messages together): remove "
            f"{len(hints) - MAX_BREAKPOINTS}, keeping the one at the end of the prefix you repeat"
        )
    if not _ttls_in_order([_ttl(hint) for hint in hints]):
        raise InvalidRequestError(
            "a cache_control with ttl '1h' comes after one with ttl '5m' (tools, system, "
            "messages order); the API takes 1-hour breakpoints before 5-minute ones: use one "
            "ttl, or move the 1-hour breakpoints first"
        )


def _hints(request: ChatRequest) -> Iterator[tuple[Position, Any]]:
    """Every cache hint of the request with its position, in prompt order."""
    for k, tool in enumerate(request.tools):
        if tool.cache_control:
            yield (0, k), tool.cache_control
    for k, text in enumerate(request.system):
        if text.cache_control:
            yield (1, k), text.cache_control
    for i, message in enumerate(request.messages):
        for j, part in enumerate(message.parts):
            if isinstance(part, (ToolResultPart, SearchResultPart)):
                for n, inner in enumerate(part.content):
                    if inner.cache_control:
                        yield (2, i, j, 0, n), inner.cache_control
            control = getattr(part, "cache_control", None)
            if control:
                yield (2, i, j, 1), control


def _ttl(hint: Any) -> str:
    ttl = hint.get("ttl", "5m") if isinstance(hint, dict) else "5m"
    return ttl if isinstance(ttl, str) else "5m"


def _ttls_in_order(ttls: list[str]) -> bool:
    return not ("5m" in ttls and "1h" in ttls[ttls.index("5m") :])


# (model, api) pairs already warned about (unsupported_model_behavior="warn").
_WARNED: set[tuple[str, str]] = set()


def _supported(policy: PromptCaching, model: str, api: str) -> bool:
    refusal = cache_refusal(model, api)
    if refusal is None:
        return True
    behavior = policy.unsupported_model_behavior
    if behavior == "raise":
        raise UnsupportedContentError(f"prompt_caching: {refusal}")
    if behavior == "warn" and (model, api) not in _WARNED:
        # Once per model and endpoint in a process, not on every turn of an agent loop. Kept
        # here rather than left to Python's warning registry, which any catch_warnings() in a
        # framework resets (older langchain releases do so on every agent step).
        _WARNED.add((model, api))
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
