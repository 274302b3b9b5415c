"""Content blocks, thinking (with signatures) and metadata against the emulator."""

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
    TextBlock,
    ThinkingBlock,
)
from llama_index.core.tools import FunctionTool

from aimlapi_core.errors import BadRequestError, UnsupportedContentError
from aimlapi_emulator import Reply
from llama_index_aimlapi import AIMLAPI

PNG_B64 = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg"
    "=="
)
PNG = base64.b64decode(PNG_B64)
WIRE_IMAGE = {
    "type": "image",
    "source": {"type": "base64", "media_type": "image/png", "data": PNG_B64},
}


def lookup(term: str) -> str:
    """Look a term up in the glossary."""
    return f"{term}: a small harbour town"


LOOKUP = FunctionTool.from_defaults(fn=lookup)


def test_images_from_bytes_and_path_are_sent_as_base64(llm, emulator, tmp_path) -> None:
    path = tmp_path / "dot.png"
    path.write_bytes(PNG)
    message = ChatMessage(
        role="user",
        blocks=[TextBlock(text="Describe these"), ImageBlock(image=PNG), ImageBlock(path=path)],
    )
    response = llm.chat([message])
    assert emulator.requests[-1].json["messages"] == [
        {
            "role": "user",
            "content": [{"type": "text", "text": "Describe these"}, WIRE_IMAGE, WIRE_IMAGE],
        }
    ]
    assert "2 images" in (response.message.content or "")


def test_unsendable_block_raises_before_any_request(llm, emulator) -> None:
    message = ChatMessage(role="user", blocks=[TextBlock(text="hi"), AudioBlock(audio=b"RIFF")])
    with pytest.raises(UnsupportedContentError, match="AudioBlock in message 0"):
        llm.chat([message])
    with pytest.raises(UnsupportedContentError, match="AudioBlock"):
        llm.stream_chat([message])  # raised at the call, not at the first next()
    assert emulator.requests == []


@pytest.mark.parametrize("api", ["messages"], indirect=True)
def test_documents_and_cache_points_on_messages(llm, emulator) -> None:
    message = ChatMessage(
        role="user",
        blocks=[
            DocumentBlock(data=b"The ferry leaves at 08:15.", document_mimetype="text/plain"),
            CachePoint(cache_control=CacheControl(type="ephemeral")),
            TextBlock(text="When does the ferry leave?"),
        ],
    )
    system = ChatMessage(
        role="system",
        blocks=[
            TextBlock(text="Cite the document."),
            CachePoint(cache_control=CacheControl(type="ephemeral")),
        ],
    )
    llm.chat([system, message])
    sent = emulator.requests[-1].json
    assert sent["system"] == [
        {"type": "text", "text": "Cite the document.", "cache_control": {"type": "ephemeral"}}
    ]
    assert sent["messages"] == [
        {
            "role": "user",
            "content": [
                {
                    "type": "document",
                    "source": {
                        "type": "text",
                        "media_type": "text/plain",
                        "data": "The ferry leaves at 08:15.",
                    },
                    "cache_control": {"type": "ephemeral"},
                },
                {"type": "text", "text": "When does the ferry leave?"},
            ],
        }
    ]


@pytest.mark.parametrize("api", ["chat_completions"], indirect=True)
def test_documents_are_sent_on_chat_completions(llm, emulator) -> None:
    """The Claude 4.x chat specs carry document blocks (one rule for every adapter, in
    aimlapi_core/_rules/content.py, DIALECT_CONTENT); this adapter used to refuse them."""
    block = DocumentBlock(data=b"The ferry leaves at 08:15.", document_mimetype="text/plain")
    llm.chat([ChatMessage(role="user", blocks=[TextBlock(text="read"), block])])
    assert emulator.requests[-1].json["messages"][0]["content"] == [
        {"type": "text", "text": "read"},
        {
            "type": "document",
            "source": {
                "type": "text",
                "media_type": "text/plain",
                "data": "The ferry leaves at 08:15.",
            },
        },
    ]


@pytest.mark.parametrize("api", ["chat_completions"], indirect=True)
def test_cache_points_need_the_messages_api(llm, emulator) -> None:
    block = CachePoint(cache_control=CacheControl(type="ephemeral"))
    with pytest.raises(UnsupportedContentError, match=r"cache_control .*api='messages'"):
        llm.chat([ChatMessage(role="user", blocks=[TextBlock(text="read"), block])])
    assert emulator.requests == []


