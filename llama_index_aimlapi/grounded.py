"""Grounded answers for LlamaIndex: retrieved nodes sent as search results Claude cites, the
answer's citations read back as the nodes they quote (docs/citations.md).

* :class:`GroundedSynthesizer` — a response synthesizer: ``index.as_query_engine(llm=llm,
  response_synthesizer=GroundedSynthesizer(llm=llm))``.
* :class:`GroundedQueryEngine` — the same as a query engine, ``from_args(index, llm=llm)``
  the way ``CitationQueryEngine`` is made.
* :class:`GroundedChatEngine` — a chat engine that retrieves for each message and keeps the
  answers' citations in its history, so later turns replay them.

Every response carries ``source_nodes`` (the retrieved nodes, in the order sent; each a copy
whose ``metadata["cited_spans"]`` lists the ``[start, end]`` character spans of its text the
answer cites) and ``metadata["citations"]``: one :class:`NodeCitation` per citation, naming its
node, the cited text and the answer text it supports. Streamed, both fill in when the stream
ends. Sync, async and streaming share one path per step.

Unlike ``CitationQueryEngine``, which asks any LLM to write ``[1]``-style numbers into its
answer (a number nothing checks), these citations are the model's own: it quotes the source
text, and the quote is checked against the node it names.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.base.response.schema import (
    RESPONSE_TYPE,
    AsyncStreamingResponse,
    StreamingResponse,
)
from llama_index.core.callbacks.base import CallbackManager
from llama_index.core.callbacks.schema import CBEventType, EventPayload
from llama_index.core.llms.llm import LLM
from llama_index.core.postprocessor.types import BaseNodePostprocessor
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.response_synthesizers import BaseSynthesizer
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode
from llama_index.core.settings import Settings

from ._grounded_chat import GroundedChatEngine
from ._grounding import (
    CITED_SPANS,
    DEFAULT_SYSTEM_PROMPT,
    NodeCitation,
    Request,
    Sources,
    adeltas,
    ask,
    deltas,
)

__all__ = [
    "CITED_SPANS",
    "DEFAULT_SYSTEM_PROMPT",
    "GroundedChatEngine",
    "GroundedQueryEngine",
    "GroundedSynthesizer",
    "NodeCitation",
]


class GroundedSynthesizer(BaseSynthesizer):
    """Answers from the retrieved nodes as search results and ties each citation to its node.

    Args:
        llm: the model (an ``AIMLAPI`` whose model takes search results: the 5-series, Opus 4.8
            and the ``-latest`` ids on either endpoint, every model on ``api="messages"``);
            ``Settings.llm`` if not given.
        streaming: answer as a ``StreamingResponse``.
        system_prompt: the instruction sent with the sources.
        sentence_blocks: send each node as one text block per sentence, so citations name
            sentences (True), or as one block.
        callback_manager: as for any synthesizer.

    Example:
        >>> engine = index.as_query_engine(  # doctest: +SKIP
        ...     llm=llm, response_synthesizer=GroundedSynthesizer(llm=llm))
        >>> for c in engine.query("When was the lighthouse built?").metadata["citations"]:
        ...     print(c.node.node.node_id, c.cited_text)  # doctest: +SKIP
    """

    def __init__(
        self,
        llm: LLM | None = None,
        *,
        streaming: bool = False,
        system_prompt: str = DEFAULT_SYSTEM_PROMPT,
        sentence_blocks: bool = True,
        callback_manager: CallbackManager | None = None,
    ) -> None:
        super().__init__(llm=llm, callback_manager=callback_manager, streaming=streaming)
        self._system_prompt = system_prompt
        self._sentence_blocks = sentence_blocks

    def _get_prompts(self) -> dict[str, Any]:
        return {}

    def _update_prompts(self, prompts_dict: dict[str, Any]) -> None:
        pass  # the system prompt is a constructor argument; there is no template to update

    # ------------------------------------------------------------------ the grounded path

    def _start(
        self, query: Any, nodes: Sequence[NodeWithScore], extra: Sequence[NodeWithScore] | None
    ) -> Request:
        sources = Sources(self._sentence_blocks)
        question = query.query_str if isinstance(query, QueryBundle) else str(query)
        messages, _ = ask(self._system_prompt, [], sources.add(nodes), question)
        return Request(messages, sources, [*sources.nodes, *(extra or [])])

    def _event(self, query: Any) -> Any:
        return self._callback_manager.event(
            CBEventType.SYNTHESIZE, payload={EventPayload.QUERY_STR: str(query)}
        )

    def synthesize(
        self,
        query: Any,
        nodes: list[NodeWithScore],
        additional_source_nodes: Sequence[NodeWithScore] | None = None,
        **response_kwargs: Any,
    ) -> RESPONSE_TYPE:
        if not nodes:
            return super().synthesize(query, nodes, additional_source_nodes, **response_kwargs)
        request = self._start(query, nodes, additional_source_nodes)
        with self._event(query) as event:
            response: RESPONSE_TYPE
            if self._streaming:
                gen = deltas(self._llm.stream_chat(request.messages), request.done)
                response = StreamingResponse(gen, request.source_nodes, request.metadata)
            else:
                response = request.whole(self._llm.chat(request.messages))
            event.on_end(payload={EventPayload.RESPONSE: response})
        return response

    async def asynthesize(
        self,
        query: Any,
        nodes: list[NodeWithScore],
        additional_source_nodes: Sequence[NodeWithScore] | None = None,
        **response_kwargs: Any,
    ) -> RESPONSE_TYPE:
        if not nodes:
            return await super().asynthesize(
                query, nodes, additional_source_nodes, **response_kwargs
            )
        request = self._start(query, nodes, additional_source_nodes)
        with self._event(query) as event:
            response: RESPONSE_TYPE
            if self._streaming:
                agen = adeltas(await self._llm.astream_chat(request.messages), request.done)
                response = AsyncStreamingResponse(agen, request.source_nodes, request.metadata)
            else:
                response = request.whole(await self._llm.achat(request.messages))
            event.on_end(payload={EventPayload.RESPONSE: response})
        return response

    # ------------------------------------------------------------------ text chunks only

    def get_response(self, query_str: str, text_chunks: Sequence[str], **kwargs: Any) -> Any:
        """The answer to ``query_str`` from bare text chunks (what other engines hand a
        synthesizer): a string, or a generator of text when streaming."""
        nodes = [NodeWithScore(node=TextNode(text=chunk)) for chunk in text_chunks]
        response = self.synthesize(query_str, nodes)
        if isinstance(response, StreamingResponse):
            return response.response_gen
        return str(response)

    async def aget_response(self, query_str: str, text_chunks: Sequence[str], **kwargs: Any) -> Any:
        nodes = [NodeWithScore(node=TextNode(text=chunk)) for chunk in text_chunks]
        response = await self.asynthesize(query_str, nodes)
        if isinstance(response, AsyncStreamingResponse):
            return response.response_gen
        return str(response)


class GroundedQueryEngine(RetrieverQueryEngine):
    """A retriever query engine whose synthesizer is :class:`GroundedSynthesizer`."""

    @classmethod
    def from_args(  # type: ignore[override]
        cls,
        index: Any = None,
        llm: LLM | None = None,
        *,
        retriever: BaseRetriever | None = None,
        streaming: bool = False,
        system_prompt: str = DEFAULT_SYSTEM_PROMPT,
        sentence_blocks: bool = True,
        node_postprocessors: list[BaseNodePostprocessor] | None = None,
        callback_manager: CallbackManager | None = None,
        **retriever_kwargs: Any,
    ) -> GroundedQueryEngine:
        """Made as ``CitationQueryEngine.from_args`` is: from an index (``retriever_kwargs``
        such as ``similarity_top_k`` go to ``index.as_retriever``) or a retriever.

        Example:
            >>> engine = GroundedQueryEngine.from_args(index, llm=llm,  # doctest: +SKIP
            ...                                        similarity_top_k=3)
        """
        if retriever is None:
            if index is None:
                raise ValueError("GroundedQueryEngine.from_args needs an index or a retriever")
            retriever = index.as_retriever(**retriever_kwargs)
        synthesizer = GroundedSynthesizer(
            llm=llm or Settings.llm,
            streaming=streaming,
            system_prompt=system_prompt,
            sentence_blocks=sentence_blocks,
            callback_manager=callback_manager,
        )
        return cls(
            retriever=retriever,
            response_synthesizer=synthesizer,
            node_postprocessors=node_postprocessors,
            callback_manager=callback_manager,
        )
