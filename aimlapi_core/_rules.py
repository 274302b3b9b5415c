"""Input rules: one home for every rule about what a caller may ask for.

Both adapters call these functions while they translate framework types (so a mistake is
reported at ``bind_tools`` / construction time, naming the framework's block), and the encoder
calls the same functions as the final check before any I/O. One function, one wording: the same
mistake gives the same error type and words in LangChain, LlamaIndex and the core.

The rules and where ``docs/wire.md`` records the doc pages they rest on:

* tool choice ("Tools") — ``{"type": "auto" | "any" | "tool" | "none"}`` plus
  ``disable_parallel_tool_use``; the spellings people pass (OpenAI's ``"required"`` and
  ``{"type": "function", ...}``, ``True`` / ``False``, a bare tool name) are parsed here, once.
* thinking ("Thinking") — ``{"type": "enabled", "budget_tokens": N}`` with
  ``1024 <= N < max_tokens``, or ``{"type": "adaptive"}``, either with ``display``; with thinking
  of either kind on, no forced tool choice and no temperature other than 1. Which model takes
  which kind is per model (``_model_rules.py``).
* tool names ("Tools") — ``^[a-zA-Z0-9_-]{1,64}$``, and unique.
* data URIs ("Content parts") — RFC 2397, both forms (:func:`parse_data_uri` says why
  non-base64 is accepted).
* media types ("Content parts") — the four image and two document types the Claude specs list.
* which content each dialect carries ("Content parts") — :data:`DIALECT_CONTENT`.

Rules that differ per model (images, documents, thinking on one model's schema) are
``_model_rules.py``'s, read from the catalogue; these hold for every model.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any, Literal, get_args
from urllib.parse import unquote_to_bytes

from ._types import ImageMediaType, ToolChoice
from .errors import AIMLAPIError, InvalidRequestError, UnsupportedContentError

__all__ = [
    "DIALECT_CONTENT",
    "DOCUMENT_MEDIA_TYPES",
    "IMAGE_MEDIA_TYPES",
    "MIN_THINKING_BUDGET",
    "DataURI",
    "DialectContent",
    "ThinkingSetting",
    "block_str",
    "caller_input",
    "check_document_media_type",
    "check_forced_choice",
    "check_image_media_type",
    "check_thinking",
    "check_thinking_budget",
    "check_tool_choice",
    "check_tool_name",
    "check_tool_names",
    "parse_data_uri",
    "parse_tool_choice",
    "resolve_tool_choice",
    "thinking_budget",
    "thinking_setting",
    "tool_arguments",
    "tool_choice_dict",
    "with_parallel",
]

# --------------------------------------------------------------------------- media types

# "API only support BASE64 String as Image input" with these four media types (the image block
# of every Claude chat spec, e.g. Anthropic__claude-4-sonnet.json); ImageMediaType is the source.
IMAGE_MEDIA_TYPES: frozenset[str] = frozenset(get_args(ImageMediaType))
# The document block's sources: base64 application/pdf, or text/plain (Claude 4.x chat specs
# and the Messages spec).
DOCUMENT_MEDIA_TYPES: frozenset[str] = frozenset({"application/pdf", "text/plain"})


def check_image_media_type(media_type: str | None, where: str) -> str:
    """``media_type`` if the API takes it, else ``UnsupportedContentError`` naming the four."""
    if media_type not in IMAGE_MEDIA_TYPES:
        raise UnsupportedContentError(
            f"{where}: image media type {media_type!r} is not supported; the API takes "
            f"{', '.join(sorted(IMAGE_MEDIA_TYPES))}: convert the image first"
        )
    return media_type


def check_document_media_type(media_type: str | None, where: str) -> str:
    """``media_type`` if the API takes it as a document, else ``UnsupportedContentError``."""
    if media_type not in DOCUMENT_MEDIA_TYPES:
        raise UnsupportedContentError(
            f"{where}: document media type {media_type!r} is not supported; send "
            "application/pdf (base64) or text/plain"
        )
    return media_type


# --------------------------------------------------------------------------- data URIs


@dataclass(frozen=True, slots=True)
class DataURI:
    media_type: str | None  # None when the URI names none
    data: str  # base64, without the ``data:`` prefix


_DATA_URI = re.compile(r"^data:(?P<params>[^,]*),(?P<payload>.*)$", re.S)


def parse_data_uri(uri: str, where: str) -> DataURI:
    """A ``data:`` URI (RFC 2397) as its media type and base64 payload.

    Both forms are accepted. The API takes base64 only ("API only support BASE64 String as Image
    input", Claude specs), but that is the wire's form, not the caller's: a percent-encoded URI
    (``data:text/plain,hello%20world``) names the same bytes, which are sent base64-encoded. The
    core always accepted it; the adapters used to refuse it, which refused valid input for no
    reason. Invalid base64 is refused here rather than by the API with a 400.

    Example:
        >>> parse_data_uri("data:image/png;base64,iVBORw0KGgo=", "x")
        DataURI(media_type='image/png', data='iVBORw0KGgo=')
    """
    match = _DATA_URI.match(uri)
    if match is None:
        raise UnsupportedContentError(f"{where}: malformed data: URI {uri[:40]!r}… (no comma)")
    params = match.group("params").split(";")
    media_type = params[0].strip().lower() or None
    payload = match.group("payload")
    if "base64" in params[1:]:
        try:
            base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            raise UnsupportedContentError(
                f"{where}: data: URI {uri[:40]!r}… is not valid base64"
            ) from None
        return DataURI(media_type, payload)
    return DataURI(media_type, base64.b64encode(unquote_to_bytes(payload)).decode("ascii"))


# --------------------------------------------------------------------------- tool names

# tools[].name in every Claude spec (and Anthropic's API).
_TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


def check_tool_name(name: object) -> str:
    """``name`` if the API accepts it as a tool name, else ``UnsupportedContentError``."""
    if not isinstance(name, str) or not _TOOL_NAME.match(name):
        raise UnsupportedContentError(
            f"tool name {name!r} is not accepted: use 1-64 letters, digits, '_' or '-' "
            "(^[a-zA-Z0-9_-]{1,64}$); rename the tool"
        )
    return name


def check_tool_names(names: Iterable[object]) -> None:
    """Every name valid, none repeated (the API answers 400 "Tool names must be unique")."""
    seen: set[str] = set()
    repeated: list[str] = []
    for name in names:
        checked = check_tool_name(name)
        if checked in seen and checked not in repeated:
            repeated.append(checked)
        seen.add(checked)
    if repeated:
        raise InvalidRequestError(
            f"tool names must be unique; repeated: {', '.join(repeated)}: rename or drop one"
        )


# --------------------------------------------------------------------------- tool choice

# The words people use. OpenAI's "required" is Anthropic's "any".
_CHOICE_WORDS: Mapping[str, Any] = {"auto": "auto", "any": "any", "required": "any", "none": "none"}
_FORCED = ("any", "tool")


def parse_tool_choice(value: object) -> ToolChoice | None:
    """Every accepted spelling of a tool choice → :class:`ToolChoice` (``None`` stays ``None``).

    Accepted: a ``ToolChoice``; ``"auto"``, ``"any"``, ``"required"`` (= any), ``"none"``;
    ``True`` (= any) and ``False`` (= none); any other string, as the name of the tool to force;
    Anthropic's dicts (``{"type": "tool", "name": ...}`` etc., with
    ``disable_parallel_tool_use``); OpenAI's ``{"type": "function", "function": {"name": ...}}``.
    The words are never taken for tool names (older gateway integrations forced a tool called
    "required").

    Example:
        >>> parse_tool_choice("required")
        ToolChoice(type='any', name=None, disable_parallel_tool_use=False)
    """
    if value is None or isinstance(value, ToolChoice):
        return value
    if value is True:
        return ToolChoice(type="any")
    if value is False:
        return ToolChoice(type="none")
    if isinstance(value, str):
        word = _CHOICE_WORDS.get(value)
        return ToolChoice(type=word) if word else ToolChoice(type="tool", name=value)
    if isinstance(value, dict):
        kind = value.get("type")
        parallel = bool(value.get("disable_parallel_tool_use", False))
        if kind == "function":
            function = value.get("function")
            name = function.get("name") if isinstance(function, dict) else None
            if isinstance(name, str) and name:
                return ToolChoice(type="tool", name=name, disable_parallel_tool_use=parallel)
        elif kind == "tool":
            name = value.get("name")
            if isinstance(name, str) and name:
                return ToolChoice(type="tool", name=name, disable_parallel_tool_use=parallel)
        elif isinstance(kind, str) and kind in _CHOICE_WORDS:
            return ToolChoice(type=_CHOICE_WORDS[kind], disable_parallel_tool_use=parallel)
    raise InvalidRequestError(
        f"tool_choice {value!r} is not understood; use 'auto', 'any' (or 'required', True), "
        "'none' (or False), a tool name, {'type': 'tool', 'name': ...} or "
        "{'type': 'function', 'function': {'name': ...}}"
    )


def with_parallel(choice: ToolChoice | None, parallel: bool | None) -> ToolChoice | None:
    """Apply a framework's parallel-calls switch: ``False`` asks for at most one call a turn
    (``disable_parallel_tool_use``; an unset choice becomes ``auto``), ``True`` allows several,
    ``None`` leaves the choice as it is. ``none`` takes no flag (no call at all)."""
    if parallel is None:
        return choice
    if choice is None:
        choice = ToolChoice(type="auto")
    if choice.type == "none":
        return choice
    return replace(choice, disable_parallel_tool_use=not parallel)


def check_forced_choice(choice: ToolChoice | None, *, thinking: bool) -> None:
    """With thinking on, the API refuses a forced tool choice (``any`` / ``tool``) with a 400."""
    if thinking and choice is not None and choice.type in _FORCED:
        raise InvalidRequestError(
            f"tool_choice {choice.type!r} forces a tool call, which the API refuses while "
            "thinking is on; use tool_choice 'auto' (or none) or turn thinking off"
        )


def check_tool_choice(
    choice: ToolChoice | None, tool_names: Iterable[str], *, thinking: bool
) -> ToolChoice | None:
    """The choice to send, or ``None`` to send none.

    ``auto`` / ``none`` with no tools mean the same as no choice (and empty tool fields get a
    400), so they are not sent; a forced choice without tools, a choice naming a tool not
    offered, or a forced choice while thinking is on raise ``InvalidRequestError``.
    """
    if choice is None:
        return None
    check_forced_choice(choice, thinking=thinking)
    names = list(tool_names)
    if not names:
        if choice.type in ("auto", "none"):
            return None
        raise InvalidRequestError(
            f"tool_choice {choice.type!r} needs tools, but no tools were offered: pass the "
            "tools the model must choose from, or drop tool_choice"
        )
    if choice.type == "tool" and choice.name not in names:
        raise InvalidRequestError(
            f"tool_choice names tool {choice.name!r}, which is not among the tools offered "
            f"({', '.join(names)}); offer it or name one of those"
        )
    return choice


def resolve_tool_choice(
    value: object,
    tool_names: Iterable[str],
    *,
    thinking: bool,
    parallel: bool | None = None,
) -> ToolChoice | None:
    """:func:`parse_tool_choice`, :func:`with_parallel`, then :func:`check_tool_choice`."""
    return check_tool_choice(
        with_parallel(parse_tool_choice(value), parallel), tool_names, thinking=thinking
    )


def tool_choice_dict(choice: ToolChoice) -> dict[str, Any]:
    """Anthropic's form of a choice: what the wire carries and what LangChain binds."""
    out: dict[str, Any] = {"type": choice.type}
    if choice.type == "tool":
        out["name"] = choice.name
    if choice.disable_parallel_tool_use and choice.type != "none":
        out["disable_parallel_tool_use"] = True
    return out


