"""Client settings: the API key, base URL, dialect, timeouts and retries, from arguments or env.

Precedence is argument, then environment (``AIMLAPI_API_KEY``, ``AIMLAPI_BASE_URL``), then the
default. A missing key is *not* an error at construction — the adapters must be constructible
without one so that serialization and ``lc_secrets`` work — but :meth:`ClientSettings.require_key`
raises :class:`~aimlapi_core.errors.MissingAPIKeyError` before the first request is sent.

The key is held in a :class:`Secret`, whose ``repr`` and ``str`` never show it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal, Protocol

import httpx

from .errors import InvalidRequestError, MissingAPIKeyError

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_INTERVAL",
    "DEFAULT_POLL_INTERVAL",
    "DEFAULT_TIMEOUT",
    "VERSION",
    "ClientSettings",
    "Secret",
]

VERSION = "0.1.0"  # keep in step with pyproject.toml; re-exported as aimlapi_core.__version__

DEFAULT_BASE_URL = "https://api.aimlapi.com/v1"  # docs/wire.md "Endpoints and auth"
API_KEY_ENV = "AIMLAPI_API_KEY"
BASE_URL_ENV = "AIMLAPI_BASE_URL"

# 60 s to connect / write / get a pool slot. The read timeout is longer because a whole
# (non-streamed) answer of 32000 tokens — the Claude 4 default max_tokens
# (docs/schemas/claude-4-sonnet.json) — is silent until it is complete; 600 s is what Anthropic's
# own SDK allows.
DEFAULT_TIMEOUT = httpx.Timeout(60.0, read=600.0)

# Waiting for a batch (``client.batches.wait``, the adapters' ``AIMLAPIBatch.results``): the first
# poll interval and the cap its backoff grows to, in seconds. Here rather than in ``_batches.py``
# so that the adapters' batch handles (``adapter/_batch_handle.py``) can default to them without
# importing the Batches API, which a chat call never needs.
DEFAULT_POLL_INTERVAL = 5.0
DEFAULT_MAX_INTERVAL = 60.0

Api = Literal["chat_completions", "messages"]
_APIS: tuple[Api, ...] = ("chat_completions", "messages")


class _HasSecret(Protocol):
    def get_secret_value(self) -> str: ...


class Secret:
    """A string that never shows itself in ``repr``/``str`` (like ``pydantic.SecretStr``,
    without importing pydantic)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        # Pickling a client must not write the key out by accident.
        raise TypeError("a Secret cannot be pickled")


def _as_timeout(value: float | httpx.Timeout | None) -> httpx.Timeout:
    if value is None:
        return DEFAULT_TIMEOUT
    if isinstance(value, httpx.Timeout):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise InvalidRequestError(
            f"timeout must be a positive number of seconds or an httpx.Timeout, got {value!r}"
        )
    return httpx.Timeout(float(value))


