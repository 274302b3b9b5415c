"""Grounded answers in the core: search results numbered as the API numbers them, every
citation shape tied to its source, and documents the API fetches from a URL (docs/wire.md
"Citations", "Content parts")."""

from __future__ import annotations

import json

import httpx
import pytest

from aimlapi_core import (
    AIMLAPIClient,
    ChatRequest,
    DocumentPart,
    Message,
    Part,
    SearchResultPart,
    TextPart,
    ToolResultPart,
)
from aimlapi_core.errors import ResponseValidationError, UnsupportedContentError
from aimlapi_core.grounding import cited_sources, search_results


def result(n: int, text: str) -> SearchResultPart:
    return SearchResultPart(source=f"kb://{n}", title=f"Doc {n}", content=[TextPart(text=text)])


def location(index: int, cited: str) -> dict[str, object]:
    return {
        "type": "search_result_location",
        "cited_text": cited,
        "search_result_index": index,
        "source": f"kb://{index}",
        "title": f"Doc {index}",
        "start_block_index": 0,
        "end_block_index": 1,
    }


def test_search_results_are_numbered_across_turns_and_tool_results() -> None:
    a, b, c = result(0, "A."), result(1, "B."), result(2, "C.")
    messages = [
        Message(role="user", parts=[a, TextPart(text="q")]),
        Message(role="assistant", parts=[TextPart(text="x")]),
        Message(role="user", parts=[ToolResultPart(tool_call_id="t", content=[b, c])]),
    ]
    assert search_results(messages) == [a, b, c]


def test_messages_citations_name_their_source_by_index() -> None:
    sources = [result(0, "The tide turns twice a day."), result(1, "Moons pull water.")]
    answer = [
        TextPart(text="It turns twice.", citations=[location(0, "The tide turns twice a day.")]),
        TextPart(text="Pulled.", citations=[location(1, "Moons pull water.")]),
    ]
    found = cited_sources(answer, sources)
    assert [(g.index, g.source, g.cited_text, g.text) for g in found] == [
        (0, sources[0], "The tide turns twice a day.", "It turns twice."),
        (1, sources[1], "Moons pull water.", "Pulled."),
    ]


def test_chat_url_citations_name_their_source_by_url_and_cover_a_span() -> None:
    sources = [result(0, "Alpha."), result(1, "Beta is second.")]
    text = "Answer: Beta is second."
    cite = {
        "type": "url_citation",
        "url_citation": {"url": "kb://1", "title": "Doc 1", "start_index": 8, "end_index": 23},
    }
    web = {"type": "url_citation", "url_citation": {"url": "https://web.example/x"}}
    found = cited_sources([TextPart(text=text, citations=[cite, web])], sources)
    assert [(g.index, g.cited_text) for g in found] == [(1, "Beta is second.")]


def test_other_citation_kinds_are_not_search_result_citations() -> None:
    char = {"type": "char_location", "cited_text": "x", "document_index": 0}
    assert cited_sources([TextPart(text="t", citations=[char])], [result(0, "x")]) == []


def test_a_citation_past_the_sources_is_a_response_error() -> None:
    with pytest.raises(ResponseValidationError, match="cites search result 3"):
        cited_sources([TextPart(text="t", citations=[location(3, "x")])], [result(0, "x")])


def _sent(api: str, model: str, doc: DocumentPart) -> list[dict[str, object]]:
    bodies: list[dict[str, object]] = []

    def handler(req: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(req.content))
        raise httpx.ConnectError("captured", request=req)

    client = AIMLAPIClient(
        api_key="sk-test",
        base_url="http://gateway.test/v1",
        api=api,
        max_retries=0,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    request = ChatRequest(model=model, max_tokens=64, messages=[Message(role="user", parts=[doc])])
    try:
        client.create(request)
    except UnsupportedContentError:
        raise
    except Exception:
        pass
    return bodies


URL_PDF = DocumentPart(media_type="application/pdf", url="https://example.com/report.pdf")


@pytest.mark.parametrize("api", ["chat_completions", "messages"])
def test_a_url_document_is_sent_as_a_url_source_where_the_schema_lists_it(api: str) -> None:
    (body,) = _sent(api, "anthropic/claude-sonnet-5", URL_PDF)
    assert body["messages"] == [
        {
            "role": "user",
            "content": [
                {
                    "type": "document",
                    "source": {"type": "url", "url": "https://example.com/report.pdf"},
                }
            ],
        }
    ]


def test_a_url_document_is_refused_naming_the_model_where_the_schema_lacks_it() -> None:
    with pytest.raises(UnsupportedContentError) as caught:
        _sent("chat_completions", "claude-sonnet-4", URL_PDF)
    message = str(caught.value)
    assert "claude-sonnet-4" in message
    assert "documents fetched from a URL" in message
    assert "api='messages'" in message


@pytest.mark.parametrize(
    ("doc", "says"),
    [
        (DocumentPart(media_type="application/pdf", url="ftp://x/a.pdf"), r"not an http\(s\) URL"),
        (DocumentPart(media_type="text/plain", url="https://x/a.txt"), "must be a PDF"),
    ],
)
def test_a_url_document_the_api_cannot_fetch_is_refused(doc: DocumentPart, says: str) -> None:
    with pytest.raises(UnsupportedContentError, match=says):
        _sent("messages", "anthropic/claude-sonnet-5", doc)


def test_a_url_document_is_estimated_as_one_pdf_page() -> None:
    """Its length is unknown without fetching it (aimlapi_core/tokens.py)."""
    from aimlapi_core.tokens import PDF_PAGE_TOKENS, estimate_request_tokens

    def tokens(*parts: Part) -> int:
        message = Message(role="user", parts=[*parts, TextPart(text="Sum it up.")])
        return estimate_request_tokens(ChatRequest(model="m", max_tokens=8, messages=[message]))

    assert tokens(URL_PDF) - tokens() == PDF_PAGE_TOKENS
