"""Content rules: media types, data URIs, and which content each endpoint carries.

docs/wire.md "Content parts" records the doc pages. Both adapters check a caller's images and
documents here while converting; the encoder checks them again before any I/O.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import get_args
from urllib.parse import unquote_to_bytes

from aimlapi_core._types import ImageMediaType
from aimlapi_core.errors import UnsupportedContentError

__all__ = [
    "DIALECT_CONTENT",
    "DOCUMENT_MEDIA_TYPES",
    "IMAGE_MEDIA_TYPES",
    "DataURI",
    "DialectContent",
    "check_document_media_type",
    "check_image_media_type",
    "parse_data_uri",
]

# --------------------------------------------------------------------------- media types

# "API only support BASE64 String as Image input" with these four media types (the image block
# of every Claude chat spec, e.g. Anthropic__claude-4-sonnet.json); ImageMediaType is the source.
IMAGE_MEDIA_TYPES: frozenset[str] = frozenset(get_args(ImageMediaType))
# The document block's sources: base64 application/pdf, or text/plain (Claude 4.x chat specs
# and the Messages spec).
DOCUMENT_MEDIA_TYPES: frozenset[str] = frozenset({"application/pdf", "text/plain"})


def check_image_media_type(media_type: str | None, where: str) -> str:
    """``media_type`` if the API takes it, else ``UnsupportedContentError`` naming the four."""
    if media_type not in IMAGE_MEDIA_TYPES:
        raise UnsupportedContentError(
            f"{where}: image media type {media_type!r} is not supported; the API takes "
            f"{', '.join(sorted(IMAGE_MEDIA_TYPES))}: convert the image first"
        )
    return media_type


def check_document_media_type(media_type: str | None, where: str) -> str:
    """``media_type`` if the API takes it as a document, else ``UnsupportedContentError``."""
    if media_type not in DOCUMENT_MEDIA_TYPES:
        raise UnsupportedContentError(
            f"{where}: document media type {media_type!r} is not supported; send "
            "application/pdf (base64) or text/plain"
        )
    return media_type


def document_url(url: object, media_type: str | None, where: str) -> str:
    """``url`` if the API can fetch it as a document, else ``UnsupportedContentError``.

    The schemas that list ``source: {"type": "url", "url"}`` on documents type it ``format:
    uri`` and give it no media type (docs/schemas/claude-sonnet-5.json): it is Anthropic's URL
    PDF source [INF], so a URL document is a PDF (``media_type`` None or application/pdf); text
    is sent as data. Which model takes URL documents at all is ``_model_rules.py``'s rule.
    """
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise UnsupportedContentError(
            f"{where}: document url {str(url)[:40]!r} is not an http(s) URL; pass the bytes "
            "instead (base64 PDF or plain text)"
        )
    if media_type not in (None, "application/pdf"):
        raise UnsupportedContentError(
            f"{where}: a document fetched from a URL must be a PDF, got {media_type!r}; send "
            "other documents as data (text/plain) instead"
        )
    return url


# --------------------------------------------------------------------------- data URIs


@dataclass(frozen=True, slots=True)
class DataURI:
    media_type: str | None  # None when the URI names none
    data: str  # base64, without the ``data:`` prefix


_DATA_URI = re.compile(r"^data:(?P<params>[^,]*),(?P<payload>.*)$", re.S)


def parse_data_uri(uri: str, where: str) -> DataURI:
    """A ``data:`` URI (RFC 2397) as its media type and base64 payload.

    Both forms are accepted. The API takes base64 only ("API only support BASE64 String as Image
    input", Claude specs), but that is the wire's form, not the caller's: a percent-encoded URI
    (``data:text/plain,hello%20world``) names the same bytes, which are sent base64-encoded. The
    core always accepted it; the adapters used to refuse it, which refused valid input for no
    reason. Invalid base64 is refused here rather than by the API with a 400.

    Example:
        >>> parse_data_uri("data:image/png;base64,iVBORw0KGgo=", "x")
        DataURI(media_type='image/png', data='iVBORw0KGgo=')
    """
    match = _DATA_URI.match(uri)
    if match is None:
        raise UnsupportedContentError(f"{where}: malformed data: URI {uri[:40]!r}… (no comma)")
    params = match.group("params").split(";")
    media_type = params[0].strip().lower() or None
    payload = match.group("payload")
    if "base64" in params[1:]:
        try:
            base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            raise UnsupportedContentError(
                f"{where}: data: URI {uri[:40]!r}… is not valid base64"
            ) from None
        return DataURI(media_type, payload)
    return DataURI(media_type, base64.b64encode(unquote_to_bytes(payload)).decode("ascii"))


# --------------------------------------------------------------------------- dialects


@dataclass(frozen=True, slots=True)
class DialectContent:
    """What a request's content may hold on one endpoint."""

    name: str
    block_cache_control: bool  # cache_control on content blocks and tools
    document_metadata: bool  # title / context on documents
    documents_in_tool_results: bool
    # An earlier answer's citations replayed on its text blocks; set per model by the encoder
    # (docs/wire.md "Citations").
    replay_citations: bool = False


# Read from the schemas: the Claude 4.x chat specs (e.g. Anthropic__claude-4-sonnet.json) carry
# ``document`` blocks in user content, so documents go on both endpoints; but their blocks are
# ``additionalProperties: false`` (no cache_control, no title/context) and a tool_result there
# holds text and images only. The Messages spec allows all three. Some older chat schemas
# (claude-3-haiku, claude-sonnet-4) omit documents: per-model refusals belong to the catalogue.
DIALECT_CONTENT: Mapping[str, DialectContent] = {
    "chat_completions": DialectContent(
        name="chat_completions",
        block_cache_control=False,
        document_metadata=False,
        documents_in_tool_results=False,
    ),
    "messages": DialectContent(
        name="messages",
        block_cache_control=True,
        document_metadata=True,
        documents_in_tool_results=True,
    ),
}
