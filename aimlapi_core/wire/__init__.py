"""The wire layer: the dialect registry and the interfaces every dialect implements.

A :class:`Dialect` turns a neutral :class:`~aimlapi_core._types.ChatRequest` into the JSON body
of one endpoint and reads that endpoint's answers back into neutral values. Two exist:
``chat_completions`` (``chat_completions.py``) and ``messages`` (``messages.py``); pick one
with :func:`get_dialect`.

Imports run one way inside this package, leaf first::

    _common  ←  envelope  ←  blocks  ←  encode  ←  messages  ←  chat_completions  ←  this registry

``_common`` holds what both dialects read alike (stop reasons, numbers, usage, cost, ids),
``envelope`` the one error-envelope parser, ``encode`` the request encoder both dialects share
(``blocks`` its content half: system prompt, messages, blocks).
No module of the package imports this one (``tests/core/test_import_cycles.py`` checks it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, Protocol

from .chat_completions import ChatCompletionsDialect
from .messages import MessagesDialect

if TYPE_CHECKING:
    from aimlapi_core._sse import ServerSentEvent
    from aimlapi_core._types import ChatRequest, ChatResult, StreamEvent

__all__ = ["Dialect", "StreamDecoder", "get_dialect"]


class StreamDecoder(Protocol):
    """Turns the SSE events of one streamed response into neutral stream events."""

    finished: bool  # a Finish event has been produced

    def feed(self, event: ServerSentEvent) -> list[StreamEvent]:
        """One ``json.loads`` per event. Raises ``StreamError`` on a wire ``error`` event and
        ``ResponseValidationError`` on undecodable JSON."""
        ...


class Dialect(Protocol):
    name: Literal["chat_completions", "messages"]
    path: str  # joined to base_url

    def encode(self, request: ChatRequest, *, stream: bool) -> dict[str, Any]:
        """Pure; raises ``InvalidRequestError`` / ``UnsupportedContentError`` before any I/O."""
        ...

    def decode(self, body: Any, headers: Mapping[str, str]) -> ChatResult:
        """A whole response; raises ``ResponseValidationError`` or, for an error envelope that
        came with a 2xx status, the matching ``APIStatusError``."""
        ...

    def stream_decoder(self) -> StreamDecoder: ...


def get_dialect(api: str) -> Dialect:
    """The dialect for an ``api=`` setting: ``"chat_completions"`` or ``"messages"``.

    Example:
        >>> get_dialect("messages").path
        '/messages'
    """
    if api == "chat_completions":
        return ChatCompletionsDialect()
    if api == "messages":
        return MessagesDialect()
    raise ValueError(f"api must be 'chat_completions' or 'messages', got {api!r}")