# --------------------------------------------------------------------------- thinking

MIN_THINKING_BUDGET = 1024


def _enabled(value: Mapping[str, Any]) -> int | None:
    budget = value.get("budget_tokens")
    if isinstance(budget, int) and not isinstance(budget, bool):
        return budget
    raise _bad_thinking(value)


Display = Literal["summarized", "omitted"]
_DISPLAYS = ("summarized", "omitted")


@dataclass(frozen=True, slots=True)
class ThinkingSetting:
    """A ``thinking=`` setting read: a budget (``{"type": "enabled", ...}``), adaptive
    (``{"type": "adaptive"}``: the model decides how much to think; the newer schemas), or
    neither (off); ``display`` (``"summarized"`` | ``"omitted"``) on either kind."""

    budget: int | None = None
    adaptive: bool = False
    display: Display | None = None

    @property
    def on(self) -> bool:
        """Thinking of either kind (check_forced_choice counts both)."""
        return self.adaptive or self.budget is not None

    def request_fields(self) -> dict[str, Any]:
        """The :class:`~aimlapi_core.ChatRequest` fields this setting fills."""
        return {
            "thinking_budget": self.budget,
            "adaptive_thinking": self.adaptive,
            "thinking_display": self.display,
        }


def _display(value: Mapping[str, Any]) -> Display | None:
    display = value.get("display")
    if display is None:
        return None
    if display not in _DISPLAYS:
        raise InvalidRequestError(
            f"thinking display must be 'summarized' or 'omitted', got {display!r}"
        )
    return display  # type: ignore[no-any-return]


