"""The errors ``ChatAIMLAPI`` raises from the service: each is the core's class
(``aimlapi_core.errors``) and LangChain's matching ``ModelError`` class at once, so either
``except`` catches it. ``ContextOverflowError`` (a prompt over the model's context window) is a
``BadRequestError`` and LangChain's ``ContextOverflowError``, which ``SummarizationMiddleware``
catches to shorten the prompt.
"""

from __future__ import annotations

from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ContextOverflowError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
)

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ContextOverflowError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
]
