"""Inlining ``ImagePart(url=...)`` as base64 before a request is encoded.

The API takes images as base64 only ("API only support BASE64 String as Image input", Claude 4
spec; docs/wire.md "Content parts"), so the client fetches every image URL first. Everything here is
pure — which URLs to fetch, ``data:`` URL decoding, content-type and size checks, building the new
request — and shared by the sync and async clients; only the fetch call itself differs.

The caller's request is never mutated: a new :class:`ChatRequest` with new messages and parts is
returned whenever something was inlined.
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Mapping

from ._rules import IMAGE_MEDIA_TYPES, parse_data_uri
from ._types import ChatRequest, ImagePart, Message, Part, ToolResultPart
from .errors import UnsupportedContentError

__all__ = ["MAX_IMAGE_BYTES", "from_fetched", "inline_images", "urls_to_fetch"]

# Anthropic's per-image limit for the API is 5 MB (the gateway forwards to it).
MAX_IMAGE_BYTES = 5 * 1024 * 1024

Inlined = tuple[str, str]  # (media type, base64 data)

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def _sniff(content: bytes) -> str | None:
    for magic, media_type in _MAGIC:
        if content.startswith(magic):
            return media_type
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def _image_parts(request: ChatRequest) -> list[ImagePart]:
    found: list[ImagePart] = []
    for message in request.messages:
        for part in message.parts:
            if isinstance(part, ImagePart):
                found.append(part)
            elif isinstance(part, ToolResultPart):
                found.extend(p for p in part.content if isinstance(p, ImagePart))
    return found


def _needs_inlining(part: ImagePart) -> bool:
    return part.data is None and part.url is not None


def urls_to_fetch(request: ChatRequest) -> list[str]:
    """The http(s) image URLs that must be fetched (``data:`` URLs are decoded without a fetch).

    Raises ``UnsupportedContentError`` for an ``ImagePart`` with neither data nor URL, or a URL of
    another scheme.
    """
    urls: list[str] = []
    for part in _image_parts(request):
        if part.data is not None:
            continue
        if part.url is None:
            raise UnsupportedContentError("an ImagePart needs either data (base64) or a url")
        if part.url.startswith("data:"):
            continue
        if not part.url.startswith(("http://", "https://")):
            raise UnsupportedContentError(
                f"cannot fetch image url {part.url[:80]!r}: only http(s) and data: URLs are "
                "supported; pass the image as base64 data instead"
            )
        if part.url not in urls:
            urls.append(part.url)
    return urls


def _check(url: str, media_type: str | None, content: bytes) -> Inlined:
    sniffed = _sniff(content)
    declared = media_type.split(";")[0].strip().lower() if media_type else None
    chosen = declared if declared in IMAGE_MEDIA_TYPES else sniffed
    if chosen is None:
        raise UnsupportedContentError(
            f"image {url[:80]!r} has content type {declared or 'unknown'}; the API accepts "
            f"{', '.join(sorted(IMAGE_MEDIA_TYPES))}"
        )
    if len(content) > MAX_IMAGE_BYTES:
        raise UnsupportedContentError(
            f"image {url[:80]!r} is {len(content)} bytes; the API limit is {MAX_IMAGE_BYTES} bytes "
            "per image — resize it first"
        )
    return chosen, base64.b64encode(content).decode("ascii")


def from_fetched(url: str, status_code: int, content_type: str | None, content: bytes) -> Inlined:
    """Check a fetched image and turn it into ``(media_type, base64)``."""
    if not 200 <= status_code < 300:
        raise UnsupportedContentError(
            f"could not fetch image {url[:80]!r}: HTTP {status_code}; pass the image as base64 "
            "data or a reachable URL"
        )
    return _check(url, content_type, content)


def _from_data_url(url: str) -> Inlined:
    parsed = parse_data_uri(url, "an image")
    return _check(url[:40] + "…", parsed.media_type, base64.b64decode(parsed.data))


def _inline_part(part: ImagePart, fetched: Mapping[str, Inlined]) -> ImagePart:
    if not _needs_inlining(part):
        return part
    assert part.url is not None
    media_type, data = (
        _from_data_url(part.url) if part.url.startswith("data:") else fetched[part.url]
    )
    return dataclasses.replace(part, media_type=media_type, data=data, url=None)


def _inline_message(message: Message, fetched: Mapping[str, Inlined]) -> Message:
    parts: list[Part] = []
    for part in message.parts:
        if isinstance(part, ImagePart):
            parts.append(_inline_part(part, fetched))
        elif isinstance(part, ToolResultPart) and any(
            isinstance(p, ImagePart) and _needs_inlining(p) for p in part.content
        ):
            content = [
                _inline_part(p, fetched) if isinstance(p, ImagePart) else p for p in part.content
            ]
            parts.append(dataclasses.replace(part, content=content))
        else:
            parts.append(part)
    return dataclasses.replace(message, parts=parts)


def inline_images(request: ChatRequest, fetched: Mapping[str, Inlined]) -> ChatRequest:
    """A copy of ``request`` whose URL images carry base64 data (``fetched`` maps each URL from
    :func:`urls_to_fetch` to its image); the request itself when nothing needed inlining."""
    if not any(_needs_inlining(p) for p in _image_parts(request)):
        return request
    messages = [_inline_message(m, fetched) for m in request.messages]
    return dataclasses.replace(request, messages=messages)