def _keys(value: Mapping[str, Any], known: set[str]) -> None:
    extra = set(value) - known
    if extra:
        raise InvalidRequestError(
            f"thinking {dict(value)!r} has unknown key(s) {sorted(extra)}; a "
            f"{value.get('type')!r} thinking object takes {sorted(known)}"
        )


def _enabled_form(value: Mapping[str, Any]) -> ThinkingSetting:
    _keys(value, {"type", "budget_tokens", "display"})
    return ThinkingSetting(budget=_enabled(value), display=_display(value))


def _adaptive_form(value: Mapping[str, Any]) -> ThinkingSetting:
    _keys(value, {"type", "display"})
    return ThinkingSetting(adaptive=True, display=_display(value))


def _disabled_form(value: Mapping[str, Any]) -> ThinkingSetting:
    _keys(value, {"type"})
    return ThinkingSetting()


# Anthropic's thinking objects by ``type`` (docs/wire.md "Thinking"): ``enabled`` with a budget,
# ``adaptive`` (the newer schemas, e.g. docs/schemas/claude-sonnet-5.json; which model takes it
# is the catalogue's per-model rule, _model_rules.py), ``disabled``.
_THINKING_FORMS: dict[str, Callable[[Mapping[str, Any]], ThinkingSetting]] = {
    "enabled": _enabled_form,
    "adaptive": _adaptive_form,
    "disabled": _disabled_form,
}


