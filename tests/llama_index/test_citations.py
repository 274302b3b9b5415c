"""LlamaIndex's citable input and citations: ``CitableBlock`` is sent as a ``search_result``
block, an answer's citations come back as ``CitationBlock``s and are replayed on the text they
follow; ``DocumentBlock(url=...)`` is a document the API fetches (docs/wire.md "Citations",
"Content parts"). What a model's schema does not take is refused before any request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from llama_index.core.base.llms.types import (
    ChatMessage,
    CitableBlock,
    CitationBlock,
    DocumentBlock,
    ImageBlock,
    TextBlock,
)

from aimlapi_core import DocumentPart, SearchResultPart, TextPart, ToolResultPart
from aimlapi_core.errors import UnsupportedContentError
from aimlapi_emulator import Emulator
from llama_index_aimlapi import AIMLAPI
from llama_index_aimlapi._convert import to_core_messages
from llama_index_aimlapi._responses import from_core_parts

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
TIDES = CitableBlock(
    source="kb://tides",
    title="Tides",
    content=[
        TextBlock(text="Tides follow the moon."),
        TextBlock(text="High tide comes twice a day."),
    ],
)
SEARCH_RESULT = SearchResultPart(
    source="kb://tides",
    title="Tides",
    content=[
        TextPart(text="Tides follow the moon."),
        TextPart(text="High tide comes twice a day."),
    ],
    citations=True,
)
CITATIONS = [
    {"type": "search_result_location", "cited_text": "Two a day.", "source": "kb://tides",
     "title": "Tides", "search_result_index": 0, "start_block_index": 1, "end_block_index": 2},
    {"type": "char_location", "cited_text": "abc", "document_title": "Notes",
     "document_index": 1, "start_char_index": 0, "end_char_index": 3},
    {"type": "page_location", "cited_text": "p", "document_title": "Report",
     "document_index": 0, "start_page_number": 2, "end_page_number": 3},
    {"type": "content_block_location", "cited_text": "b", "document_title": "Doc",
     "document_index": 2, "start_block_index": 0, "end_block_index": 1},
    {"type": "url_citation", "url_citation": {"url": "kb://tides", "title": "Tides",
                                              "start_index": 0, "end_index": 5}},
]  # fmt: skip


def test_a_citable_block_is_a_search_result_in_a_user_turn() -> None:
    _, turns = to_core_messages([ChatMessage(role="user", blocks=[TIDES, TextBlock(text="Q?")])])
    assert turns[0].parts == [SEARCH_RESULT, TextPart(text="Q?")]


def test_a_tool_may_return_citable_blocks() -> None:
    messages = [
        ChatMessage(role="user", content="Look it up"),
        ChatMessage(
            role="assistant",
            blocks=[TextBlock(text="Searching.")],
            additional_kwargs={"tool_calls": [{"id": "t1", "function": {"name": "kb"}}]},
        ),
        ChatMessage(role="tool", blocks=[TIDES], additional_kwargs={"tool_call_id": "t1"}),
    ]
    _, turns = to_core_messages(messages)
    assert turns[2].parts == [ToolResultPart(tool_call_id="t1", content=[SEARCH_RESULT])]


@pytest.mark.parametrize(
    ("message", "says"),
    [
        (
            ChatMessage(
                role="user",
                blocks=[CitableBlock(source="s", title="t", content=[ImageBlock(image=PNG_1PX)])],
            ),
            "holds a ImageBlock; a search_result holds text only",
        ),
        (
            ChatMessage(role="user", blocks=[CitableBlock(source="s", title="t", content="")]),
            "no text to cite",
        ),
        (
            ChatMessage(role="assistant", blocks=[TIDES]),
            "citable sources go in user turns or tool results",
        ),
        (
            ChatMessage(role="user", blocks=[CitationBlock(
                cited_content="x", source="s", title="t", additional_location_info={})]),
            "citations belong to the model's answers",
        ),
        (
            ChatMessage(role="assistant", blocks=[CitationBlock(
                cited_content="x", source="s", title="t", additional_location_info={})]),
            "follows the TextBlock it supports",
        ),
    ],
)  # fmt: skip
def test_citable_and_citation_blocks_where_they_cannot_go_are_refused(
    message: ChatMessage, says: str
) -> None:
    with pytest.raises(UnsupportedContentError, match=says):
        to_core_messages([ChatMessage(role="user", content="hi"), message])


def test_every_citation_kind_round_trips_through_citation_blocks() -> None:
    """Out as CitationBlocks after their text, back on the same text for the next turn."""
    answer = [TextPart(text="Cited.", citations=CITATIONS)]
    blocks = from_core_parts(answer)
    assert [type(b).__name__ for b in blocks] == ["TextBlock"] + ["CitationBlock"] * 5
    assert blocks[1].source == "kb://tides"
    assert blocks[1].cited_content.text == "Two a day."
    assert blocks[1].additional_location_info == {
        "search_result_index": 0, "start_block_index": 1, "end_block_index": 2,
    }  # fmt: skip
    assert blocks[5].cited_content.text == "Cited"  # a url_citation: the span it covers
    history = [ChatMessage(role="user", content="Q"), ChatMessage(role="assistant", blocks=blocks)]
    _, turns = to_core_messages(history)
    assert turns[1].parts == answer


def test_a_web_search_citation_replays_its_text_alone() -> None:
    """Its encrypted_index cannot live in a CitationBlock (llama_index_aimlapi/_citations.py)."""
    web = {"type": "web_search_result_location", "cited_text": "Mild.", "url": "https://w.example",
           "title": "W", "encrypted_index": "Eo8B"}  # fmt: skip
    blocks = from_core_parts([TextPart(text="It is mild.", citations=[web])])
    assert isinstance(blocks[1], CitationBlock)
    assert blocks[1].source == "https://w.example"
    history = [ChatMessage(role="user", content="Q"), ChatMessage(role="assistant", blocks=blocks)]
    assert to_core_messages(history)[1][1].parts == [TextPart(text="It is mild.")]


def test_a_document_block_with_a_url_is_a_url_document() -> None:
    block = DocumentBlock(url="https://example.com/report.pdf", title="Report")
    _, turns = to_core_messages([ChatMessage(role="user", blocks=[block])])
    assert turns[0].parts == [
        DocumentPart(media_type="application/pdf", url="https://example.com/report.pdf",
                     title="Report")
    ]  # fmt: skip


def test_a_url_document_that_is_not_a_pdf_is_refused() -> None:
    block = DocumentBlock(url="https://example.com/notes.txt", document_mimetype="text/plain")
    with pytest.raises(UnsupportedContentError, match="must be a PDF"):
        to_core_messages([ChatMessage(role="user", blocks=[block])])


# --------------------------------------------------------------------------- per model


@pytest.mark.parametrize(
    ("model", "block", "what"),
    [
        ("claude-sonnet-4", TIDES, "search_result blocks"),
        ("claude-sonnet-4", DocumentBlock(url="https://e.com/r.pdf"), "fetched from a URL"),
    ],
)
def test_refused_on_a_model_whose_chat_schema_lacks_it_before_any_request(
    emulator: Emulator, emulator_api_key: str, model: str, block: Any, what: str
) -> None:
    emulator.clear_requests()
    llm = AIMLAPI(model=model, api="chat_completions", api_key=emulator_api_key,
                  base_url=emulator.base_url)  # fmt: skip
    message = ChatMessage(role="user", blocks=[block, TextBlock(text="Q?")])
    with pytest.raises(UnsupportedContentError, match=what) as caught:
        llm.chat([message])
    assert "claude-sonnet-4" in str(caught.value)
    assert emulator.requests == []


def test_sent_on_a_model_whose_schema_lists_them(
    llm_factory: Callable[..., AIMLAPI], emulator: Emulator, api: str
) -> None:
    llm = llm_factory(model="anthropic/claude-sonnet-5")
    llm.chat([ChatMessage(role="user", blocks=[TIDES, TextBlock(text="When are tides?")])])
    (sent,) = emulator.requests
    assert sent.json["messages"][0]["content"][0] == {
        "type": "search_result",
        "source": "kb://tides",
        "title": "Tides",
        "content": [{"type": "text", "text": "Tides follow the moon."},
                    {"type": "text", "text": "High tide comes twice a day."}],
        "citations": {"enabled": True},
    }  # fmt: skip


def test_a_url_document_is_sent_on_a_model_whose_schema_lists_url_sources(
    llm_factory: Callable[..., AIMLAPI], emulator: Emulator
) -> None:
    llm = llm_factory(model="anthropic/claude-sonnet-5")
    block = DocumentBlock(url="https://example.com/report.pdf")
    answer = llm.chat([ChatMessage(role="user", blocks=[block, TextBlock(text="Sum it up.")])])
    (sent,) = emulator.requests
    assert sent.json["messages"][0]["content"][0] == {
        "type": "document",
        "source": {"type": "url", "url": "https://example.com/report.pdf"},
    }
    assert "a PDF at https://example.com/report.pdf" in str(answer.message.content)


@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "streamed"])
def test_citations_come_back_as_citation_blocks_and_are_replayed(
    llm_factory: Callable[..., AIMLAPI], emulator: Emulator, api: str, streamed: bool
) -> None:
    llm = llm_factory(model="anthropic/claude-sonnet-5")
    question = ChatMessage(
        role="user", blocks=[TIDES, TextBlock(text="How often does high tide come?")]
    )
    if streamed:
        responses = list(llm.stream_chat([question]))
        answer = responses[-1].message
        # The citation shows on the streamed responses as it arrives, before the last one.
        assert any(isinstance(b, CitationBlock) for r in responses[:-1] for b in r.message.blocks)
    else:
        answer = llm.chat([question]).message
    text, cited = answer.blocks
    assert isinstance(cited, CitationBlock)
    assert cited.source == "kb://tides"
    assert cited.cited_content.text == "High tide comes twice a day."
    assert cited.cited_content.text in text.text
    emulator.clear_requests()
    llm.chat([question, answer, ChatMessage(role="user", content="Thanks.")])
    replayed = emulator.requests[0].json["messages"][1]["content"]
    if api == "messages":  # Claude's citation goes back on its text (docs/wire.md "Citations")
        assert replayed == [
            {"type": "text", "text": text.text, "citations": [
                {"type": "search_result_location", "cited_text": "High tide comes twice a day.",
                 "source": "kb://tides", "title": "Tides", "search_result_index": 0,
                 "start_block_index": 1, "end_block_index": 2}]}
        ]  # fmt: skip
    else:  # the chat endpoint's url_citation is not a Claude citation: the text alone
        assert replayed == text.text


def test_the_grounded_query_engine_needs_an_index_or_a_retriever() -> None:
    from llama_index_aimlapi.grounded import GroundedQueryEngine

    with pytest.raises(ValueError, match="needs an index or a retriever"):
        GroundedQueryEngine.from_args(llm=AIMLAPI(api_key="sk-test"))
