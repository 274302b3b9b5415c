"""Retrieved nodes as citable sources, and an answer's citations back as those nodes: what the
grounded synthesizer (``grounded.py``) and chat engine (``_grounded_chat.py``) share, down to
the request they send and the streams they pass through.

Each node goes out as a ``CitableBlock`` (a ``search_result`` block on the wire: docs/wire.md
"Citations") whose text blocks are the node's sentences, cut so that they join back into the
node's text exactly: Claude cites search results by block, so a citation names the sentences it
rests on, and :class:`Sources` turns the block range back into a character span of the node's
text. Which search result a citation names is the core's reading (``aimlapi_core.grounding``):
by index on ``/messages``, by source on ``/chat/completions`` (whose ``url_citation`` carries
no block range: the span is found by the text it covers).
"""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    CitableBlock,
    MessageRole,
    TextBlock,
)
from llama_index.core.base.response.schema import Response
from llama_index.core.schema import MetadataMode, NodeWithScore

from aimlapi_core import Part, SearchResultPart, TextPart
from aimlapi_core.grounding import cited_sources

from ._convert import to_core_messages

__all__ = [
    "CITED_SPANS",
    "DEFAULT_SYSTEM_PROMPT",
    "NodeCitation",
    "Request",
    "Sources",
    "adeltas",
    "apassing",
    "ask",
    "deltas",
    "passing",
]

# A sentence and the whitespace after it; the pieces of a text join back into it exactly.
_SENTENCE = re.compile(r".+?(?:[.!?]+(?=\s|$)|$)\s*", re.S)
# The metadata key under which a response's source nodes list the spans the answer cites.
CITED_SPANS = "cited_spans"
_SOURCE_KEYS = ("url", "source", "file_path", "file_name")
_TITLE_KEYS = ("title", "file_name", "source", "url")


@dataclass(frozen=True, slots=True)
class NodeCitation:
    """One citation of a grounded answer, tied to the node it quotes.

    Attributes:
        node: the source node (one of the response's ``source_nodes``).
        cited_text: the text the citation quotes (``/messages``) or the span of the answer it
            covers (``/chat/completions``).
        text: the answer's text the citation supports.
        start: where the cited span starts in ``node.node.get_content()`` (None if the text
            cannot be found there).
        end: where it ends.
        citation: the citation as the model sent it.
    """

    node: NodeWithScore
    cited_text: str
    text: str
    start: int | None
    end: int | None
    citation: dict[str, Any]


def _sentences(text: str) -> list[tuple[int, int]]:
    spans = [(m.start(), m.end()) for m in _SENTENCE.finditer(text)]
    return spans or [(0, len(text))]


def _first(metadata: dict[str, Any], keys: Sequence[str], default: str) -> str:
    return next((str(metadata[k]) for k in keys if metadata.get(k)), default)


@dataclass
class _Sent:
    node: NodeWithScore  # the copy the response shows
    spans: list[tuple[int, int]]  # each text block's span of the node's text


@dataclass
class Sources:
    """The nodes sent as search results, each with its block spans; :meth:`cite` reads an
    answer's citations back as these nodes."""

    sentence_blocks: bool = True
    nodes: list[NodeWithScore] = field(default_factory=list)
    _sent: dict[str, _Sent] = field(default_factory=dict)  # by search result source

    def add(self, nodes: Sequence[NodeWithScore]) -> list[CitableBlock]:
        """``nodes`` as citable blocks. Each node's copy on the response lists the spans the
        answer cites in its metadata (:data:`CITED_SPANS`)."""
        blocks = []
        for scored in nodes:
            node = scored.node
            text = node.get_content(metadata_mode=MetadataMode.NONE)
            spans = _sentences(text) if self.sentence_blocks else [(0, len(text))]
            source = f"{_first(node.metadata, _SOURCE_KEYS, 'node')}#{node.node_id}"
            title = _first(node.metadata, _TITLE_KEYS, node.node_id)
            content = [TextBlock(text=text[a:b]) for a, b in spans]
            blocks.append(CitableBlock(source=source, title=title, content=content))
            copy = node.model_copy(update={"metadata": {**node.metadata, CITED_SPANS: []}})
            self.nodes.append(NodeWithScore(node=copy, score=scored.score))
            self._sent[source] = _Sent(self.nodes[-1], spans)
        return blocks

    def cite(self, answer: ChatMessage, sent: Sequence[ChatMessage]) -> list[NodeCitation]:
        """``answer``'s citations of the search results the request ``sent`` (numbered as the
        API numbers them: a memory that dropped old turns dropped their numbers too); each
        cited span is also added to its node's :data:`CITED_SPANS`."""
        citable = [b for m in sent for b in m.blocks if isinstance(b, CitableBlock)]
        parts = [
            SearchResultPart(source=b.source, title=b.title, content=[
                TextPart(text=t.text) for t in b.content if isinstance(t, TextBlock)])
            for b in citable
        ]  # fmt: skip
        out = []
        for g in cited_sources(_text_parts(answer), parts):
            known = self._sent.get(g.source.source)
            if known is None:
                continue  # a search result the caller put in the history, not a node of ours
            text = "".join(p.text for p in g.source.content)
            start, end = _span(known.spans, text, g.citation, g.cited_text)
            out.append(NodeCitation(known.node, g.cited_text, g.text, start, end, g.citation))
            if start is not None and end is not None:
                known.node.node.metadata[CITED_SPANS].append([start, end])
        return out


