"""Token counts *estimated* locally for Claude, with no tokenizer download.

Claude's tokenizer is not published, and the gateway has no token-counting endpoint, so exact
counts exist only after a call (``usage`` on the result — that stays the truth). These functions
give an estimate good enough to trim a history or check a prompt against a context window:

- text: one token per 3.5 characters, rounded up (Anthropic's own rule of thumb for English
  text; code and non-Latin scripts run denser, so leave a margin);
- images: ``width * height / 750`` tokens after Claude's resizing (long edge at most 1568 px),
  at most 1600 per image, which is also the count when the size cannot be read (an image URL, an
  unknown format) — Anthropic's vision documentation gives this formula;
- PDF documents: 3000 tokens per page (Anthropic documents 1500–3000 of text per page plus the
  page image), pages counted from the PDF's page objects;
- tools: each definition's name, description and JSON schema as text, plus the tool-use system
  prompt Claude adds when tools are offered (346 tokens for ``auto``/``none``, 313 for a forced
  choice — Anthropic's tool-use pricing table for Claude 4 models);
- tool calls and results, thinking and redacted thinking: their text (thinking of earlier turns
  is counted although the API may drop it, so the estimate errs high);
- every message and the system prompt: 4 tokens of framing.

Nothing here does I/O or imports anything beyond the standard library; ``transformers`` is never
imported.

Example:
    >>> from aimlapi_core.tokens import estimate_text_tokens
    >>> estimate_text_tokens("Hello, world!")
    4
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import math
import re
import struct
from collections.abc import Sequence

from ._types import (
    ChatRequest,
    DocumentPart,
    ImagePart,
    Message,
    Part,
    RedactedThinkingPart,
    ServerToolSpec,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolResultPart,
    ToolSpec,
)

__all__ = [
    "CHARS_PER_TOKEN",
    "estimate_image_tokens",
    "estimate_message_tokens",
    "estimate_request_tokens",
    "estimate_text_tokens",
    "estimate_tool_tokens",
]

CHARS_PER_TOKEN = 3.5
MESSAGE_OVERHEAD = 4
IMAGE_MAX_TOKENS = 1600
IMAGE_MAX_EDGE = 1568
PDF_PAGE_TOKENS = 3000
TOOL_PROMPT_TOKENS = {"auto": 346, "none": 346, "any": 313, "tool": 313}
_PDF_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def estimate_text_tokens(text: str) -> int:
    """Estimated tokens in ``text``: ``ceil(len(text) / 3.5)`` (0 for an empty string)."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def _image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG, GIF, JPEG or WebP header, or None."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and len(data) >= 30:
        kind = data[12:16]
        if kind == b"VP8X":
            return 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(
                data[27:30], "little"
            )
        if kind == b"VP8 ":
            width, height = struct.unpack("<HH", data[26:30])
            return int(width) & 0x3FFF, int(height) & 0x3FFF
        if kind == b"VP8L":
            bits = int.from_bytes(data[21:25], "little")
            return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(width), int(height)
            i += 2 + int.from_bytes(data[i + 2 : i + 4], "big")
    return None


def _decode(data: str | None) -> bytes:
    if not data:
        return b""
    try:
        return base64.b64decode(data, validate=False)
    except (binascii.Error, ValueError):
        return b""


def estimate_image_tokens(part: ImagePart) -> int:
    """Estimated tokens for an image: ``w * h / 750`` after resizing, at most 1600."""
    size = _image_size(_decode(part.data)[:65536]) if part.data else None
    if size is None or min(size) <= 0:
        return IMAGE_MAX_TOKENS
    width, height = size
    scale = min(1.0, IMAGE_MAX_EDGE / max(width, height))
    return min(IMAGE_MAX_TOKENS, math.ceil(width * scale * height * scale / 750))


def _document_tokens(part: DocumentPart) -> int:
    if part.url is not None:
        return PDF_PAGE_TOKENS  # fetched by the API: its length is unknown here, so one page
    raw = _decode(part.data)
    if part.media_type == "application/pdf":
        return max(1, len(_PDF_PAGE.findall(raw))) * PDF_PAGE_TOKENS
    return estimate_text_tokens(raw.decode("utf-8", "replace"))


def _part_tokens(part: Part) -> int:
    if isinstance(part, TextPart):
        return estimate_text_tokens(part.text)
    if isinstance(part, ImagePart):
        return estimate_image_tokens(part)
    if isinstance(part, DocumentPart):
        return _document_tokens(part)
    if isinstance(part, ToolCallPart):
        return estimate_text_tokens(part.name + json.dumps(part.arguments, ensure_ascii=False))
    if isinstance(part, ToolResultPart):
        return MESSAGE_OVERHEAD + sum(_part_tokens(p) for p in part.content)
    if isinstance(part, ThinkingPart):
        return estimate_text_tokens(part.thinking)
    if isinstance(part, RedactedThinkingPart):
        return estimate_text_tokens(part.data)
    # Server tool calls and results, search results, raw blocks: counted as the JSON they are
    # sent as, so nothing a request carries is estimated at zero.
    return estimate_text_tokens(
        json.dumps(dataclasses.asdict(part), default=str, ensure_ascii=False)
    )


def estimate_message_tokens(message: Message) -> int:
    """Estimated tokens for one message: its parts plus the message framing."""
    return MESSAGE_OVERHEAD + sum(_part_tokens(part) for part in message.parts)


def estimate_tool_tokens(tools: Sequence[ToolSpec | ServerToolSpec], choice: str = "auto") -> int:
    """Estimated tokens for tool definitions, with the tool-use system prompt (0 for no tools).
    A server tool counts its documented fields as sent (the API adds its own definition)."""
    if not tools:
        return 0
    prompt = TOOL_PROMPT_TOKENS.get(choice, TOOL_PROMPT_TOKENS["auto"])
    return prompt + sum(estimate_text_tokens(_tool_text(tool)) for tool in tools)


def _tool_text(tool: ToolSpec | ServerToolSpec) -> str:
    if isinstance(tool, ServerToolSpec):
        return tool.type + tool.name + json.dumps(tool.options, ensure_ascii=False)
    return tool.name + tool.description + json.dumps(tool.input_schema, ensure_ascii=False)


def estimate_request_tokens(request: ChatRequest) -> int:
    """Estimated input tokens of a request: system, messages and tools (an estimate, not the
    count the API will bill — read ``usage`` on the result for that).

    Example:
        >>> from aimlapi_core import ChatRequest, Message, TextPart
        >>> r = ChatRequest(model="claude-sonnet-4", max_tokens=64,
        ...     messages=[Message(role="user", parts=[TextPart(text="Hi there!")])])
        >>> estimate_request_tokens(r)
        7
    """
    system = sum(estimate_text_tokens(p.text) for p in request.system)
    total = system + (MESSAGE_OVERHEAD if request.system else 0)
    total += sum(estimate_message_tokens(m) for m in request.messages)
    choice = request.tool_choice.type if request.tool_choice else "auto"
    return total + estimate_tool_tokens(request.tools, choice)
