"""Grounded answers with LangChain ``Document``s: send retrieved documents as ``search_result``
blocks, read the answer's citations back as the documents they quote (docs/citations.md).

* :func:`search_result_blocks` — documents → Claude ``search_result`` content blocks, for a
  ``HumanMessage`` (an LCEL chain) or a tool's output (an agent's retrieval tool).
* :func:`retrieval_tool` — a retriever as a tool for ``create_agent``: it returns the documents
  as search results (``content_and_artifact``: the blocks for the model, the documents as the
  ``ToolMessage``'s artifact).
* :func:`sent_documents` — every document a conversation sent as a search result, in the
  order the API numbers them.
* :func:`cited_documents` — each citation of an answer with the document it quotes.

The numbering and the matching are the core's (``aimlapi_core.grounding``), shared with the
LlamaIndex adapter: on ``/messages`` a citation names its search result by index and quotes it;
on ``/chat/completions`` it is a ``url_citation`` annotation naming the search result's
``source``, which is why each document's source carries a digest of its text (chunks of one
file share a ``metadata["source"]``, and the answer must tell them apart).

Example:
    >>> from langchain_core.documents import Document
    >>> docs = [Document("Tides follow the moon.", metadata={"source": "kb/tides.md"})]
    >>> search_result_blocks(docs)[0]["source"]
    'kb/tides.md#6f8c7cc8'
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.documents import Document
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.retrievers import BaseRetriever
from langchain_core.tools import BaseTool, StructuredTool

from aimlapi_core import SearchResultPart, TextPart
from aimlapi_core.grounding import cited_sources

__all__ = [
    "CitedDocument",
    "cited_documents",
    "retrieval_tool",
    "search_result_blocks",
    "sent_documents",
]


@dataclass(frozen=True, slots=True)
class CitedDocument:
    """One citation of an answer and the document it quotes.

    Attributes:
        document: the retrieved document.
        cited_text: the text quoted from it (``/messages``), or the span of the answer the
            citation covers (``/chat/completions``, whose citations carry no quote).
        text: the answer's text the citation supports.
        citation: the citation as the model sent it.
    """

    document: Document
    cited_text: str
    text: str
    citation: dict[str, Any]


def _source(doc: Document) -> str:
    base = str(doc.metadata.get("source") or doc.id or "document")
    suffix = "#" + hashlib.sha256(doc.page_content.encode()).hexdigest()[:8]
    return base if base.endswith(suffix) else base + suffix  # rebuilt ones carry it already


def _title(doc: Document) -> str:
    return str(doc.metadata.get("title") or doc.metadata.get("source") or doc.id or "Document")


def search_result_blocks(documents: Sequence[Document]) -> list[dict[str, Any]]:
    """``documents`` as Claude ``search_result`` blocks, citations enabled: the source is the
    document's ``metadata["source"]`` (else its id) with a digest of its text, the title its
    ``metadata["title"]`` (else the source), the content its text.

    Which models take search results is the core's rule: elsewhere the call is refused before
    any request, naming the model (docs/citations.md).
    """
    return [
        {
            "type": "search_result",
            "source": _source(doc),
            "title": _title(doc),
            "content": [{"type": "text", "text": doc.page_content}],
            "citations": {"enabled": True},
        }
        for doc in documents
    ]


def retrieval_tool(
    retriever: BaseRetriever,
    name: str = "search_documents",
    description: str = "Search the knowledge base; returns passages to cite.",
) -> BaseTool:
    """``retriever`` as a tool an agent calls with a ``query``: the model gets the documents as
    search results it can cite, the ``ToolMessage`` keeps them as its ``artifact`` (read back by
    :func:`sent_documents`)."""

    def search(query: str) -> tuple[list[dict[str, Any]], list[Document]]:
        docs = retriever.invoke(query)
        return search_result_blocks(docs), docs

    async def asearch(query: str) -> tuple[list[dict[str, Any]], list[Document]]:
        docs = await retriever.ainvoke(query)
        return search_result_blocks(docs), docs

    return StructuredTool.from_function(
        func=search,
        coroutine=asearch,
        name=name,
        description=description,
        response_format="content_and_artifact",
    )


def sent_documents(messages: Sequence[BaseMessage]) -> list[Document]:
    """Every document ``messages`` sent as a search result, in the API's numbering: a tool's
    from its ``ToolMessage`` artifact (:func:`retrieval_tool`), a user turn's rebuilt from its
    ``search_result`` block (source and title in the metadata)."""
    out: list[Document] = []
    for message in messages:
        blocks = message.content if isinstance(message.content, list) else []
        results = [b for b in blocks if isinstance(b, dict) and b.get("type") == "search_result"]
        if isinstance(message, ToolMessage) and results:
            artifact = message.artifact
            if isinstance(artifact, list) and len(artifact) == len(results):
                out.extend(artifact)
                continue
        if isinstance(message, HumanMessage | ToolMessage):
            out.extend(_rebuilt(block) for block in results)
    return out


def _rebuilt(block: dict[str, Any]) -> Document:
    content = block.get("content")
    texts = [content] if isinstance(content, dict) else content or []
    text = "".join(t.get("text", "") for t in texts if isinstance(t, dict))
    return Document(text, metadata={"source": block.get("source"), "title": block.get("title")})


def cited_documents(answer: AIMessage, documents: Sequence[Document]) -> list[CitedDocument]:
    """Each search-result citation of ``answer`` with the document it quotes.

    ``documents`` are those the request sent as search results, in order: the list given to
    :func:`search_result_blocks`, or :func:`sent_documents` of the conversation. Whole and
    streamed answers (an ``AIMessageChunk`` summed from the stream) read the same.
    """
    sources = [
        SearchResultPart(
            source=_source(doc), title=_title(doc), content=[TextPart(text=doc.page_content)]
        )
        for doc in documents
    ]
    found = cited_sources(_text_parts(answer), sources)
    return [CitedDocument(documents[g.index], g.cited_text, g.text, g.citation) for g in found]


def _text_parts(answer: AIMessage) -> list[TextPart]:
    """The answer's text blocks with their citations as the model sent them (our answers keep
    Claude's ``citations`` on each text block: ``_results.py``)."""
    if isinstance(answer.content, str):
        return [TextPart(text=answer.content)]
    parts = []
    for block in answer.content:
        if isinstance(block, dict) and block.get("type") == "text":
            citations = block.get("citations") or None
            parts.append(TextPart(text=str(block.get("text", "")), citations=citations))
    return parts