def _bad_thinking(value: object) -> InvalidRequestError:
    return InvalidRequestError(
        "thinking must be a token budget (int), 'adaptive', {'type': 'enabled', "
        "'budget_tokens': N} or {'type': 'adaptive'} (either dict with an optional 'display': "
        f"'summarized' or 'omitted'), or {{'type': 'disabled'}}, None, False; got {value!r}"
    )


def thinking_setting(value: object) -> ThinkingSetting:
    """What a ``thinking=`` setting asks for (both adapters read it here).

    Example:
        >>> thinking_setting({"type": "adaptive", "display": "omitted"})
        ThinkingSetting(budget=None, adaptive=True, display='omitted')
        >>> thinking_setting(2048).budget
        2048
    """
    if value is None or value is False:
        return ThinkingSetting()
    if isinstance(value, int) and not isinstance(value, bool):
        return ThinkingSetting(budget=value)
    if value == "adaptive":
        return ThinkingSetting(adaptive=True)
    if isinstance(value, dict):
        form = _THINKING_FORMS.get(value.get("type"))  # type: ignore[arg-type]
        if form is not None:
            return form(value)
    raise _bad_thinking(value)


def thinking_budget(value: object) -> int | None:
    """The thinking budget a ``thinking=`` setting asks for; ``None`` means no budget (off, or
    adaptive: see :func:`thinking_setting`).

    Example:
        >>> thinking_budget({"type": "enabled", "budget_tokens": 2048}), thinking_budget(None)
        (2048, None)
    """
    return thinking_setting(value).budget


def check_thinking(
    *,
    budget: int | None,
    adaptive: bool,
    display: str | None,
    max_tokens: int,
    temperature: float | None,
) -> None:
    """A request's thinking fields: one kind at most, a known display only with thinking on,
    the budget's range, and thinking's temperature rule (either kind)."""
    if adaptive and budget is not None:
        raise InvalidRequestError(
            "thinking is either adaptive or a token budget, not both: pass "
            "{'type': 'adaptive'} or {'type': 'enabled', 'budget_tokens': N}"
        )
    if display is not None:
        if display not in _DISPLAYS:
            raise InvalidRequestError(
                f"thinking display must be 'summarized' or 'omitted', got {display!r}"
            )
        if not adaptive and budget is None:
            raise InvalidRequestError(
                "thinking display was given with thinking off: turn thinking on "
                "(adaptive or a budget) or drop display"
            )
    if budget is not None:
        check_thinking_budget(budget, max_tokens=max_tokens, temperature=temperature)
    elif adaptive and temperature is not None and temperature != 1:
        raise InvalidRequestError(
            f"temperature {temperature} cannot be used with thinking: leave temperature "
            "unset (or 1) when thinking is on"
        )


def check_thinking_budget(budget: int, *, max_tokens: int, temperature: float | None) -> None:
    """The budget's documented range, and thinking's temperature rule."""
    if budget < MIN_THINKING_BUDGET:
        raise InvalidRequestError(
            f"thinking budget_tokens must be at least {MIN_THINKING_BUDGET}, got {budget}"
        )
    if budget >= max_tokens:
        raise InvalidRequestError(
            f"thinking budget_tokens ({budget}) must be less than max_tokens "
            f"({max_tokens}); raise max_tokens above the budget"
        )
    if temperature is not None and temperature != 1:
        raise InvalidRequestError(
            f"temperature {temperature} cannot be used with thinking: leave temperature "
            "unset (or 1) when thinking is enabled"
        )


