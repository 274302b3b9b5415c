"""LangChain's side of grounded answers: Documents as search_result blocks, search results
returned by tools, documents the API fetches from a URL, and citations read back as the
Documents they quote (langchain_aimlapi/citations.py; docs/citations.md)."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage

import aimlapi_core as t
from aimlapi_core.errors import UnsupportedContentError
from aimlapi_emulator import Emulator
from langchain_aimlapi import ChatAIMLAPI
from langchain_aimlapi._convert import to_core_messages
from langchain_aimlapi.citations import (
    cited_documents,
    search_result_blocks,
    sent_documents,
)

DOCS = [
    Document("Tides follow the moon.", metadata={"source": "kb/sea.md", "title": "Sea"}),
    Document("Two tides a day.", metadata={"source": "kb/sea.md", "title": "Sea"}),
]


def test_documents_become_search_results_with_distinct_sources() -> None:
    """Chunks of one file share a source; the digest tells them apart (the chat endpoint's
    citations name a search result by its source)."""
    blocks = search_result_blocks(DOCS)
    assert [b["content"] for b in blocks] == [
        [{"type": "text", "text": "Tides follow the moon."}],
        [{"type": "text", "text": "Two tides a day."}],
    ]
    assert blocks[0]["title"] == "Sea"
    assert blocks[0]["citations"] == {"enabled": True}
    assert blocks[0]["source"].startswith("kb/sea.md#")
    assert blocks[0]["source"] != blocks[1]["source"]
    _, turns = to_core_messages([HumanMessage([*blocks, {"type": "text", "text": "Q"}])])
    assert turns[0].parts[0] == t.SearchResultPart(
        source=blocks[0]["source"],
        title="Sea",
        content=[t.TextPart(text="Tides follow the moon.")],
        citations=True,
    )


def test_a_tool_may_return_search_results() -> None:
    messages = [
        HumanMessage("Q"),
        AIMessage("", tool_calls=[{"id": "t1", "name": "search", "args": {}}]),
        ToolMessage(search_result_blocks(DOCS), tool_call_id="t1", artifact=DOCS),
    ]
    _, turns = to_core_messages(messages)
    (result,) = turns[2].parts
    assert isinstance(result, t.ToolResultPart)
    assert [type(p).__name__ for p in result.content] == ["SearchResultPart"] * 2
    assert sent_documents(messages) == DOCS


def test_sent_documents_rebuilds_those_a_user_turn_carried() -> None:
    rebuilt = sent_documents([HumanMessage([*search_result_blocks(DOCS), "Q"])])
    assert [d.page_content for d in rebuilt] == [d.page_content for d in DOCS]
    assert search_result_blocks(rebuilt) == search_result_blocks(DOCS)


def _location(index: int, cited: str) -> dict:
    return {
        "type": "search_result_location", "cited_text": cited, "search_result_index": index,
        "source": "s", "title": "Sea", "start_block_index": 0, "end_block_index": 1,
    }  # fmt: skip


def test_citations_read_back_as_documents_whole_and_summed_from_chunks() -> None:
    whole = AIMessage(
        [{"type": "text", "text": "Twice.", "citations": [_location(1, "Two tides a day.")]}]
    )
    cite = _location(1, "Two tides a day.")
    first = AIMessageChunk([{"type": "text", "text": "", "citations": [cite], "index": 0}])
    summed = first + AIMessageChunk([{"type": "text", "text": "Twice.", "index": 0}])
    for answer in (whole, summed):
        (cited,) = cited_documents(answer, DOCS)
        assert cited.document is DOCS[1]
        assert cited.cited_text == "Two tides a day."
        assert cited.text == "Twice."


def test_chat_url_citations_read_back_by_source() -> None:
    source = search_result_blocks(DOCS)[0]["source"]
    span = {"url": source, "title": "Sea", "start_index": 6, "end_index": 28}
    note = {"type": "url_citation", "url_citation": span}
    answer = AIMessage(
        [{"type": "text", "text": "Well: Tides follow the moon.", "citations": [note]}]
    )
    (cited,) = cited_documents(answer, DOCS)
    assert cited.document is DOCS[0]
    assert cited.cited_text == "Tides follow the moon."


@pytest.mark.parametrize(
    "block",
    [
        {"type": "document", "source": {"type": "url", "url": "https://e.com/r.pdf"}},
        {"type": "file", "url": "https://e.com/r.pdf", "mime_type": "application/pdf"},
    ],
)
def test_a_document_with_a_url_is_a_url_document(block: dict) -> None:
    _, turns = to_core_messages([HumanMessage([block])])
    assert turns[0].parts == [
        t.DocumentPart(media_type="application/pdf", url="https://e.com/r.pdf")
    ]


def test_a_url_document_that_is_not_a_pdf_is_refused() -> None:
    block = {"type": "file", "url": "https://e.com/n.txt", "mime_type": "text/plain"}
    with pytest.raises(UnsupportedContentError, match="must be a PDF"):
        to_core_messages([HumanMessage([block])])


def test_a_url_document_is_refused_naming_the_model_before_any_request(
    emulator: Emulator, emulator_api_key: str
) -> None:
    emulator.clear_requests()
    llm = ChatAIMLAPI(model="claude-sonnet-4", api_key=emulator_api_key, base_url=emulator.base_url)
    report = {"type": "file", "url": "https://e.com/r.pdf", "mime_type": "application/pdf"}
    with pytest.raises(UnsupportedContentError, match="claude-sonnet-4") as caught:
        llm.invoke([HumanMessage([report, "Sum it up."])])
    assert "documents fetched from a URL" in str(caught.value)
    assert emulator.requests == []
