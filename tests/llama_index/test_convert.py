"""LlamaIndex messages → the core's neutral request, and neutral parts → LlamaIndex blocks."""

from __future__ import annotations

import base64

import pytest
from llama_index.core.base.llms.types import (
    AudioBlock,
    CacheControl,
    CachePoint,
    ChatMessage,
    DocumentBlock,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    VideoBlock,
)
from pydantic import BaseModel

from aimlapi_core._types import (
    DocumentPart,
    ImagePart,
    Message,
    RedactedThinkingPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolResultPart,
)
from aimlapi_core.errors import InvalidRequestError, UnsupportedContentError
from aimlapi_emulator import Emulator
from llama_index_aimlapi import AIMLAPI
from llama_index_aimlapi._convert import to_core_messages
from llama_index_aimlapi._responses import from_core_parts

PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
PNG_B64 = base64.b64encode(PNG_1PX).decode()


def test_system_messages_become_the_system_prompt_in_order() -> None:
    system, turns = to_core_messages(
        [
            ChatMessage(role="system", content="Be terse."),
            ChatMessage(role="user", content="Hi"),
            ChatMessage(role="developer", content="Use metric units."),
        ]
    )
    assert system == [TextPart(text="Be terse."), TextPart(text="Use metric units.")]
    assert turns == [Message(role="user", parts=[TextPart(text="Hi")])]


def test_tool_results_become_one_user_turn_after_the_calls() -> None:
    history = [
        ChatMessage(role="user", content="weather in Paris and Rome?"),
        ChatMessage(
            role="assistant",
            blocks=[
                TextBlock(text="Checking."),
                ToolCallBlock(tool_call_id="c1", tool_name="w", tool_kwargs={"city": "Paris"}),
                ToolCallBlock(tool_call_id="c2", tool_name="w", tool_kwargs='{"city": "Rome"}'),
            ],
        ),
        ChatMessage(role="tool", content="18C", additional_kwargs={"tool_call_id": "c1"}),
        ChatMessage(
            role="tool",
            content="boom",
            additional_kwargs={"tool_call_id": "c2", "is_error": True},
        ),
    ]
    before = [m.model_copy(deep=True) for m in history]
    _, turns = to_core_messages(history)
    assert turns[1:] == [
        Message(
            role="assistant",
            parts=[
                TextPart(text="Checking."),
                ToolCallPart(id="c1", name="w", arguments={"city": "Paris"}),
                ToolCallPart(id="c2", name="w", arguments={"city": "Rome"}),
            ],
        ),
        Message(
            role="user",
            parts=[
                ToolResultPart(tool_call_id="c1", content=[TextPart(text="18C")]),
                ToolResultPart(tool_call_id="c2", content=[TextPart(text="boom")], is_error=True),
            ],
        ),
    ]
    assert history == before  # the caller's messages are untouched


def test_tool_message_without_id_is_refused_naming_the_fix() -> None:
    with pytest.raises(InvalidRequestError, match=r"message 0 .*tool_call_id"):
        to_core_messages([ChatMessage(role="tool", content="x")])


def test_legacy_openai_tool_calls_in_additional_kwargs_are_sent() -> None:
    message = ChatMessage(
        role="assistant",
        content="",
        additional_kwargs={
            "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
            ]
        },
    )
    _, turns = to_core_messages([message])
    assert turns == [
        Message(role="assistant", parts=[ToolCallPart(id="call_1", name="f", arguments={})])
    ]


