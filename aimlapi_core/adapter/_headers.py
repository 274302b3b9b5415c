"""Header redaction for serialized adapter models: one rule, one home.

A model's ``default_headers`` may carry a credential (a proxy's ``Authorization``, a second
``x-api-key``); wherever an adapter serializes its headers, the values of the headers named
here are replaced. The key itself travels only as a ``SecretStr`` (``_travel.py``).
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["REDACTED", "SECRET_HEADERS", "redact_headers"]

SECRET_HEADERS = frozenset({"authorization", "x-api-key", "api-key"})
"""Header names (lower case) whose values may carry a credential."""
REDACTED = "***"


def redact_headers(headers: Mapping[str, str] | None) -> dict[str, str] | None:
    """``headers`` with the value of every credential-carrying header replaced by ``***``.

    Example:
        >>> redact_headers({"Authorization": "Bearer sk-1", "X-Trace": "7"})
        {'Authorization': '***', 'X-Trace': '7'}
    """
    if headers is None:
        return None
    return {k: REDACTED if k.lower() in SECRET_HEADERS else v for k, v in headers.items()}
