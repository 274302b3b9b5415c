"""Grounded answers: which search result each citation of an answer quotes.

A request gives the model sources as ``search_result`` blocks (:class:`SearchResultPart`, in a
user turn or inside a tool result: docs/wire.md "Citations"); the answer's text parts carry
citations that point back at them, in the shape of the endpoint that answered:

* ``/messages``: ``search_result_location {cited_text, search_result_index, source, title,
  start_block_index, end_block_index}`` — the quoted text and the index of the search result
  among every search result of the request, in the order they were sent [INF: Anthropic's
  format; the newer schemas list it among their citation types].
* ``/chat/completions``: ``url_citation {url, title, start_index, end_index}`` annotations, the
  only citation its response schemas document (docs/wire.md "Citations"). The search result is
  the one whose ``source`` is the ``url``; the cited text is the span of the answer the
  annotation covers.

:func:`search_results` lists a conversation's search results in the API's numbering and
:func:`cited_sources` ties each citation of an answer to one of them. Both adapters build their
grounded helpers on these two (LlamaIndex's ``GroundedQueryEngine``, LangChain's
``cited_documents``); nothing here knows a framework.

Example:
    >>> from aimlapi_core import SearchResultPart, TextPart
    >>> sources = [SearchResultPart(source="kb://1", title="Tides",
    ...                             content=[TextPart(text="Tides follow the moon.")])]
    >>> answer = [TextPart(text="Tides follow the moon.", citations=[{
    ...     "type": "search_result_location", "cited_text": "Tides follow the moon.",
    ...     "search_result_index": 0, "source": "kb://1", "title": "Tides",
    ...     "start_block_index": 0, "end_block_index": 1}])]
    >>> [(g.index, g.cited_text) for g in cited_sources(answer, sources)]
    [(0, 'Tides follow the moon.')]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ._types import JSONObject, Message, Part, SearchResultPart, TextPart, ToolResultPart
from .errors import ResponseValidationError

__all__ = ["Grounding", "cited_sources", "search_results"]


@dataclass(frozen=True, slots=True)
class Grounding:
    """One citation of an answer, tied to the search result it quotes.

    Attributes:
        index: the search result's position in :func:`search_results` order.
        source: that search result.
        cited_text: the text the citation quotes (``/messages``) or covers (``/chat/completions``).
        text: the answer's text the citation supports.
        citation: the citation exactly as received.
    """

    index: int
    source: SearchResultPart
    cited_text: str
    text: str
    citation: JSONObject


def search_results(messages: Iterable[Message]) -> list[SearchResultPart]:
    """The search results ``messages`` carry, in the order the API numbers them
    (``search_result_index``): message by message, a tool result's where it stands."""
    out: list[SearchResultPart] = []
    for message in messages:
        for part in message.parts:
            if isinstance(part, SearchResultPart):
                out.append(part)
            elif isinstance(part, ToolResultPart):
                out.extend(p for p in part.content if isinstance(p, SearchResultPart))
    return out


def cited_sources(parts: Sequence[Part], sources: Sequence[SearchResultPart]) -> list[Grounding]:
    """Each search-result citation of the answer ``parts``, with the source it names.

    ``sources`` are the request's search results (:func:`search_results`). Citations of other
    kinds (documents, web search results, a ``url_citation`` whose URL is no source's) are not
    search-result citations and are left out; a ``search_result_location`` pointing past the
    sources raises :class:`ResponseValidationError` (the answer does not belong to them).
    """
    by_source: dict[str, int] = {}
    for i, result in enumerate(sources):
        by_source.setdefault(result.source, i)
    out: list[Grounding] = []
    for part in parts:
        if not isinstance(part, TextPart):
            continue
        for citation in part.citations or []:
            found = _locate(citation, part.text, sources, by_source)
            if found is not None:
                index, cited = found
                out.append(Grounding(index, sources[index], cited, part.text, citation))
    return out


def _locate(
    citation: JSONObject,
    text: str,
    sources: Sequence[SearchResultPart],
    by_source: dict[str, int],
) -> tuple[int, str] | None:
    kind = citation.get("type")
    if kind == "search_result_location":
        index = citation.get("search_result_index")
        if not isinstance(index, int) or not 0 <= index < len(sources):
            raise ResponseValidationError(
                f"the answer cites search result {index!r}, but the request sent "
                f"{len(sources)}: {citation!r:.200}"
            )
        return index, str(citation.get("cited_text", ""))
    if kind == "url_citation" and isinstance(inner := citation.get("url_citation"), dict):
        index = by_source.get(str(inner.get("url")))
        if index is None:
            return None  # a web page the model found itself, not one of the sources
        start, end = inner.get("start_index", 0), inner.get("end_index", len(text))
        if not (isinstance(start, int) and isinstance(end, int)):
            raise ResponseValidationError(f"url_citation span is not two integers: {inner!r:.200}")
        return index, text[start:end]
    return None