def test_legacy_tool_calls_as_sdk_objects_are_sent_with_normalised_ids(
    fresh_emulator: Emulator,
) -> None:
    # llama-index-llms-openai / OpenAILike keep the OpenAI SDK's pydantic tool-call objects
    # (not dicts) in additional_kwargs["tool_calls"]; a history written by them must still send.
    class Function(BaseModel):
        name: str
        arguments: str

    class ToolCall(BaseModel):  # the shape of openai's ChatCompletionMessageToolCall
        id: str
        type: str = "function"
        function: Function

    call = ToolCall(id="call:1", function=Function(name="f", arguments='{"x": 1}'))
    history = [
        ChatMessage(role="assistant", content=None, additional_kwargs={"tool_calls": [call]}),
        ChatMessage(role="tool", content="ok", additional_kwargs={"tool_call_id": "call:1"}),
    ]
    _, turns = to_core_messages(history)
    (part,) = turns[0].parts
    assert isinstance(part, ToolCallPart)
    assert (part.name, part.arguments) == ("f", {"x": 1})
    assert turns[1].parts == [ToolResultPart(tool_call_id=part.id, content=[TextPart(text="ok")])]
    llm = AIMLAPI(api_key=fresh_emulator.api_key, base_url=fresh_emulator.base_url)
    llm.chat([ChatMessage(role="user", content="q"), *history])
    _, call, result = fresh_emulator.last_request.json["messages"]
    assert call["content"][0]["id"].startswith("call_1_")  # "call:1" is refused by the API
    assert result["content"][0]["tool_use_id"] == call["content"][0]["id"]


def test_thinking_block_keeps_its_signature() -> None:
    message = ChatMessage(
        role="assistant",
        blocks=[
            ThinkingBlock(content="hmm", additional_information={"signature": "sig=="}),
            ThinkingBlock(
                content="",
                additional_information={"type": "redacted_thinking", "data": "opaque"},
            ),
            TextBlock(text="42"),
        ],
    )
    _, turns = to_core_messages([message])
    assert turns[0].parts == [
        ThinkingPart(thinking="hmm", signature="sig=="),
        RedactedThinkingPart(data="opaque"),
        TextPart(text="42"),
    ]


def test_image_bytes_path_and_data_url_become_base64(tmp_path) -> None:
    path = tmp_path / "dot.png"
    path.write_bytes(PNG_1PX)
    message = ChatMessage(
        role="user",
        blocks=[
            ImageBlock(image=PNG_1PX),
            ImageBlock(path=path),
            ImageBlock(url=f"data:image/png;base64,{PNG_B64}"),
            ImageBlock(url="https://example.com/cat.jpg"),
        ],
    )
    _, turns = to_core_messages([message])
    expected = ImagePart(media_type="image/png", data=PNG_B64)
    assert turns[0].parts[:3] == [expected, expected, expected]
    # A remote image is left for the core client to fetch and inline.
    assert turns[0].parts[3] == ImagePart(
        media_type="image/jpeg", url="https://example.com/cat.jpg"
    )


def test_image_of_unsupported_media_type_is_refused() -> None:
    block = ImageBlock(image=b"BM not really a bitmap", image_mimetype="image/bmp")
    with pytest.raises(UnsupportedContentError, match=r"ImageBlock in message 0.*image/bmp"):
        to_core_messages([ChatMessage(role="user", blocks=[block])])


def test_documents_and_cache_points_on_messages() -> None:
    message = ChatMessage(
        role="user",
        blocks=[
            DocumentBlock(data=b"plain words", document_mimetype="text/plain", title="notes"),
            CachePoint(cache_control=CacheControl(type="ephemeral")),
            TextBlock(text="Summarise"),
            CachePoint(cache_control=CacheControl(type="ephemeral", ttl="1h")),
        ],
    )
    system_msg = ChatMessage(
        role="system",
        blocks=[TextBlock(text="sys"), CachePoint(cache_control=CacheControl(type="ephemeral"))],
    )
    system, turns = to_core_messages([system_msg, message])
    assert system == [TextPart(text="sys", cache_control={"type": "ephemeral"})]
    assert turns[0].parts == [
        DocumentPart(
            media_type="text/plain",
            data="plain words",
            title="notes",
            cache_control={"type": "ephemeral"},
        ),
        TextPart(text="Summarise", cache_control={"type": "ephemeral", "ttl": "1h"}),
    ]


