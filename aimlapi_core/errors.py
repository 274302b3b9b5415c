"""Every error the AI/ML API integrations raise, for every framework.

::

    AIMLAPIError
    ├─ MissingAPIKeyError            no key given and AIMLAPI_API_KEY unset (raised before I/O)
    ├─ InvalidRequestError           a request the API would refuse (also a ValueError; before I/O)
    │  ├─ UnsupportedContentError    a content block that cannot be sent (before I/O)
    │  └─ UnknownArgumentError       an unknown keyword argument (also a TypeError)
    ├─ APIConnectionError            the transport failed
    │  └─ APITimeoutError            connect/read/stream-idle timeout
    ├─ APIStatusError                a non-2xx answer: status_code, message, request_id, body,
    │                                headers, upstream_status
    │  ├─ BadRequestError            400
    │  ├─ AuthenticationError        401
    │  ├─ PermissionDeniedError      403 (out of credits)
    │  ├─ NotFoundError              404
    │  ├─ RateLimitError             429
    │  └─ InternalServerError        5xx
    ├─ StreamError                   an error event mid-stream, or a stream that ended unfinished
    │                                (``partial``: what arrived before, as a ChatResult)
    ├─ ResponseValidationError       a 2xx body that cannot be read (also a wrong-shaped stream
    │                                event, a body that is not valid UTF-8 or gzip it claims)
    └─ BatchError                    a batch request not processed (canceled/expired), a
       │                             cancelled batch's results asked for
       └─ BatchTimeoutError          waiting for a batch ran out of time (it goes on: resume by id)

No error ever exposes the API key: every error leaving a client goes through one redaction step
(``aimlapi_core._redact.scrub``) that removes the key from its message, ``args``, ``body`` and
every exception chained to it (``__cause__`` / ``__context__``, and the chained httpx request's
``Authorization`` / ``x-api-key`` headers), whatever path built it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._types import ChatResult

__all__ = [
    "AIMLAPIError",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BatchError",
    "BatchTimeoutError",
    "InternalServerError",
    "InvalidRequestError",
    "MissingAPIKeyError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseValidationError",
    "StreamError",
    "UnknownArgumentError",
    "UnsupportedContentError",
    "status_error_class",
]


class AIMLAPIError(Exception):
    """Base class of every error raised by ``aimlapi_core`` and the adapters."""

    message: str

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class MissingAPIKeyError(AIMLAPIError):
    """No API key: pass ``api_key=`` or set ``AIMLAPI_API_KEY``."""


class InvalidRequestError(AIMLAPIError, ValueError):
    """The request breaks a documented rule of the API; raised before anything is sent."""


class UnsupportedContentError(InvalidRequestError):
    """A content block (or tool schema) that the API cannot take; raised before anything is sent."""


class UnknownArgumentError(InvalidRequestError, TypeError):
    """A keyword argument that is not a field (a misspelling, or a field of another provider).

    Also a ``TypeError``, as Python raises for any unexpected keyword; the message names the
    closest field and how to pass an extra request field on purpose.
    """


class APIConnectionError(AIMLAPIError):
    """The request did not get an HTTP answer (DNS, refused connection, reset, TLS...)."""


class APITimeoutError(APIConnectionError):
    """Connecting, waiting for the first byte or for the next stream chunk took too long."""


class APIStatusError(AIMLAPIError):
    """The API answered with a non-success status.

    Attributes:
        status_code: the HTTP status received (or the one an error body with a 2xx status gave).
        request_id: the gateway's request id, from the body or ``x-request-id``.
        body: the parsed error body (key redacted).
        headers: the response headers (``Retry-After``, ``x-request-id``...); empty when the
            error arrived in a 2xx body or mid-stream.
        upstream_status: the provider's own status when the gateway wrapped it in a 5xx (its
            message starts with ``"400 "``; docs/wire.md "Errors"). Such an error is raised at
            once, never retried, as the class of that status (``BadRequestError`` for 400).

    Example:
        >>> err = BadRequestError("400 bad", status_code=500, upstream_status=400)
        >>> str(err)
        '500 (upstream 400): 400 bad'
    """

    status_code: int

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        request_id: str | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        upstream_status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.request_id = request_id
        self.body = body
        self.headers: dict[str, str] = dict(headers or {})
        self.upstream_status = upstream_status

    def __str__(self) -> str:
        rid = f" (request id {self.request_id})" if self.request_id else ""
        up = f" (upstream {self.upstream_status})" if self.upstream_status is not None else ""
        return f"{self.status_code}{up}: {self.message}{rid}"


class BadRequestError(APIStatusError):
    """400: the API refused the request body."""


class AuthenticationError(APIStatusError):
    """401: missing or wrong API key."""


class PermissionDeniedError(APIStatusError):
    """403: usually out of credits."""


class NotFoundError(APIStatusError):
    """404: wrong path or unknown model."""


class RateLimitError(APIStatusError):
    """429: rate or free-tier limit."""


class InternalServerError(APIStatusError):
    """5xx: the gateway or the upstream model failed."""


class StreamError(AIMLAPIError):
    """A stream carried an error event, or ended before the model finished.

    ``partial`` is what arrived before the failure, accumulated as a :class:`ChatResult` (its
    ``stop_reason`` is ``None`` when the model never finished); ``None`` when nothing did.
    """

    def __init__(self, message: str, *, partial: ChatResult | None = None) -> None:
        super().__init__(message)
        self.partial = partial


class ResponseValidationError(AIMLAPIError):
    """A success response whose body cannot be read as a chat completion."""


class BatchError(AIMLAPIError):
    """A batch request that was not processed (``result_type`` ``canceled`` / ``expired``), or
    the results of a cancelled batch asked for. A request that *errored* gets the
    ``APIStatusError`` its error maps to instead, as the same failure of ``create`` would."""

    def __init__(
        self,
        message: str,
        *,
        batch_id: str | None = None,
        custom_id: str | None = None,
        result_type: str | None = None,
    ) -> None:
        super().__init__(message)
        self.batch_id = batch_id
        self.custom_id = custom_id
        self.result_type = result_type


class BatchTimeoutError(BatchError, TimeoutError):
    """Waiting for a batch took longer than ``timeout``; the batch goes on server-side (resume
    it by id)."""


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitError,
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The exception class for an HTTP status (``APIStatusError`` for unlisted 4xx)."""
    if status_code >= 500:
        return InternalServerError
    return _STATUS_ERRORS.get(status_code, APIStatusError)
