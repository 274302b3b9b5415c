"""Per-model input rules: refuse, before any request, what the chosen model's schema forbids.

The dialect-wide rules live in ``_rules.py`` (what any model takes on an endpoint); this module
holds the rules that differ per model, read from the catalogue (``catalog.json``, generated from
the gateway's request schemas; see ``scripts/build_catalog.py`` for how each schema was read).
:func:`check_model_allows` is called once by the encoder, for both dialects.

Only ids the docs list are checked. An id the catalogue does not know is sent as it is: the
gateway adds models faster than its docs (and this library) list them, and the server is the
judge of a model it serves; refusing it here would block a working model for want of a table
row. The catalogue's family fallback (:func:`aimlapi_core.catalog.model_info`) is advice for
profiles, never a reason to refuse.

Each refusal names the model, what its schema lacks, and the nearest documented alternative:
the same model on the other endpoint when that one allows it, and the nearest documented model
that allows it on the chosen endpoint (same family first, then the closest generation, newer
before older).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

from ._types import (
    ChatRequest,
    DocumentPart,
    ImagePart,
    RedactedThinkingPart,
    SearchResultPart,
    ServerToolCallPart,
    ServerToolResultPart,
    ServerToolSpec,
    TextPart,
    ToolResultPart,
)
from .catalog import (
    Capabilities,
    ModelDeprecationWarning,
    ModelInfo,
    _generation_key,
    documented_models,
    lookup,
)
from .errors import InvalidRequestError, UnsupportedContentError

__all__ = ["cache_refusal", "check_model_allows"]

_ENDPOINT = {"chat_completions": "/chat/completions", "messages": "/messages"}


def check_model_allows(request: ChatRequest, api: str) -> None:
    """Raise if ``request`` asks ``request.model`` for something its ``api`` schema lacks.

    Example:
        >>> from aimlapi_core._types import ChatRequest, DocumentPart, Message
        >>> doc = DocumentPart(media_type="text/plain", data="hi")
        >>> request = ChatRequest(model="claude-3-7-sonnet-20250219", max_tokens=64,
        ...     messages=[Message(role="user", parts=[doc])])
        >>> check_model_allows(request, "chat_completions")
        Traceback (most recent call last):
        ...
        aimlapi_core.errors.UnsupportedContentError: on /chat/completions, claude-3-7-sonnet-...
    """
    info = lookup(request.model)
    caps = info.on(api) if info is not None else None
    if info is None or caps is None:
        return  # undocumented: the server decides (module docstring)
    if info.deprecated is not None:
        _warn_deprecated(info.id, info.deprecated.successor)
    if (
        request.thinking_budget is not None
        or request.adaptive_thinking
        or request.thinking_display is not None
        or request.thinking_disabled
    ):
        _check_thinking(request, info, api, caps)
    _check_sampling(request, info, api, caps)
    _check_tool_fields(request, info, api, caps)
    kinds = _kinds(request) if _scans(caps) else frozenset()
    _check_server_tools(request, info, api, caps, kinds)
    if not caps.search_results and SearchResultPart in kinds:
        raise UnsupportedContentError(
            _refusal(info, api, "search_result blocks", "no search_result block",
                     lambda c: c.search_results)
        )  # fmt: skip
    if not caps.system_citations and any(p.citations for p in request.system):
        raise UnsupportedContentError(
            _refusal(info, api, "citations on the system prompt", "no citations on system text",
                     lambda c: c.system_citations)
        )  # fmt: skip
    if not caps.images and ImagePart in kinds:
        raise UnsupportedContentError(
            _refusal(info, api, "images", "no image block", lambda c: c.images)
        )
    if not caps.documents and DocumentPart in kinds:
        raise UnsupportedContentError(
            _refusal(info, api, "documents", "no document block", lambda c: c.documents)
        )
    if not caps.document_urls and _DOCUMENT_URL in kinds:
        # docs/wire.md "Content parts": source.type "url" where the schema's document lists it.
        raise UnsupportedContentError(
            _refusal(info, api, "documents fetched from a URL",
                     "no document source of type 'url'", lambda c: c.document_urls)
        )  # fmt: skip
    if not caps.tool_result_documents and _DOCUMENT_IN_RESULT in kinds:
        raise UnsupportedContentError(
            _refusal(info, api, "documents inside a tool result",
                     "no document block in tool_result content",
                     lambda c: c.tool_result_documents)
        )  # fmt: skip
    if not caps.redacted_thinking and RedactedThinkingPart in kinds:
        raise UnsupportedContentError(
            _refusal(info, api, "redacted thinking blocks", "no redacted_thinking block",
                     lambda c: c.redacted_thinking)
        )  # fmt: skip
    where = _cached(request) if not caps.cache_control else None
    if where is not None:
        raise UnsupportedContentError(
            _refusal(info, api, f"cache_control on {where}", "no cache_control",
                     lambda c: c.cache_control)
        )  # fmt: skip


def cache_refusal(model: str, api: str) -> str | None:
    """Why ``model`` cannot cache on ``api`` (its schema there takes no ``cache_control``),
    with the fixes; ``None`` where it can, or where the id is undocumented (the server decides).
    """
    info = lookup(model)
    caps = info.on(api) if info is not None else None
    if info is None or caps is None or caps.cache_control:
        return None
    return _refusal(info, api, "cache_control", "no cache_control", lambda c: c.cache_control)


def _check_thinking(request: ChatRequest, info: ModelInfo, api: str, caps: Capabilities) -> None:
    """Thinking kinds per model: ``enabled`` (a budget) on every thinking model, ``adaptive``
    and ``display`` only where the schema lists them (the 5-series, Opus 4.8, the -latest ids,
    and /messages for 4.x; not the 4.x chat schemas: docs/wire.md "Thinking")."""
    if request.thinking_budget is not None and "enabled" not in caps.thinking:
        raise InvalidRequestError(
            _refusal(info, api, "extended thinking", "no thinking for this model",
                     lambda c: "enabled" in c.thinking)
        )  # fmt: skip
    if request.adaptive_thinking and "adaptive" not in caps.thinking:
        raise InvalidRequestError(
            _refusal(info, api, "adaptive thinking", "no thinking type 'adaptive'",
                     lambda c: "adaptive" in c.thinking)
        )  # fmt: skip
    if request.thinking_disabled and not caps.thinking_disabled:
        raise InvalidRequestError(
            _refusal(info, api, "thinking {'type': 'disabled'}", "no thinking type 'disabled'",
                     lambda c: c.thinking_disabled)
        )  # fmt: skip
    if request.thinking_display is not None and not caps.thinking_display:
        raise InvalidRequestError(
            _refusal(info, api, "thinking display", "no thinking.display",
                     lambda c: c.thinking_display)
        )  # fmt: skip


def _check_sampling(request: ChatRequest, info: ModelInfo, api: str, caps: Capabilities) -> None:
    """temperature / top_p / top_k only where the model's schema lists them: Opus 4.7+, the
    5-series and the -latest ids list none (judgement "sampling-per-model"; refused, not
    dropped: docs/wire.md "Sampling")."""
    for name in ("temperature", "top_p", "top_k"):
        if getattr(request, name) is not None and name not in caps.sampling:
            raise InvalidRequestError(
                _refusal(info, api, name, f"no {name}",
                         lambda c, name=name: name in c.sampling)  # type: ignore[misc]
            )  # fmt: skip


def _check_tool_fields(request: ChatRequest, info: ModelInfo, api: str, caps: Capabilities) -> None:
    """A custom tool's optional fields (``strict``, ``eager_input_streaming``, ...) only where
    the model's schema lists them on a custom tool (docs/wire.md "Tools")."""
    for tool in request.tools:
        if isinstance(tool, ServerToolSpec):
            continue
        for name in tool.wire_fields():
            if name not in caps.tool_fields:
                raise InvalidRequestError(
                    _refusal(info, api, f"{name!r} on tool {tool.name!r}",
                             f"no {name} on custom tools",
                             lambda c, name=name: name in c.tool_fields)  # type: ignore[misc]
                )  # fmt: skip


