"""Tool rules: tool names, and every accepted spelling of a tool choice.

docs/wire.md "Tools" records the doc pages: ``{"type": "auto" | "any" | "tool" | "none"}`` plus
``disable_parallel_tool_use``; OpenAI's ``"required"`` and ``{"type": "function", ...}``,
``True`` / ``False`` and a bare tool name are parsed here, once.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from aimlapi_core._types import ToolChoice
from aimlapi_core.errors import InvalidRequestError, UnsupportedContentError

__all__ = [
    "call_instruction",
    "check_forced_choice",
    "check_tool_choice",
    "check_tool_name",
    "check_tool_names",
    "parse_tool_choice",
    "resolve_tool_choice",
    "tool_choice_dict",
    "unforced_with_thinking",
    "with_parallel",
]

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


def unforced_with_thinking(
    choice: ToolChoice | None, tool_names: Iterable[str], *, thinking: bool
) -> tuple[ToolChoice | None, list[str]]:
    """A forced choice (``any`` / ``tool``) the API would refuse because thinking is on,
    resolved as structured output resolves it: the choice becomes ``auto`` (its parallel flag
    kept) and the names the reply must call are returned, for the adapter to ask for them in
    the system prompt (:func:`call_instruction`) and to refuse a reply without one. Anything
    else is returned as it is, with no names."""
    names = list(tool_names)
    if not thinking or choice is None or choice.type not in _FORCED or not names:
        return choice, []
    required = [choice.name] if choice.type == "tool" and choice.name else names
    if choice.type not in _said:  # the caller asked for something the API refuses: say so
        _said.add(choice.type)
        logger.warning(
            "tool_choice %r forces a tool call, which the API refuses while thinking is on: the "
            "tools are offered with tool_choice 'auto' and an instruction to call %s, and a "
            "reply without that call is refused (docs/agents.md)",
            choice.name or choice.type,
            "it" if len(required) == 1 else "one",
        )
    return replace(choice, type="auto", name=None), required


_said: set[str] = set()
logger = logging.getLogger("aimlapi_core")


def call_instruction(tool_names: Iterable[str]) -> str:
    """The system-prompt instruction that stands in for a forced tool choice."""
    names = list(tool_names)
    if len(names) == 1:
        return (
            f"Answer by calling the tool `{names[0]}` exactly once, with arguments that match "
            "its schema. Do not answer in plain text."
        )
    listed = ", ".join(f"`{n}`" for n in names)
    return f"Answer by calling one of the tools {listed}. Do not answer in plain text."


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