def test_thinking_streams_as_thinking_delta(llm_factory, emulator) -> None:
    llm = llm_factory(thinking={"type": "enabled", "budget_tokens": 1024})
    emulator.add_reply(Reply(thinking="A greeting: greet back.", text="Hello! How can I help?"))
    chunks = list(llm.stream_chat([ChatMessage(role="user", content="hello")]))
    assert emulator.requests[-1].json["thinking"] == {"type": "enabled", "budget_tokens": 1024}
    thinking = "".join(c.additional_kwargs.get("thinking_delta") or "" for c in chunks)
    assert thinking == "A greeting: greet back."
    final = chunks[-1].message.blocks
    assert isinstance(final[0], ThinkingBlock)
    assert final[0].content == thinking
    assert chunks[-1].message.content == "Hello! How can I help?"


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("api", ["messages"], indirect=True)
async def test_signed_thinking_round_trips_across_tool_turns(llm_factory, emulator, stream):
    """Regression: thinking blocks (and their signatures) lost between agent turns make the
    API refuse the next request."""
    llm = llm_factory(thinking=1024)
    history = [ChatMessage(role="user", content='lookup "Harbor Point"')]
    if stream:
        first = [
            c async for c in await llm.astream_chat_with_tools([LOOKUP], chat_history=history)
        ][-1]
    else:
        first = await llm.achat_with_tools([LOOKUP], chat_history=history)
    thinking = first.message.blocks[0]
    assert isinstance(thinking, ThinkingBlock)
    assert thinking.additional_information["signature"]
    (call,) = llm.get_tool_calls_from_response(first)
    history += [
        first.message,
        ChatMessage(
            role="tool", content="a town", additional_kwargs={"tool_call_id": call.tool_id}
        ),
    ]
    second = await llm.achat_with_tools([LOOKUP], chat_history=history)
    assert second.message.content == "Here is what I found: lookup returned “a town”."
    replayed = emulator.requests[-1].json["messages"][1]["content"][0]
    assert replayed == {
        "type": "thinking",
        "thinking": thinking.content,
        "signature": thinking.additional_information["signature"],
    }
    # Control: the same history without the signature is refused, as the real service does.
    thinking.additional_information.pop("signature")
    with pytest.raises(BadRequestError):
        await llm.achat_with_tools([LOOKUP], chat_history=history)


@pytest.mark.parametrize(
    "model",
    ["claude-sonnet-4-20250514", "anthropic/claude-sonnet-4.5", "claude-opus-9-future", "nonsense"],
)
def test_metadata_never_raises_for_any_model_id(model) -> None:
    """Regression: unknown model ids crashed `metadata` (and with it every query engine)."""
    meta = AIMLAPI(model=model).metadata
    assert meta.context_window > 0
    assert meta.is_chat_model
    assert meta.is_function_calling_model
    assert meta.num_output == 4096
    assert meta.model_name == model


def test_metadata_overrides_win() -> None:
    meta = AIMLAPI(model="nonsense", context_window=12345, max_tokens=77).metadata
    assert (meta.context_window, meta.num_output) == (12345, 77)
    assert AIMLAPI(max_tokens=77, num_output=10).metadata.num_output == 10


@pytest.mark.parametrize(
    ("model", "context", "num_output"),
    [
        ("anthropic/claude-sonnet-5", 1_000_000, 4096),  # the page: "1M token context window"
        ("claude-sonnet-4-20250514", 200_000, 4096),
        ("anthropic/claude-3-haiku", 200_000, 4096),
    ],
)
def test_metadata_reads_the_catalogue(model: str, context: int, num_output: int) -> None:
    meta = AIMLAPI(model=model).metadata
    assert (meta.context_window, meta.num_output) == (context, num_output)
    assert meta.is_function_calling_model


def test_metadata_num_output_never_exceeds_the_models_maximum() -> None:
    # Claude 3 Haiku writes at most 4096 tokens (Anthropic's published maximum).
    assert AIMLAPI(model="anthropic/claude-3-haiku", max_tokens=8192).metadata.num_output == 4096
    assert AIMLAPI(model="anthropic/claude-sonnet-5", max_tokens=8192).metadata.num_output == 8192