_warned: set[str] = set()


def _warn_deprecated(model: str, successor: str) -> None:
    """Once per id and process: the call is still sent (the server decides)."""
    if model in _warned:
        return
    _warned.add(model)
    warnings.warn(
        f"{model} is deprecated: the gateway's model table lists it as no longer available "
        f"for API calls; use {successor} instead (the request is sent anyway)",
        ModelDeprecationWarning,
        stacklevel=2,
    )


def _check_server_tools(
    request: ChatRequest, info: ModelInfo, api: str, caps: Capabilities, kinds: frozenset[object]
) -> None:
    """Server tools by type, as the schema lists them; their blocks replayed only where the
    schema has server tools at all."""
    for tool in request.tools:
        if isinstance(tool, ServerToolSpec) and tool.type not in caps.server_tools:
            kind = tool.type
            listed = ", ".join(caps.server_tools) or "none"
            raise InvalidRequestError(
                _refusal(info, api, f"server tool {kind!r}",
                         f"server tool types: {listed}",
                         lambda c, kind=kind: kind in c.server_tools)  # type: ignore[misc]
            )  # fmt: skip
    if not caps.server_tools and (ServerToolCallPart in kinds or ServerToolResultPart in kinds):
        raise UnsupportedContentError(
            _refusal(info, api, "server tool blocks in the history",
                     "no server tools", lambda c: bool(c.server_tools))
        )  # fmt: skip