# --------------------------------------------------------------------------- dialects


@dataclass(frozen=True, slots=True)
class DialectContent:
    """What a request's content may hold on one endpoint."""

    name: str
    block_cache_control: bool  # cache_control on content blocks and tools
    document_metadata: bool  # title / context on documents
    documents_in_tool_results: bool
    # An earlier answer's citations replayed on its text blocks; set per model by the encoder
    # (docs/wire.md "Citations").
    replay_citations: bool = False


# Read from the schemas: the Claude 4.x chat specs (e.g. Anthropic__claude-4-sonnet.json) carry
# ``document`` blocks in user content, so documents go on both endpoints; but their blocks are
# ``additionalProperties: false`` (no cache_control, no title/context) and a tool_result there
# holds text and images only. The Messages spec allows all three. Some older chat schemas
# (claude-3-haiku, claude-sonnet-4) omit documents: per-model refusals belong to the catalogue.
DIALECT_CONTENT: Mapping[str, DialectContent] = {
    "chat_completions": DialectContent(
        name="chat_completions",
        block_cache_control=False,
        document_metadata=False,
        documents_in_tool_results=False,
    ),
    "messages": DialectContent(
        name="messages",
        block_cache_control=True,
        document_metadata=True,
        documents_in_tool_results=True,
    ),
}


# --------------------------------------------------------------------------- caller block fields
# A caller's content block (a dict in LangChain, additional_kwargs in LlamaIndex) missing a field
# or holding the wrong type raised KeyError / TypeError / AttributeError from deep inside a
# converter (issue 10: 23 of 25 malformed inputs). Both adapters read required fields here.


def block_str(block: Mapping[str, Any], key: str, where: str, *, kind: str) -> str:
    """``block[key]`` if it is a non-empty string, else ``UnsupportedContentError`` naming it.

    Example:
        >>> block_str({"type": "tool_use", "name": "f"}, "name", "message 1", kind="tool_use")
        'f'
    """
    value = block.get(key)
    if not isinstance(value, str) or not value:
        got = "nothing" if value is None else f"{type(value).__name__} {value!r:.60}"
        raise UnsupportedContentError(
            f"{where}: a {kind} block needs {key!r} as a non-empty string, got {got}"
        )
    return value


def tool_arguments(raw: object, where: str) -> dict[str, Any]:
    """Tool-call arguments as a dict: a dict as is, or a JSON object in a string ("" = none).

    Example:
        >>> tool_arguments('{"city": "Oslo"}', "message 1")
        {'city': 'Oslo'}
    """
    if raw is None:
        return {}
    if isinstance(raw, dict):
        return raw
    if not isinstance(raw, str):
        raise UnsupportedContentError(
            f"{where}: tool-call arguments must be a JSON object or a string holding one, "
            f"got {type(raw).__name__} {raw!r:.60}"
        )
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise UnsupportedContentError(
            f"{where}: tool-call arguments are not valid JSON ({exc})"
        ) from None
    if not isinstance(value, dict):
        raise UnsupportedContentError(
            f"{where}: tool-call arguments must be a JSON object, got {type(value).__name__}"
        )
    return value


@contextmanager
def caller_input(where: str) -> Iterator[None]:
    """Report a malformed caller value met while converting ``where`` as our own error.

    The explicit checks above name the common mistakes; this is the net under them, so that a
    shape nobody anticipated (hypothesis finds them: a list where a string goes, a number where
    a URL goes) still raises ``UnsupportedContentError`` naming the message and block, never a
    bare ``KeyError`` / ``TypeError`` / ``AttributeError`` / ``ValueError`` (issue 10). The
    original exception is kept as ``__cause__``.

    Example:
        .. code-block:: python

            with caller_input("message 0 block 1"):
                name = block["name"]  # KeyError -> UnsupportedContentError naming the block
    """
    try:
        yield
    except AIMLAPIError:
        raise
    except (KeyError, TypeError, AttributeError, ValueError, IndexError) as exc:
        raise UnsupportedContentError(
            f"{where}: malformed input ({type(exc).__name__}: {str(exc)[:120]}); check the "
            "block's fields against the adapter's documented shapes"
        ) from exc