class ClientSettings:
    """Everything a client needs before it can send a request.

    Args:
        api_key: the key (a ``str`` or anything with ``get_secret_value()``, e.g. pydantic's
            ``SecretStr``); falls back to env ``AIMLAPI_API_KEY``.
        base_url: falls back to env ``AIMLAPI_BASE_URL``, then ``https://api.aimlapi.com/v1``.
            A trailing slash is tolerated.
        api: ``"chat_completions"``, ``"messages"``, or ``None`` (default): per request, the
            endpoint the catalogue names for its model (``catalog.default_api``).
        timeout: seconds (all phases) or an ``httpx.Timeout``; default 60 s, 600 s read.
        max_retries: retries after the first attempt (default 2).
        default_headers: sent with every request.
        stream_idle_timeout: seconds without a chunk before a stream raises
            ``APITimeoutError``; defaults to the read timeout.
        deadline: seconds one call may take in all — retries, their sleeps and the whole body
            or stream included — before it raises ``APITimeoutError``; ``None`` (default): no
            overall bound (``timeout`` bounds each connect and each read only, so a server
            dripping a byte at a time can hold a call indefinitely). Checked after each chunk
            and before each retry; each attempt's timeouts are cut to the time left, so a call
            ends at most one read after its deadline.

    Example:
        >>> s = ClientSettings(api_key="sk-test", base_url="http://127.0.0.1:8000/v1/")
        >>> s.base_url, s.api, s.max_retries
        ('http://127.0.0.1:8000/v1', None, 2)
        >>> "sk-test" in repr(s)
        False
    """

    __slots__ = (
        "api",
        "api_key",
        "base_url",
        "deadline",
        "default_headers",
        "max_retries",
        "stream_idle_timeout",
        "timeout",
    )

    def __init__(
        self,
        *,
        api_key: str | _HasSecret | None = None,
        base_url: str | None = None,
        api: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = 2,
        default_headers: Mapping[str, str] | None = None,
        stream_idle_timeout: float | None = None,
        deadline: float | None = None,
    ) -> None:
        if api is not None and api not in _APIS:
            raise InvalidRequestError(
                f"api must be 'chat_completions', 'messages' or None (per model), got {api!r}"
            )
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise InvalidRequestError(f"max_retries must be an integer >= 0, got {max_retries!r}")
        if stream_idle_timeout is not None and (
            isinstance(stream_idle_timeout, bool)
            or not isinstance(stream_idle_timeout, int | float)
            or stream_idle_timeout <= 0
        ):
            raise InvalidRequestError(
                "stream_idle_timeout must be a positive number of seconds, "
                f"got {stream_idle_timeout!r}"
            )
        if deadline is not None and (
            isinstance(deadline, bool) or not isinstance(deadline, int | float) or deadline <= 0
        ):
            raise InvalidRequestError(
                f"deadline must be a positive number of seconds, got {deadline!r}"
            )
        key = api_key if api_key is None or isinstance(api_key, str) else api_key.get_secret_value()
        if key is None:
            key = os.environ.get(API_KEY_ENV) or None
        if key is not None and not isinstance(key, str):
            raise TypeError(f"api_key must be a str, got {type(key).__name__}")
        self.api_key: Secret | None = Secret(key) if key else None
        url = base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
        if not url.startswith(("http://", "https://")):
            scheme = "http" if url.startswith(("127.0.0.1", "localhost", "[::1]")) else "https"
            raise InvalidRequestError(
                f"base_url must start with http:// or https://, got {url!r} "
                f"(did you mean {scheme + '://' + url.split('://')[-1]!r}?)"
            )
        self.base_url: str = url.rstrip("/")
        self.api: Api | None = api  # checked against _APIS above
        self.timeout: httpx.Timeout = _as_timeout(timeout)
        self.max_retries: int = max_retries
        self.default_headers: dict[str, str] = dict(default_headers or {})
        idle = stream_idle_timeout if stream_idle_timeout is not None else self.timeout.read
        self.stream_idle_timeout: float | None = float(idle) if idle is not None else None
        self.deadline: float | None = float(deadline) if deadline is not None else None

    def require_key(self) -> str:
        """The key, or :class:`MissingAPIKeyError` saying how to give one."""
        if self.api_key is None:
            raise MissingAPIKeyError(
                f"No AI/ML API key: pass api_key=... or set the {API_KEY_ENV} environment "
                "variable (get a key at https://aimlapi.com/app/keys). To try without a key, "
                "run the local emulator (`python -m aimlapi_emulator`, the emulator extra) and "
                f"set {BASE_URL_ENV} to the URL it prints and {API_KEY_ENV} to any value "
                "(docs/getting-started.md)."
            )
        return self.api_key.get_secret_value()

    @property
    def stream_timeout(self) -> httpx.Timeout:
        """The timeout of a streaming request: the read timeout is the idle timeout, because
        httpx applies it to every read of the body — i.e. to the gap between two chunks."""
        t = self.timeout
        return httpx.Timeout(
            connect=t.connect, read=self.stream_idle_timeout, write=t.write, pool=t.pool
        )

    def __repr__(self) -> str:
        key = "'**********'" if self.api_key is not None else "None"
        return (
            f"ClientSettings(api_key={key}, base_url={self.base_url!r}, api={self.api!r}, "
            f"timeout={self.timeout!r}, max_retries={self.max_retries}, "
            f"stream_idle_timeout={self.stream_idle_timeout}, deadline={self.deadline})"
        )
