"""Local stand-ins for the files LangChain's standard suites download.

``langchain_tests`` fetches an image and a PDF from the internet with module-level
``httpx.get`` (integration_tests/chat_models.py: raw.githubusercontent.com/.../
agentic-rag-output.png and www.w3.org/.../dummy.pdf), and the image-URL test makes *our*
client fetch the same image URL.
No test may reach the internet, so both are served from bytes built here: ``httpx.get`` is
patched for those URLs only, and the models get ``httpx`` clients whose transport answers those
hosts locally and passes everything else (the loopback emulator) to the real network transport.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

SUITE_IMAGE_URL = (
    "https://raw.githubusercontent.com/langchain-ai/docs/4d11d08b6b0e210bd456943f7a22febbd168b543"
    "/src/images/agentic-rag-output.png"
)
SUITE_PDF_URL = "https://www.w3.org/WAI/ER/tests/xhtml/testfiles/resources/pdf/dummy.pdf"


def make_png(width: int = 8, height: int = 8) -> bytes:
    """A real (decodable) RGB PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes([200, 30, 30]) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

LOCAL_FILES: dict[str, tuple[str, bytes]] = {
    SUITE_IMAGE_URL: ("image/png", make_png()),
    SUITE_PDF_URL: ("application/pdf", MINIMAL_PDF),
}


def _local_response(request: httpx.Request) -> httpx.Response:
    found = LOCAL_FILES.get(str(request.url))
    if found is None:
        return httpx.Response(404, text=f"no local copy of {request.url}")
    media_type, body = found
    return httpx.Response(200, content=body, headers={"content-type": media_type})


_LOCAL_HOSTS = {httpx.URL(url).host for url in LOCAL_FILES}


def local_http_client() -> httpx.Client:
    mounts = {f"https://{host}": httpx.MockTransport(_local_response) for host in _LOCAL_HOSTS}
    return httpx.Client(mounts=mounts)  # type: ignore[arg-type]


def local_async_http_client() -> httpx.AsyncClient:
    mounts = {f"https://{host}": httpx.MockTransport(_local_response) for host in _LOCAL_HOSTS}
    return httpx.AsyncClient(mounts=mounts)  # type: ignore[arg-type]


@pytest.fixture
def local_suite_files(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[httpx.Client, httpx.AsyncClient]]:
    """Serve the standard suites' downloads from LOCAL_FILES instead of the internet, and give
    the clients a model needs to fetch those URLs itself."""
    real_get = httpx.get

    def fake_get(url: Any, *args: Any, **kwargs: Any) -> httpx.Response:
        if str(url) in LOCAL_FILES:
            return _local_response(httpx.Request("GET", str(url)))
        return real_get(url, *args, **kwargs)

    monkeypatch.setattr(httpx, "get", fake_get)
    with local_http_client() as client:
        yield client, local_async_http_client()
