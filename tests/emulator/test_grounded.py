"""The emulator answers search results with citations that quote them exactly, whole and
streamed on both endpoints, and a scripted reply cites the search results it names
(aimlapi_emulator/_grounded.py; docs/wire.md "Citations")."""

from __future__ import annotations

from typing import Any

import pytest
from emulator_support import Api, sse_data, sse_events

from aimlapi_emulator import Emulator, Reply

MODEL = "anthropic/claude-sonnet-5"  # takes search results on both endpoints
RESULTS = [
    {"type": "search_result", "source": "kb://tides", "title": "Tides",
     "content": [{"type": "text", "text": "The moon pulls the sea. "},
                 {"type": "text", "text": "High tide comes twice a day."}]},
    {"type": "search_result", "source": "kb://winds", "title": "Winds",
     "content": [{"type": "text", "text": "Sea breezes blow toward land in the afternoon."}]},
]  # fmt: skip
CITED = {
    "type": "search_result_location",
    "cited_text": "High tide comes twice a day.",
    "search_result_index": 0,
    "source": "kb://tides",
    "title": "Tides",
    "start_block_index": 1,
    "end_block_index": 2,
}
ANSWER = "According to Tides: High tide comes twice a day."


def ask(question: str = "How often does high tide come each day?") -> list[dict[str, Any]]:
    return [{"role": "user", "content": [*RESULTS, {"type": "text", "text": question}]}]


def test_messages_whole_answer_cites_the_sentence(api: Api) -> None:
    body = api.messages(model=MODEL, messages=ask()).json()
    assert body["content"] == [{"type": "text", "text": ANSWER, "citations": [CITED]}]


def test_messages_stream_sends_the_citation_as_a_citations_delta(api: Api) -> None:
    events = sse_events(api.messages(model=MODEL, messages=ask(), stream=True))
    starts = [d["content_block"] for n, d in events if n == "content_block_start"]
    assert starts == [{"type": "text", "text": "", "citations": []}]
    deltas = [d["delta"] for n, d in events if n == "content_block_delta"]
    assert deltas[0] == {"type": "citations_delta", "citation": CITED}
    assert "".join(d["text"] for d in deltas[1:]) == ANSWER


def _annotation(text: str) -> dict[str, Any]:
    start = text.index(CITED["cited_text"])
    return {"type": "url_citation", "url_citation": {
        "url": "kb://tides", "title": "Tides",
        "start_index": start, "end_index": start + len(CITED["cited_text"])}}  # fmt: skip


def test_chat_answers_carry_url_citation_annotations_over_the_quote(api: Api) -> None:
    message = api.chat(model=MODEL, messages=ask()).json()["choices"][0]["message"]
    assert message["content"] == ANSWER
    assert message["annotations"] == [_annotation(ANSWER)]
    chunks = sse_data(api.chat(model=MODEL, messages=ask(), stream=True))
    deltas = [c["choices"][0].get("delta", {}) for c in chunks if c != "[DONE]" and c["choices"]]
    annotated = [d["annotations"] for d in deltas if "annotations" in d]
    assert annotated == [[_annotation(ANSWER)]]
    assert "".join(d.get("content") or "" for d in deltas) == ANSWER


def test_search_results_returned_by_a_tool_are_cited(api: Api) -> None:
    messages = [
        {"role": "user", "content": "How often does high tide come each day?"},
        {"role": "assistant", "content": [
            {"type": "tool_use", "id": "toolu_1", "name": "search", "input": {}}]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_1", "content": RESULTS}]},
    ]  # fmt: skip
    tools = [{"name": "search", "input_schema": {"type": "object", "properties": {}}}]
    body = api.messages(model=MODEL, messages=messages, tools=tools).json()
    assert body["content"] == [{"type": "text", "text": ANSWER, "citations": [CITED]}]


def test_a_question_the_results_do_not_answer_gets_no_citation(api: Api) -> None:
    body = api.messages(model=MODEL, messages=ask("Who painted the ceiling?")).json()
    assert body["content"] == [{"type": "text", "text": "The search results do not answer that."}]


@pytest.mark.parametrize("stream", [False, True])
def test_a_scripted_reply_cites_the_search_results_it_names(
    fresh_emulator: Emulator, fresh_api: Api, stream: bool
) -> None:
    fresh_emulator.set_replies([Reply(text="Both.", citations=[1, 0])])
    response = fresh_api.messages(model=MODEL, messages=ask(), stream=stream)
    if stream:
        deltas = [d["delta"] for n, d in sse_events(response) if n == "content_block_delta"]
        citations = [d["citation"] for d in deltas if d["type"] == "citations_delta"]
    else:
        (block,) = response.json()["content"]
        citations = block["citations"]
    assert [(c["search_result_index"], c["source"], c["cited_text"]) for c in citations] == [
        (1, "kb://winds", "Sea breezes blow toward land in the afternoon."),
        (0, "kb://tides", "The moon pulls the sea. "),
    ]


def test_a_scripted_citation_of_a_search_result_the_request_lacks_is_refused(
    fresh_emulator: Emulator, fresh_api: Api
) -> None:
    fresh_emulator.set_replies([Reply(text="Hm.", citations=[5])])
    response = fresh_api.messages(model=MODEL, messages=ask())
    assert response.status_code == 400
    assert "Reply.citations names search result 5, but the request has 2" in response.text


def test_reply_citations_must_be_indexes() -> None:
    with pytest.raises(ValueError, match=r"Reply\.citations"):
        Reply(text="x", citations=["first"])  # type: ignore[list-item]


URL_PDF = {"type": "document", "source": {"type": "url", "url": "https://example.com/r.pdf"}}


@pytest.mark.parametrize("path", ["/chat/completions", "/messages"])
def test_a_url_document_is_taken_where_the_schema_lists_url_sources(api: Api, path: str) -> None:
    content = [URL_PDF, {"type": "text", "text": "Summarise it."}]
    body = {"model": MODEL, "max_tokens": 64, "messages": [{"role": "user", "content": content}]}
    response = api.post(path, body)
    assert response.status_code in (200, 201), response.text
    assert "a PDF at https://example.com/r.pdf" in response.text


def test_a_url_document_is_refused_where_the_schema_has_no_url_source(api: Api) -> None:
    content = [URL_PDF, {"type": "text", "text": "Summarise it."}]
    body = {"model": "claude-sonnet-4", "max_tokens": 64,
            "messages": [{"role": "user", "content": content}]}  # fmt: skip
    response = api.post("/chat/completions", body)
    assert response.status_code == 400
    assert "source.type: Expected 'base64' | 'text', received 'url'" in response.text
