"""Header redaction for serialized adapter models: one rule, one home.

A model's ``default_headers`` may carry a credential (a proxy's ``Authorization``, a second
``x-api-key``, a cookie); wherever an adapter serializes its headers — LangChain's ``dumpd`` /
``dumps`` and every callback's ``serialized``, ``model_dump_json``, LlamaIndex's ``to_dict`` —
the value of each header the core's rule calls a credential (``_redact.is_secret_header``, the
rule the clients' error redaction uses too) is replaced. The key itself travels only as a
``SecretStr`` (``_travel.py``).
"""

from __future__ import annotations

from collections.abc import Mapping

from aimlapi_core._redact import is_secret_header

__all__ = ["REDACTED", "is_secret_header", "redact_headers"]

REDACTED = "***"


def redact_headers(headers: Mapping[str, str] | None) -> dict[str, str] | None:
    """``headers`` with the value of every credential-carrying header replaced by ``***``.

    Example:
        >>> redact_headers({"Authorization": "Bearer sk-1", "Cookie": "s=1", "X-Trace": "7"})
        {'Authorization': '***', 'Cookie': '***', 'X-Trace': '7'}
    """
    if headers is None:
        return None
    return {k: REDACTED if is_secret_header(k, v) else v for k, v in headers.items()}