def test_plain_text_document_that_is_not_utf8_is_refused_naming_the_block() -> None:
    # Was a bare UnicodeDecodeError from deep inside the converter.
    block = DocumentBlock(data=b"caf\xe9 latin-1", document_mimetype="text/plain")
    with pytest.raises(UnsupportedContentError, match=r"DocumentBlock in message 0.*UTF-8"):
        to_core_messages([ChatMessage(role="user", blocks=[block])])


def test_pdf_document_is_base64() -> None:
    pdf = b"%PDF-1.4 tiny"
    block = DocumentBlock(data=pdf, document_mimetype="application/pdf")
    _, turns = to_core_messages([ChatMessage(role="user", blocks=[block])])
    assert turns[0].parts == [
        DocumentPart(media_type="application/pdf", data=base64.b64encode(pdf).decode())
    ]


def test_percent_encoded_data_url_is_sent_as_base64() -> None:
    """RFC 2397 data URIs without ;base64 name the same bytes; the core's one parser
    (aimlapi_core/_rules/content.py, parse_data_uri) re-encodes them. Was refused by this
    adapter only."""
    text_png = "data:image/png," + "".join(f"%{b:02X}" for b in PNG_1PX)
    _, turns = to_core_messages([ChatMessage(role="user", blocks=[ImageBlock(url=text_png)])])
    assert turns[0].parts == [ImagePart(media_type="image/png", data=PNG_B64)]


@pytest.mark.parametrize(
    ("block", "name"),
    [
        (AudioBlock(audio=b"RIFF....", format="wav"), "AudioBlock"),
        (VideoBlock(video=b"\x00\x00\x00 ftypmp4", video_mimetype="video/mp4"), "VideoBlock"),
    ],
)
def test_unsendable_blocks_raise_naming_the_block(block, name) -> None:
    message = ChatMessage(role="user", blocks=[TextBlock(text="hi"), block])
    with pytest.raises(UnsupportedContentError, match=rf"{name} in message 0"):
        to_core_messages([message])


def test_blocks_in_the_wrong_role_are_refused() -> None:
    with pytest.raises(UnsupportedContentError, match="ToolCallBlock in message 0"):
        to_core_messages(
            [ChatMessage(role="user", blocks=[ToolCallBlock(tool_call_id="1", tool_name="f")])]
        )
    with pytest.raises(UnsupportedContentError, match="system prompt takes text only"):
        to_core_messages([ChatMessage(role="system", blocks=[ImageBlock(image=PNG_1PX)])])


def test_empty_turn_is_refused_not_sent() -> None:
    with pytest.raises(InvalidRequestError, match=r"message 1 .*no content"):
        to_core_messages(
            [ChatMessage(role="user", content="hi"), ChatMessage(role="assistant", content="")]
        )


def test_consecutive_same_side_messages_merge() -> None:
    _, turns = to_core_messages(
        [ChatMessage(role=MessageRole.USER, content="a"), ChatMessage(role="user", content="b")]
    )
    assert turns == [Message(role="user", parts=[TextPart(text="a"), TextPart(text="b")])]


def test_parts_to_blocks_round_trip_through_the_history() -> None:
    parts = [
        ThinkingPart(thinking="think", signature="s1"),
        RedactedThinkingPart(data="r"),
        TextPart(text="Let me look."),
        ToolCallPart(id="t1", name="f", arguments={"x": 1}),
        ToolCallPart(id="t2", name="g", arguments={}),
    ]
    blocks = from_core_parts(parts)
    assert [type(b).__name__ for b in blocks] == [
        "ThinkingBlock",
        "ThinkingBlock",
        "TextBlock",
        "ToolCallBlock",
        "ToolCallBlock",
    ]
    assert blocks[0].additional_information == {"signature": "s1"}
    _, turns = to_core_messages([ChatMessage(role="assistant", blocks=blocks)])
    assert turns == [Message(role="assistant", parts=parts)]
