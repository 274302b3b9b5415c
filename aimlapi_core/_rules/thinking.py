"""Thinking rules: the ``thinking=`` forms, the budget's range, and temperature with thinking.

docs/wire.md "Thinking" records the doc pages. Which model takes which kind (budget or adaptive)
is per model: ``_model_rules.py``. Thinking's rule on forced tool choice is
:func:`~aimlapi_core._rules.tools.check_forced_choice`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from aimlapi_core.errors import InvalidRequestError

__all__ = [
    "MIN_THINKING_BUDGET",
    "ThinkingSetting",
    "check_thinking",
    "check_thinking_budget",
    "thinking_budget",
    "thinking_setting",
]

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
    disabled: bool = False  # {"type": "disabled"}: sent as such (a model may think by default)

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
            "thinking_disabled": self.disabled,
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
    return ThinkingSetting(disabled=True)


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