def _span(
    spans: list[tuple[int, int]], text: str, citation: dict[str, Any], cited: str
) -> tuple[int | None, int | None]:
    """The cited span of a node's text: from the citation's block range (``/messages``), else
    where the cited text stands in it (``/chat/completions``)."""
    first, last = citation.get("start_block_index"), citation.get("end_block_index")
    if isinstance(first, int) and isinstance(last, int) and 0 <= first < last <= len(spans):
        start, end = spans[first][0], spans[last - 1][1]
        return start, start + len(text[start:end].rstrip())  # the sentences, not the gap after
    at = text.find(cited) if cited else -1
    return (at, at + len(cited)) if at >= 0 else (None, None)


def _text_parts(message: ChatMessage) -> list[Part]:
    """The answer as parts, citations on the text they follow: the conversion a later turn
    replays it with (``_convert.py``)."""
    if not message.blocks:
        return []
    _, turns = to_core_messages([message])
    return turns[0].parts if turns else []


# --------------------------------------------------------------------------- requests

DEFAULT_SYSTEM_PROMPT = (
    "Answer from the search results given with the question, citing the passages you use. "
    "If they do not hold the answer, say so."
)


def ask(
    system_prompt: str, history: Sequence[ChatMessage], blocks: list[Any], question: str
) -> tuple[list[ChatMessage], ChatMessage]:
    """The request: the system prompt, the history, then the sources and the question."""
    user = ChatMessage(role=MessageRole.USER, blocks=[*blocks, TextBlock(text=question)])
    return [ChatMessage(role=MessageRole.SYSTEM, content=system_prompt), *history, user], user


def passing(stream: Iterator[ChatResponse], done: Any) -> Generator[ChatResponse, None, None]:
    """``stream`` as it is, then ``done(last response)`` once it ends."""
    last = None
    for last in stream:
        yield last
    if last is not None:
        done(last)


async def apassing(
    stream: AsyncIterator[ChatResponse], done: Any
) -> AsyncGenerator[ChatResponse, None]:
    last = None
    async for last in stream:
        yield last
    if last is not None:
        done(last)


def deltas(stream: Iterator[ChatResponse], done: Any) -> Generator[str, None, None]:
    return (r.delta for r in passing(stream, done) if r.delta)


async def adeltas(stream: AsyncIterator[ChatResponse], done: Any) -> AsyncGenerator[str, None]:
    async for r in apassing(stream, done):
        if r.delta:
            yield r.delta


@dataclass
class Request:
    """One grounded request: its messages, the sources they carry, the response's source
    nodes and metadata (``metadata["citations"]`` filled by :meth:`done`)."""

    messages: list[ChatMessage]
    sources: Sources
    source_nodes: list[NodeWithScore]
    metadata: dict[str, Any] = field(init=False, default_factory=lambda: {"citations": []})

    def done(self, last: ChatResponse) -> None:
        self.metadata["citations"].extend(self.sources.cite(last.message, self.messages))

    def whole(self, answer: ChatResponse) -> Response:
        self.done(answer)
        return Response(answer.message.content or "", self.source_nodes, self.metadata)
