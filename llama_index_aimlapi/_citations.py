"""Citations between the core's wire objects and LlamaIndex ``CitationBlock``s, both ways.

An answer's text parts carry citations as received (``aimlapi_core.TextPart.citations``);
LlamaIndex shows each as a ``CitationBlock`` after the ``TextBlock`` it supports
(:func:`citation_block`), the way llama-index-llms-anthropic does: the cited text, the source
(a search result's ``source``, a web page's URL, a document's index), the title, and the
integer location fields in ``additional_location_info``.

A later turn replays them (:func:`wire_citation`): the kind is read back from which location
fields the block holds (:data:`_KINDS`), so a history written by this integration — or by
llama-index-llms-anthropic, which fills the same fields — round-trips. A web search citation
cannot be rebuilt: its ``encrypted_index`` is a string, which ``additional_location_info``
(``Dict[str, int]``) cannot hold; its text is replayed without it, as docs/wire.md "Citations"
replays an answer's text wherever a citation cannot go back (they are the earlier answer's
metadata, not input the model needs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from llama_index.core.base.llms.types import CitationBlock, TextBlock

__all__ = ["citation_block", "wire_citation"]


def citation_block(citation: dict[str, Any], text: str) -> CitationBlock | None:
    """A wire citation of the answer ``text`` (Claude's ``*_location`` or the chat endpoint's
    ``url_citation``) as a ``CitationBlock``; None for a value that is not a citation object.
    A ``url_citation`` quotes nothing: its cited content is the span of ``text`` it covers."""
    inner = citation.get("url_citation") if citation.get("type") == "url_citation" else citation
    if not isinstance(inner, dict):
        return None
    source = inner.get("url") or inner.get("source") or str(inner.get("document_index", ""))
    title = inner.get("title") or inner.get("document_title") or ""
    location = {k: v for k, v in inner.items() if isinstance(v, int) and not isinstance(v, bool)}
    cited = inner.get("cited_text")
    if cited is None and "start_index" in location and "end_index" in location:
        cited = text[location["start_index"] : location["end_index"]]
    return CitationBlock(
        cited_content=TextBlock(text=str(cited or "")),
        source=str(source),
        title=str(title),
        additional_location_info=location,
    )


def _search_result(block: CitationBlock, cited: str, at: dict[str, int]) -> dict[str, Any]:
    return {"type": "search_result_location", "cited_text": cited, "source": block.source,
            "title": block.title, **at}  # fmt: skip


def _document(kind: str) -> Callable[[CitationBlock, str, dict[str, int]], dict[str, Any]]:
    def rebuild(block: CitationBlock, cited: str, at: dict[str, int]) -> dict[str, Any]:
        return {"type": kind, "cited_text": cited, "document_title": block.title, **at}

    return rebuild


def _url(block: CitationBlock, cited: str, at: dict[str, int]) -> dict[str, Any]:
    return {"type": "url_citation", "url_citation": {"url": block.source, "title": block.title,
                                                      **at}}  # fmt: skip


# Which citation a CitationBlock was, by the location fields only that kind has; first match.
_KINDS: tuple[tuple[str, Callable[[CitationBlock, str, dict[str, int]], dict[str, Any]]], ...] = (
    ("search_result_index", _search_result),
    ("start_char_index", _document("char_location")),
    ("start_page_number", _document("page_location")),
    ("start_block_index", _document("content_block_location")),
    ("start_index", _url),
)


def wire_citation(block: CitationBlock) -> dict[str, Any] | None:
    """The wire citation a ``CitationBlock`` was made from (:func:`citation_block`), or None
    when its location fields name no kind that can be rebuilt (a web search citation)."""
    cited = block.cited_content.text if isinstance(block.cited_content, TextBlock) else ""
    at = dict(block.additional_location_info)
    for key, rebuild in _KINDS:
        if key in at:
            return rebuild(block, cited, at)
    return None