# The part classes whose presence some schema refuses, anywhere in a message (a tool result's
# content included); server tool blocks only count at the top level of a message, and a
# document inside a tool result, or one the API fetches from a URL, is marked as well.
_CONTENT = (SearchResultPart, ImagePart, DocumentPart, RedactedThinkingPart)
_SERVER_BLOCKS = (ServerToolCallPart, ServerToolResultPart)
_REFUSABLE = _CONTENT + _SERVER_BLOCKS
_DOCUMENT_IN_RESULT = "document in a tool result"
_DOCUMENT_URL = "document from a url"


def _scans(caps: Capabilities) -> bool:
    """Whether any content check of :func:`check_model_allows` can fail for ``caps``: a schema
    that takes every block kind (most /messages schemas) needs no walk over the parts."""
    return not (
        caps.search_results
        and caps.images
        and caps.documents
        and caps.tool_result_documents
        and caps.document_urls
        and caps.redacted_thinking
        and caps.server_tools
    )


def _kinds(request: ChatRequest) -> frozenset[object]:
    """The refusable part classes the request's messages hold (by ``isinstance``, as the checks
    always were), :data:`_DOCUMENT_IN_RESULT` for a document in a tool result and
    :data:`_DOCUMENT_URL` for a document from a URL: one walk over the parts serves every
    check."""
    found: set[object] = set()
    for message in request.messages:
        for part in message.parts:
            if isinstance(part, _REFUSABLE):
                found.update(k for k in _REFUSABLE if isinstance(part, k))
                if isinstance(part, DocumentPart) and part.url is not None:
                    found.add(_DOCUMENT_URL)
            elif isinstance(part, ToolResultPart):
                for inner in part.content:
                    if isinstance(inner, _CONTENT):
                        found.update(k for k in _CONTENT if isinstance(inner, k))
                    if isinstance(inner, DocumentPart):
                        found.add(_DOCUMENT_IN_RESULT)
                        if inner.url is not None:
                            found.add(_DOCUMENT_URL)
    return frozenset(found)


_WHERE = {
    TextPart: "a text block",
    ImagePart: "an image",
    DocumentPart: "a document",
    SearchResultPart: "a search result",
}


def _cached(request: ChatRequest) -> str | None:
    """Where the request first asks for caching, in the encoder's words; None if nowhere."""
    if any(p.cache_control for p in request.system):
        return "the system prompt"
    for tool in request.tools:
        if tool.cache_control:
            return f"tool {tool.name!r}"
    for i, message in enumerate(request.messages):
        for part in message.parts:
            inner = part.content if isinstance(part, ToolResultPart) else []
            if isinstance(part, ToolResultPart) and part.cache_control:
                return f"a tool result in messages[{i}]"
            for p in [part, *inner]:
                if getattr(p, "cache_control", None):
                    what = _WHERE.get(type(p), "a block")
                    return f"{what} {'of' if what == 'a text block' else 'in'} messages[{i}]"
    return None


def _refusal(
    info: ModelInfo, api: str, what: str, lacks: str, allows: Callable[[Capabilities], bool]
) -> str:
    caps = info.on(api)
    schema = caps.schema if caps is not None else "?"
    named = info.id if info.id == info.canonical else f"{info.id} ({info.canonical})"
    fixes: list[str] = []
    other = "messages" if api == "chat_completions" else "chat_completions"
    other_caps = info.on(other)
    if other_caps is not None and allows(other_caps):
        fixes.append(f"use api={other!r} (its {_ENDPOINT[other]} schema allows it)")
    nearest = _nearest_allowing(info, api, allows)
    if nearest is not None:
        fixes.append(f"use a model that allows it on {_ENDPOINT[api]}, such as {nearest}")
    fixes.append("or remove it from the request")
    return (
        f"on {_ENDPOINT[api]}, {named} does not accept {what}: its schema there has {lacks} "
        f"(the catalogue's reading of {schema}, docs/schemas/); " + "; ".join(fixes)
    )


def _nearest_allowing(
    info: ModelInfo, api: str, allows: Callable[[Capabilities], bool]
) -> str | None:
    # A model without a generation (a -latest id) counts as the newest: "99".
    here = _generation_key(info.generation or "99")

    def rank(m: ModelInfo) -> tuple[int, int, int, int]:
        there = _generation_key(m.generation or "99")
        distance = abs((there[0] - here[0]) * 10 + there[1] - here[1])
        return (m.family != info.family, m.generation is None, distance, there < here)

    candidates = [
        m
        for m in documented_models()
        if m.canonical != info.canonical and (c := m.on(api)) is not None and allows(c)
    ]
    return min(candidates, key=rank).id if candidates else None
