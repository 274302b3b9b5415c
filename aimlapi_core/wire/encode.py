"""Request encoding shared by both dialects: both send Anthropic-shaped bodies.

``/chat/completions`` for Claude takes the seed format (top-level ``system``, ``stop_sequences``,
Anthropic tools and content blocks; docs/wire.md "Request on /chat/completions"); ``/messages``
takes Anthropic's Messages API. They differ in a few switches (:class:`DialectContent`): the
chat-completions specs forbid extra keys on content blocks (``additionalProperties: false`` in
``docs/schemas/claude-4-sonnet.json``), so ``cache_control`` and document titles go only to
/messages.

This module assembles the body and holds the request-level rules (sampling, thinking, tools,
tool choice) and the :class:`DialectContent` per model; the content (system prompt, messages,
their blocks) is encoded by ``blocks.py``.

Every rule the API would answer with a 400 is checked here first, and the error says how to fix
the request. Nulls and empty lists are never sent (several models answer 400:
docs/wire.md "Request on /chat/completions").
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Any

from aimlapi_core import _rules as rules
from aimlapi_core._caching import check_breakpoints, place_breakpoints
from aimlapi_core._model_rules import check_model_allows
from aimlapi_core._rules import DialectContent
from aimlapi_core._schema import tool_input_schema
from aimlapi_core._types import ChatRequest, ServerToolSpec
from aimlapi_core.catalog import capabilities
from aimlapi_core.errors import InvalidRequestError

from .blocks import encode_messages, encode_system, with_cache

__all__ = ["DialectContent", "encode_request"]


def encode_request(
    request: ChatRequest, *, stream: bool, dialect_content: DialectContent
) -> dict[str, Any]:
    _validate_sampling(request)
    if request.prompt_caching is not None:
        request = place_breakpoints(request, dialect_content.name)  # _caching.py: where they go
    check_breakpoints(request)
    check_model_allows(request, dialect_content.name)  # per-model schema rules (_model_rules.py)
    dialect_content = _content_for_model(dialect_content, request.model)
    body: dict[str, Any] = {
        "model": request.model,
        "messages": encode_messages(request.messages, dialect_content),
    }
    system = encode_system(request.system, dialect_content)
    if system:
        body["system"] = system
    body["max_tokens"] = request.max_tokens
    if request.temperature is not None:
        body["temperature"] = request.temperature
    if request.top_p is not None:
        body["top_p"] = request.top_p
    if request.top_k is not None:
        body["top_k"] = request.top_k
    if request.stop_sequences:
        body["stop_sequences"] = list(request.stop_sequences)
    if stream:
        body["stream"] = True
    if request.metadata:
        body["metadata"] = dict(request.metadata)
    if request.tools:
        body["tools"] = _tools(request, dialect_content)
    if request.tool_choice is not None:
        tool_choice = _tool_choice(request)
        if tool_choice is not None:
            body["tool_choice"] = tool_choice
    if request.adaptive_thinking or request.thinking_budget is not None:
        body["thinking"] = _thinking(request)
    elif request.thinking_disabled:
        body["thinking"] = {"type": "disabled"}  # where the schema lists it (_model_rules.py)
    if request.extra_body:
        body.update(request.extra_body)
    return body


def _content_for_model(dialect_content: DialectContent, model: object) -> DialectContent:
    """``dialect_content`` as it applies to ``model``: a pure function of the two (the catalogue
    is read-only), so it is computed once per (dialect_content, model) pair, not per request."""
    if isinstance(model, str):
        return _content_for_model_cached(dialect_content, model)
    # Not hashable in general; undocumented anyway.
    return _derive_content_for_model(dialect_content, model)


def _derive_content_for_model(dialect_content: DialectContent, model: object) -> DialectContent:
    caps = capabilities(model, dialect_content.name)
    # The 4.x chat schemas forbid cache_control; the 5-series and -latest chat schemas allow it
    # (docs/wire.md "Prompt caching"). A documented model that forbids it was refused by
    # check_model_allows; a documented one that allows it, or an id the docs do not list (the
    # server decides, as for every per-model rule), may carry it.
    block_cache_control = dialect_content.block_cache_control or caps is None or caps.cache_control
    # Judgement (docs/wire.md "Citations"): an answer's citations are replayed with its text
    # where the model's schema types text blocks with citations (the schemas that list
    # citations on system text; the 4.x chat schemas forbid any extra key on a text block),
    # and only Claude's own *_location objects (the chat endpoint's OpenAI url_citation
    # annotations are not a Claude citation). Elsewhere the text alone is replayed: citations
    # are the earlier answer's metadata, kept for the caller, not input the model needs.
    replay_citations = caps is None or caps.system_citations
    return replace(
        dialect_content, block_cache_control=block_cache_control, replay_citations=replay_citations
    )


# Bounded like catalog._lookup: model ids come from callers, and DIALECT_CONTENT holds two.
_content_for_model_cached = lru_cache(maxsize=512)(_derive_content_for_model)


# --------------------------------------------------------------------------- validation


def validate_settings(request: ChatRequest) -> None:
    """The request's sampling and thinking settings against the API's rules (also run by the
    adapters at construction, through ``_config.check_settings``)."""
    _validate_sampling(request)


def _validate_sampling(request: ChatRequest) -> None:
    if not request.model:
        raise InvalidRequestError("model is empty: pass a model id such as 'claude-sonnet-4'")
    if not request.messages:
        raise InvalidRequestError("messages is empty: the API needs at least one user message")
    if request.max_tokens < 1:
        raise InvalidRequestError(f"max_tokens must be at least 1, got {request.max_tokens}")
    temperature, top_p = request.temperature, request.top_p
    if temperature is not None and not 0 <= temperature <= 1:
        raise _out_of_range("temperature", temperature)
    if top_p is not None and not 0 <= top_p <= 1:
        raise _out_of_range("top_p", top_p)
    budget, adaptive = request.thinking_budget, request.adaptive_thinking
    if request.thinking_disabled and (adaptive or budget is not None):
        raise InvalidRequestError(
            "thinking is disabled and on at once: pass {'type': 'disabled'} or a thinking kind"
        )
    if budget is None and not adaptive and request.thinking_display is None:
        return  # thinking off: check_thinking has nothing to refuse, nor check_forced_choice
    rules.check_thinking(
        budget=budget,
        adaptive=adaptive,
        display=request.thinking_display,
        max_tokens=request.max_tokens,
        temperature=temperature,
    )
    rules.check_forced_choice(request.tool_choice, thinking=adaptive or budget is not None)


def _out_of_range(name: str, value: float) -> InvalidRequestError:
    return InvalidRequestError(
        f"{name} must be between 0 and 1 for Claude models, got {value}; use a value in [0, 1]"
    )


def _thinking(request: ChatRequest) -> dict[str, Any] | None:
    """The ``thinking`` object: ``enabled`` with a budget, or ``adaptive`` (the newer schemas;
    the model decides how much to think), each with an optional ``display``
    (docs/wire.md "Thinking")."""
    if request.adaptive_thinking:
        out: dict[str, Any] = {"type": "adaptive"}
    elif request.thinking_budget is not None:
        out = {"type": "enabled", "budget_tokens": request.thinking_budget}
    else:
        return None
    if request.thinking_display is not None:
        out["display"] = request.thinking_display
    return out


def _tools(request: ChatRequest, dialect_content: DialectContent) -> list[dict[str, Any]]:
    rules.check_tool_names(tool.name for tool in request.tools)
    out: list[dict[str, Any]] = []
    for tool in request.tools:
        if isinstance(tool, ServerToolSpec):
            # Server tools are sent as documented: type, name and their own fields
            # (docs/wire.md "Server tools"); the catalogue checked the type (_model_rules.py).
            server: dict[str, Any] = {"type": tool.type, "name": tool.name, **tool.options}
            out.append(
                with_cache(server, tool.cache_control, dialect_content, f"tool {tool.name!r}")
            )
            continue
        wire: dict[str, Any] = {"name": tool.name}
        if tool.description:
            wire["description"] = tool.description
        wire["input_schema"] = tool_input_schema(tool.name, tool.input_schema)
        wire.update(tool.wire_fields())  # each checked against the model's schema first
        out.append(with_cache(wire, tool.cache_control, dialect_content, f"tool {tool.name!r}"))
    return out


def _tool_choice(request: ChatRequest) -> dict[str, Any] | None:
    choice = rules.check_tool_choice(
        request.tool_choice,
        [t.name for t in request.tools],
        thinking=request.adaptive_thinking or request.thinking_budget is not None,
    )
    return None if choice is None else rules.tool_choice_dict(choice)
