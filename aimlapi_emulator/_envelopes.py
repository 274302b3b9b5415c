"""The two documented error envelopes (docs/wire.md "Errors"; errors-and-messages__general-info.md).

"nest": {"message", "path", "requestId", "statusCode", "timestamp"} as application/json.
"problem": {"title", "status", "message", "instance", "requestId", "timestamp", "error"} as
application/problem+json — the form the 401 comes in.
"""

from __future__ import annotations

import datetime as _dt
import json
import uuid
from typing import Any

from ._faults import Envelope

# Messages quoted from errors-and-messages__errors-with-status-code-4xx.md / -5xx.md.
DEFAULT_MESSAGES: dict[int, str] = {
    400: "Body validation error!",
    401: (
        "This request requires a valid API key. You can create a new API key on the Billing "
        "page: https://aimlapi.com/app/keys"
    ),
    403: (
        "You've run out of credits. Please top up your balance or update your payment method "
        "to continue: https://aimlapi.com/app/billing/"
    ),
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal server error",
    502: "Bad Gateway",
    503: "Service unavailable",
    504: "Generation timeout",
}

_TITLES = {
    400: ("Bad Request", "BadRequestException"),
    401: ("Unauthorized", "UnauthorizedException"),
    403: ("Forbidden", "ForbiddenException"),
    404: ("Not Found", "NotFoundException"),
    429: ("Too Many Requests", "ThrottlerException"),
    500: ("Internal Server Error", "InternalServerErrorException"),
    502: ("Bad Gateway", "BadGatewayException"),
    503: ("Service Unavailable", "ServiceUnavailableException"),
    504: ("Gateway Timeout", "GatewayTimeoutException"),
}


class APIError(Exception):
    """Raised inside the server to answer with an error envelope."""

    def __init__(self, status: int, message: str | None = None, envelope: Envelope = "nest"):
        self.status = status
        self.message = message or DEFAULT_MESSAGES.get(status, "Error")
        self.envelope: Envelope = envelope
        super().__init__(f"{status}: {self.message}")


def new_request_id() -> str:
    return str(uuid.uuid4())


def _timestamp() -> str:
    now = _dt.datetime.now(_dt.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def error_body(
    status: int, message: str, path: str, request_id: str, envelope: Envelope
) -> tuple[bytes, str]:
    """The envelope as bytes and its content type."""
    body: dict[str, Any]
    if envelope == "problem":
        title, name = _TITLES.get(status, ("Error", "HttpException"))
        body = {
            "title": title,
            "status": status,
            "message": message,
            "instance": path,
            "requestId": request_id,
            "timestamp": _timestamp(),
            "error": {"name": name, "message": message},
        }
        content_type = "application/problem+json"
    else:
        body = {
            "message": message,
            "path": path,
            "requestId": request_id,
            "statusCode": status,
            "timestamp": _timestamp(),
        }
        content_type = "application/json"
    return json.dumps(body).encode("utf-8"), content_type


def schema_error(detail: str) -> APIError:
    """The gateway's schema refusal: "Body validation error!" and a line naming the field."""
    return APIError(400, f"Body validation error!\n{detail}")


def upstream_error(detail: str) -> APIError:
    """An upstream (Anthropic) rule's refusal, in its own words."""
    return APIError(400, detail)
