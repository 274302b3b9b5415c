"""Constructor and per-call argument checks shared by both adapters: one wording per mistake.

``ChatAIMLAPI`` and ``AIMLAPI`` call these at construction (and for per-call keyword arguments),
so the same mistake raises the same error type with the same words in LangChain and LlamaIndex:

- an unknown keyword argument raises :class:`~aimlapi_core.errors.UnknownArgumentError`
  (also a ``TypeError``, as Python raises for any unexpected keyword) naming the closest field
  ("did you mean 'temperature'?") and the explicit pass-through for extra request fields;
- settings the API would refuse (temperature outside 0–1, a thinking budget under 1024 or not
  below ``max_tokens``, ...) raise :class:`~aimlapi_core.errors.InvalidRequestError` with the
  words the request encoder uses, because they are checked by the same core rule.
"""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

import pydantic

from aimlapi_core._types import ChatRequest, Message, TextPart
from aimlapi_core.errors import InvalidRequestError, UnknownArgumentError

__all__ = ["check_settings", "field_names", "parse_thinking", "reject_unknown", "settings_errors"]


def reject_unknown(
    owner: str, given: Iterable[str], known: Iterable[str], *, passthrough: str
) -> None:
    """Raise for keyword arguments that are not fields of ``owner``.

    Args:
        owner: the class (or ``"Class.method"``) named in the message.
        given: the keyword names received.
        known: every accepted name (fields and their aliases).
        passthrough: how to send a request field on purpose, e.g. ``"model_kwargs={...}"``.

    Raises:
        UnknownArgumentError: naming each unknown argument, with the closest known name.

    Example:
        >>> reject_unknown("X", ["temprature"], ["temperature"], passthrough="extra={...}")
        Traceback (most recent call last):
        ...
        aimlapi_core.errors.UnknownArgumentError: X got an unexpected keyword argument \
'temprature' (did you mean 'temperature'?); pass extra request fields explicitly as extra={...}
    """
    known_set = set(known)
    unknown = sorted(set(given) - known_set)
    if not unknown:
        return
    public = sorted(name for name in known_set if not name.startswith("_"))
    described = []
    for name in unknown:
        close = difflib.get_close_matches(name, public, n=1, cutoff=0.75)
        described.append(f"{name!r} (did you mean {close[0]!r}?)" if close else repr(name))
    plural = "s" if len(unknown) > 1 else ""
    raise UnknownArgumentError(
        f"{owner} got an unexpected keyword argument{plural} {', '.join(described)}; "
        f"pass extra request fields explicitly as {passthrough}"
    )


def parse_thinking(value: Any) -> int | None:
    """The thinking budget from a ``thinking=`` setting, or ``None`` when thinking is off: the
    input rule of :func:`aimlapi_core.adapter.rules.thinking_budget` (its one home).

    Raises:
        InvalidRequestError: a value that is not a budget or one of Anthropic's forms.
    """
    from aimlapi_core._rules import thinking_budget

    return thinking_budget(value)


class AdapterSettings(Protocol):
    """What :func:`check_settings` reads: the fields both adapters name alike."""

    @property
    def model(self) -> str: ...
    @property
    def max_tokens(self) -> int: ...
    @property
    def temperature(self) -> float | None: ...
    @property
    def top_p(self) -> float | None: ...
    @property
    def top_k(self) -> int | None: ...
    @property
    def thinking(self) -> Any: ...
    @property
    def timeout(self) -> float | None: ...
    @property
    def max_retries(self) -> int: ...


def check_settings(settings: AdapterSettings) -> None:
    """Check an adapter's settings at construction, by the rules every request is checked by.

    Args:
        settings: the adapter model (``ChatAIMLAPI``, ``AIMLAPI``): its ``model``,
            ``max_tokens``, ``temperature``, ``top_p``, ``top_k``, ``thinking``, ``timeout`` and
            ``max_retries`` are read, under the same names in both frameworks.

    Raises:
        InvalidRequestError: the first setting the API (or the client) would refuse.
    """
    timeout, max_retries, top_k = settings.timeout, settings.max_retries, settings.top_k
    if timeout is not None and not timeout > 0:
        raise InvalidRequestError(f"timeout must be a positive number of seconds, got {timeout}")
    if max_retries < 0:
        raise InvalidRequestError(f"max_retries must be 0 or more, got {max_retries}")
    if top_k is not None and top_k < 1:
        raise InvalidRequestError(f"top_k must be at least 1, got {top_k}")
    # The encoder's own checks on a probe request with one placeholder turn: the rules have
    # one home (the request encoder) and run again, unchanged, on every real request.
    from aimlapi_core._rules import thinking_setting
    from aimlapi_core.wire.encode import validate_settings

    validate_settings(
        ChatRequest(
            model=settings.model,
            messages=[Message(role="user", parts=[TextPart(text=".")])],
            max_tokens=settings.max_tokens,
            temperature=settings.temperature,
            top_p=settings.top_p,
            top_k=top_k,
            **thinking_setting(settings.thinking).request_fields(),
        )
    )


def field_names(model_class: Any) -> set[str]:
    """Every name a pydantic model accepts as a keyword: field names and their aliases."""
    names: set[str] = set()
    for name, info in model_class.model_fields.items():
        names.add(name)
        if info.alias:
            names.add(info.alias)
        choices = getattr(info.validation_alias, "choices", None)
        if isinstance(info.validation_alias, str):
            names.add(info.validation_alias)
        elif choices:
            names.update(c for c in choices if isinstance(c, str))
    return names


@contextlib.contextmanager
def settings_errors(owner: str) -> Iterator[None]:
    """Turn pydantic's ``ValidationError`` from an adapter's constructor into
    :class:`~aimlapi_core.errors.InvalidRequestError` (ours when a validator raised ours)."""
    try:
        yield
    except pydantic.ValidationError as exc:
        problems = []
        for error in exc.errors():
            cause = (error.get("ctx") or {}).get("error")
            if isinstance(cause, InvalidRequestError):
                raise cause from None
            where = ".".join(str(part) for part in error["loc"]) or "settings"
            # The input is not echoed: it may be a credential (api_key, default_headers).
            problems.append(f"{where}: {error['msg']}")
        raise InvalidRequestError(f"{owner}: " + "; ".join(problems)) from None
