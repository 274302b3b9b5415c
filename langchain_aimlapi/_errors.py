"""Errors that are both ours (``aimlapi_core.errors``) and LangChain's (``ModelError`` family).

langchain-core 1.6 added a ``ModelError`` family (``ModelAuthenticationError``,
``ModelRateLimitError``, ``ModelTimeoutError``, ... each with ``is_retryable``) that LangChain's
own machinery catches — ``SummarizationMiddleware`` catches ``ContextOverflowError`` (there since
1.4) to shorten the prompt. ``ChatAIMLAPI`` re-raises each core error as a class that subclasses
both the core class and the matching LangChain class, so ``except AuthenticationError`` and
``except ModelAuthenticationError`` both catch a 401. On a langchain-core without a class the
dual class simply has the core class alone as its base: importing never fails.

Only errors that happened at the service or on the wire are translated; the errors raised before
any request (``InvalidRequestError``, ``MissingAPIKeyError``) stay as they are.
"""

from __future__ import annotations

import re
from types import TracebackType

from langchain_core import exceptions as lc

from aimlapi_core import errors as core

# Anthropic's wording for a prompt over the context window (a 400 ``invalid_request_error``:
# "prompt is too long: 208342 tokens > 200000 maximum"); the gateway passes it through. Also
# the other spellings gateways use for the same condition.
_CONTEXT_OVERFLOW = re.compile(
    r"prompt is too long|context (length|window)|maximum context|too many (input )?tokens", re.I
)


# The public home of the dual classes (``langchain_aimlapi/errors.py`` re-exports them): a
# traceback names each by a path users can import and catch.
PUBLIC_MODULE = "langchain_aimlapi.errors"


def _dual(
    core_class: type[core.AIMLAPIError], lc_name: str, name: str | None = None
) -> type[core.AIMLAPIError]:
    lc_class = getattr(lc, lc_name, None)  # None on a langchain-core that predates it
    bases: tuple[type, ...] = (core_class,) if lc_class is None else (core_class, lc_class)
    return type(
        name or core_class.__name__,
        bases,
        {
            "__module__": PUBLIC_MODULE,
            "__doc__": f"{core_class.__doc__} Also LangChain's ``{lc_name}``"
            + ("" if lc_class else " (not in this langchain-core)")
            + ".",
        },
    )


AuthenticationError = _dual(core.AuthenticationError, "ModelAuthenticationError")
PermissionDeniedError = _dual(core.PermissionDeniedError, "ModelPermissionDeniedError")
NotFoundError = _dual(core.NotFoundError, "ModelNotFoundError")
RateLimitError = _dual(core.RateLimitError, "ModelRateLimitError")
BadRequestError = _dual(core.BadRequestError, "ModelInvalidRequestError")
ContextOverflowError = _dual(BadRequestError, "ContextOverflowError", "ContextOverflowError")
InternalServerError = _dual(core.InternalServerError, "ModelAPIError")
APIStatusError = _dual(core.APIStatusError, "ModelAPIError")
APIConnectionError = _dual(core.APIConnectionError, "ModelConnectionError")
APITimeoutError = _dual(core.APITimeoutError, "ModelTimeoutError")

# Most specific core class first: the first isinstance match wins.
_MAP: tuple[tuple[type[core.AIMLAPIError], type[core.AIMLAPIError]], ...] = (
    (core.AuthenticationError, AuthenticationError),
    (core.PermissionDeniedError, PermissionDeniedError),
    (core.NotFoundError, NotFoundError),
    (core.RateLimitError, RateLimitError),
    (core.BadRequestError, BadRequestError),
    (core.InternalServerError, InternalServerError),
    (core.APIStatusError, APIStatusError),
    (core.APITimeoutError, APITimeoutError),
    (core.APIConnectionError, APIConnectionError),
)


def translate(exc: core.AIMLAPIError) -> core.AIMLAPIError:
    """The dual-class twin of ``exc`` (same message, attributes and cause), or ``exc`` itself."""
    if type(exc).__module__ == PUBLIC_MODULE:
        return exc
    target = next((dual for base, dual in _MAP if isinstance(exc, base)), None)
    if target is None:
        return exc
    if target is BadRequestError and _CONTEXT_OVERFLOW.search(exc.message or ""):
        target = ContextOverflowError
    twin: core.AIMLAPIError = target.__new__(target)
    twin.__dict__.update(exc.__dict__)  # message, status_code, request_id, body (all redacted)
    twin.args = exc.args
    return twin


def _raise_translated(exc: core.AIMLAPIError) -> None:
    twin = translate(exc)
    if twin is exc:
        raise exc
    # The original's cause (the transport error, already redacted) stays the cause.
    raise twin.with_traceback(exc.__traceback__) from exc.__cause__


class _Translated:
    """The context manager of :func:`translated`: stateless, so one instance serves every
    block (a ``contextlib.contextmanager`` builds a generator per call, on every request)."""

    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if isinstance(exc, core.AIMLAPIError):
            _raise_translated(exc)


_TRANSLATED = _Translated()


def translated() -> _Translated:
    """Re-raise core errors from the block as their LangChain dual classes."""
    return _TRANSLATED
