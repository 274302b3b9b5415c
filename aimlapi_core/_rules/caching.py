"""The ``prompt_caching=`` setting of both adapters, read once (docs/wire.md "Prompt caching").

``None`` (the default: only the caller's own ``cache_control`` is sent), ``"auto"``, or the same
as a dict with its options, as ``thinking`` takes ``"adaptive"`` or ``{"type": "adaptive", ...}``:
``{"type": "auto", "ttl": "5m" | "1h", "unsupported_model_behavior": "ignore" | "warn" |
"raise"}``. Plain strings and dicts, so the setting pickles and serializes with the model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import get_args

from aimlapi_core._types import CacheTTL, PromptCaching, UnsupportedBehavior
from aimlapi_core.errors import InvalidRequestError

__all__ = ["prompt_caching_setting"]

_TTLS: tuple[str, ...] = get_args(CacheTTL)
_BEHAVIORS: tuple[str, ...] = get_args(UnsupportedBehavior)
_KEYS = frozenset({"type", "ttl", "unsupported_model_behavior"})


def prompt_caching_setting(value: object) -> PromptCaching | None:
    """``prompt_caching=`` read: the policy the encoder places breakpoints by, or ``None``.

    Raises:
        InvalidRequestError: any other value, naming the accepted forms.

    Example:
        >>> prompt_caching_setting({"type": "auto", "ttl": "1h"}).cache_control
        {'type': 'ephemeral', 'ttl': '1h'}
    """
    if value is None or isinstance(value, PromptCaching):
        return value
    if value == "auto":
        return PromptCaching()
    if not isinstance(value, Mapping) or value.get("type") != "auto":
        raise _bad(value)
    extra = set(value) - _KEYS
    if extra:
        raise InvalidRequestError(
            f"prompt_caching has unknown key(s) {sorted(extra)}; it takes 'type', 'ttl' and "
            "'unsupported_model_behavior'"
        )
    ttl = value.get("ttl", "5m")
    if ttl not in _TTLS:
        raise InvalidRequestError(f"prompt_caching ttl must be '5m' or '1h', got {ttl!r}")
    behavior = value.get("unsupported_model_behavior", "warn")
    if behavior not in _BEHAVIORS:
        raise InvalidRequestError(
            "prompt_caching unsupported_model_behavior must be 'ignore', 'warn' or 'raise', "
            f"got {behavior!r}"
        )
    return PromptCaching(ttl=ttl, unsupported_model_behavior=behavior)


def _bad(value: object) -> InvalidRequestError:
    shown = repr(value) if isinstance(value, (str, int, float, bool)) else type(value).__name__
    return InvalidRequestError(
        f"prompt_caching must be None, 'auto' or {{'type': 'auto', 'ttl': '5m' | '1h'}}, got "
        f"{shown:.60}"
    )
