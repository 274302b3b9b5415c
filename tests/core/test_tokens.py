"""aimlapi_core.tokens: the local estimate is what its docstring says it is."""

from __future__ import annotations

import base64
import struct
import zlib

import pytest

from aimlapi_core import ChatRequest, Message, TextPart, ToolChoice, ToolSpec
from aimlapi_core._types import (
    DocumentPart,
    ImagePart,
    ThinkingPart,
    ToolCallPart,
    ToolResultPart,
)
from aimlapi_core.tokens import (
    estimate_image_tokens,
    estimate_request_tokens,
    estimate_text_tokens,
    estimate_tool_tokens,
)


def png(width: int, height: int) -> str:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    raw = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")
    return base64.b64encode(raw).decode()


def gif(width: int, height: int) -> str:
    return base64.b64encode(b"GIF89a" + struct.pack("<HH", width, height) + b"\0" * 8).decode()


def jpeg(width: int, height: int) -> str:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\0" + b"\0" * 9
    sof = b"\xff\xc0" + struct.pack(">HBHH", 17, 8, height, width) + b"\0" * 10
    return base64.b64encode(b"\xff\xd8" + app0 + sof + b"\xff\xd9").decode()


def user(*parts: object) -> Message:
    return Message(role="user", parts=list(parts))  # type: ignore[arg-type]


def request(*messages: Message, **kwargs: object) -> ChatRequest:
    return ChatRequest(model="claude-sonnet-4", max_tokens=64, messages=list(messages), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "expected"), [("", 0), ("abc", 1), ("abcd", 2), ("x" * 35, 10)])
def test_text_is_one_token_per_three_and_a_half_characters(text: str, expected: int) -> None:
    assert estimate_text_tokens(text) == expected


@pytest.mark.parametrize("encode", [png, gif, jpeg])
def test_image_tokens_follow_width_times_height_over_750(encode: object) -> None:
    part = ImagePart(media_type="image/png", data=encode(300, 200))  # type: ignore[operator]
    assert estimate_image_tokens(part) == 80  # 300 * 200 / 750


def test_large_images_are_resized_then_capped() -> None:
    # 3136x3136 is resized to 1568x1568 (3278 tokens by the formula), capped at 1600.
    assert estimate_image_tokens(ImagePart(media_type="image/png", data=png(3136, 3136))) == 1600
    # 3136x392 → 1568x196 → ceil(409.8) = 410
    assert estimate_image_tokens(ImagePart(media_type="image/png", data=png(3136, 392))) == 410


def test_unreadable_or_remote_images_count_the_maximum() -> None:
    assert estimate_image_tokens(ImagePart(url="https://example.com/a.png")) == 1600
    assert estimate_image_tokens(ImagePart(media_type="image/png", data="bm90IGFuIGltYWdl")) == 1600


def test_tools_add_the_tool_prompt_and_their_definitions() -> None:
    spec = ToolSpec(name="get_weather", description="Weather.", input_schema={"type": "object"})
    definition = estimate_text_tokens('get_weatherWeather.{"type": "object"}')
    assert estimate_tool_tokens([spec]) == 346 + definition
    assert estimate_tool_tokens([spec], "any") == 313 + definition
    assert estimate_tool_tokens([]) == 0


def test_a_request_counts_system_messages_images_tools_and_thinking() -> None:
    text_only = request(user(TextPart(text="Hi there!")))
    assert estimate_request_tokens(text_only) == 4 + 3
    with_system = request(user(TextPart(text="Hi there!")), system=[TextPart(text="Be brief.")])
    assert estimate_request_tokens(with_system) == estimate_request_tokens(text_only) + 4 + 3

    image = ImagePart(media_type="image/png", data=png(300, 200))
    assert estimate_request_tokens(request(user(image))) == 4 + 80

    thinking = Message(role="assistant", parts=[ThinkingPart(thinking="x" * 70, signature="s")])
    assert estimate_request_tokens(request(user(TextPart(text="")), thinking)) == 4 + 4 + 20

    call = Message(role="assistant", parts=[ToolCallPart(id="t1", name="f", arguments={"a": 1})])
    result = user(ToolResultPart(tool_call_id="t1", content=[TextPart(text="x" * 7)]))
    assert estimate_request_tokens(request(call, result)) == (4 + 3) + (4 + 4 + 2)

    spec = ToolSpec(name="f")
    tooled = request(
        user(TextPart(text="")), tools=[spec], tool_choice=ToolChoice(type="tool", name="f")
    )
    assert estimate_request_tokens(tooled) == 4 + estimate_tool_tokens([spec], "tool")


def test_pdf_documents_count_per_page() -> None:
    pdf = b"%PDF-1.4 /Type /Pages /Type /Page /Type/Page /Type /Page"
    part = DocumentPart(media_type="application/pdf", data=base64.b64encode(pdf).decode())
    assert estimate_request_tokens(request(user(part))) == 4 + 3 * 3000


def test_server_tool_parts_and_specs_are_counted_not_zero() -> None:
    from aimlapi_core import ServerToolCallPart, ServerToolSpec

    call = ServerToolCallPart(
        id="srvtoolu_1", name="web_search", arguments={"query": "harbour ferry"}
    )
    base = ChatRequest(
        model="claude-sonnet-4", max_tokens=64, messages=[Message(role="user", parts=[])]
    )
    with_call = ChatRequest(
        model="claude-sonnet-4",
        max_tokens=64,
        messages=[Message(role="assistant", parts=[call])],
    )
    with_tool = ChatRequest(
        model="claude-sonnet-4",
        max_tokens=64,
        messages=[Message(role="user", parts=[])],
        tools=[ServerToolSpec(type="web_search_20250305", name="web_search")],
    )
    assert estimate_request_tokens(with_call) > estimate_request_tokens(base)
    assert estimate_request_tokens(with_tool) > estimate_request_tokens(base)
