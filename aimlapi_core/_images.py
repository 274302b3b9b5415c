"""Inlining ``ImagePart(url=...)`` as base64 before a request is encoded.

The API takes images as base64 only ("API only support BASE64 String as Image input", Claude 4
spec; docs/wire.md "Content parts"), so the client fetches every image URL first. Everything here is
pure — which URLs to fetch, ``data:`` URL decoding, content-type and size checks, building the new
request — and shared by the sync and async clients; only the fetch call itself differs.

The caller's request is never mutated: a new :class:`ChatRequest` with new messages and parts is
returned whenever something was inlined.

The fetch itself (both clients run the same steps, :class:`ImageFetch`): the image host is a
third party, so the request carries none of the caller's headers (``default_headers``, an
injected httpx client's headers, auth or cookies) — only ``Accept`` and ``User-Agent``.
Redirects are followed by hand, at most :data:`MAX_REDIRECTS`, each target re-checked (http(s)
only) and sent the same bare request. The body is streamed with a byte cap: a declared
``Content-Length`` over :data:`MAX_IMAGE_BYTES` is refused before anything is read, and a body
that grows past it is cut off at the cap.
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Mapping

import httpx

from ._client_settings import VERSION
from ._rules import IMAGE_MEDIA_TYPES, parse_data_uri
from ._types import ChatRequest, ImagePart, Message, Part, ToolResultPart
from .errors import AIMLAPIError, APIConnectionError, APITimeoutError, UnsupportedContentError

__all__ = [
    "MAX_IMAGE_BYTES",
    "MAX_REDIRECTS",
    "ImageFetch",
    "from_fetched",
    "inline_images",
    "urls_to_fetch",
]

# Anthropic's per-image limit for the API is 5 MB (the gateway forwards to it).
MAX_IMAGE_BYTES = 5 * 1024 * 1024

Inlined = tuple[str, str]  # (media type, base64 data)
MAX_REDIRECTS = 5
_IMAGE_HEADERS = {"Accept": "image/*", "User-Agent": f"aimlapi-integrations/{VERSION}"}

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


class ImageFetch:
    """The steps of fetching one image URL, shared by the sync and async clients; only the
    send and the body iteration differ::

        fetch = ImageFetch(url)
        while True:
            response = send(fetch.request(timeout), auth=None, follow_redirects=False)
            if fetch.follow(response):   # a redirect to a re-checked URL: go again
                continue
            fetch.begin(response)        # status and Content-Length checked
            for chunk in body: fetch.add(chunk)
            return fetch.result(response)

    Any httpx exception on the way goes through :meth:`error`.
    """

    __slots__ = ("_buffer", "hops", "origin", "url")

    def __init__(self, url: str) -> None:
        self.origin = url  # the caller's URL, named in every error
        self.url = url
        self.hops = 0
        self._buffer = bytearray()

    def request(self, timeout: httpx.Timeout) -> httpx.Request:
        """A bare GET: built directly, not by the client, so no client headers/cookies join."""
        try:
            return httpx.Request(
                "GET", self.url, headers=_IMAGE_HEADERS, extensions={"timeout": timeout.as_dict()}
            )
        except (httpx.InvalidURL, ValueError, TypeError) as exc:
            raise UnsupportedContentError(
                f"image url {self.url[:80]!r} is not a valid URL ({exc}); pass the image as "
                "base64 data or a valid http(s) URL"
            ) from None

    def follow(self, response: httpx.Response) -> bool:
        """``True`` when ``response`` redirects to a URL that passed the checks (now
        :attr:`url`); ``False`` when it is the answer itself."""
        if not response.has_redirect_location:
            return False
        if self.hops >= MAX_REDIRECTS:
            raise UnsupportedContentError(
                f"image {self.origin[:80]!r} redirected more than {MAX_REDIRECTS} times"
            )
        try:
            target = response.url.join(response.headers["location"])
        except (httpx.InvalidURL, ValueError, TypeError) as exc:
            raise UnsupportedContentError(
                f"image {self.origin[:80]!r} redirected to an invalid URL ({exc})"
            ) from None
        if target.scheme not in ("http", "https"):
            raise UnsupportedContentError(
                f"image {self.origin[:80]!r} redirected to a {target.scheme}: URL; only http(s) "
                "URLs are fetched"
            )
        self.url = str(target)
        self.hops += 1
        return True

    def begin(self, response: httpx.Response) -> None:
        """Checks the status and a declared ``Content-Length`` before the body is read."""
        if not response.is_success:
            from_fetched(self.origin, response.status_code, None, b"")  # raises
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_IMAGE_BYTES:
            raise _too_big(self.origin, f"{int(declared)} bytes (Content-Length)")

    def add(self, chunk: bytes) -> None:
        self._buffer += chunk
        if len(self._buffer) > MAX_IMAGE_BYTES:
            raise _too_big(self.origin, f"more than {MAX_IMAGE_BYTES} bytes")

    def result(self, response: httpx.Response) -> Inlined:
        content_type = response.headers.get("content-type")
        return from_fetched(self.origin, response.status_code, content_type, bytes(self._buffer))

    def error(self, exc: Exception) -> AIMLAPIError:
        """An httpx exception met while fetching, as an error of the family."""
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        if isinstance(exc, httpx.TimeoutException):
            return APITimeoutError(f"fetching image {self.origin[:80]!r} timed out ({detail})")
        if isinstance(exc, httpx.TransportError):
            return APIConnectionError(f"could not fetch image {self.origin[:80]!r} ({detail})")
        return UnsupportedContentError(
            f"could not fetch image {self.origin[:80]!r} ({detail}); pass the image as base64 "
            "data instead"
        )


def _too_big(url: str, size: str) -> UnsupportedContentError:
    return UnsupportedContentError(
        f"image {url[:80]!r} is {size}; the API limit is {MAX_IMAGE_BYTES} bytes per image — "
        "resize it first"
    )


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
