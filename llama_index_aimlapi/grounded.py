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

from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterator, Sequence
from typing import Any

from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.base.llms.types import ChatMessage, ChatResponse, MessageRole, TextBlock
from llama_index.core.base.response.schema import (
    RESPONSE_TYPE,
    AsyncStreamingResponse,
    Response,
    StreamingResponse,
)
from llama_index.core.callbacks.base import CallbackManager
from llama_index.core.callbacks.schema import CBEventType, EventPayload
from llama_index.core.chat_engine.types import (
    AgentChatResponse,
    BaseChatEngine,
    StreamingAgentChatResponse,
)
from llama_index.core.llms.llm import LLM
from llama_index.core.memory import BaseMemory, ChatMemoryBuffer
from llama_index.core.postprocessor.types import BaseNodePostprocessor
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.response_synthesizers import BaseSynthesizer
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode
from llama_index.core.settings import Settings

from ._grounding import CITED_SPANS, NodeCitation, Sources

__all__ = [
    "CITED_SPANS",
    "DEFAULT_SYSTEM_PROMPT",
    "GroundedChatEngine",
    "GroundedQueryEngine",
    "GroundedSynthesizer",
    "NodeCitation",
]

DEFAULT_SYSTEM_PROMPT = (
    "Answer from the search results given with the question, citing the passages you use. "
    "If they do not hold the answer, say so."
)


def _ask(
    system_prompt: str, history: Sequence[ChatMessage], blocks: list[Any], question: str
) -> tuple[list[ChatMessage], ChatMessage]:
    """The request: the system prompt, the history, then the sources and the question."""
    user = ChatMessage(role=MessageRole.USER, blocks=[*blocks, TextBlock(text=question)])
    return [ChatMessage(role=MessageRole.SYSTEM, content=system_prompt), *history, user], user


def _passing(stream: Iterator[ChatResponse], done: Any) -> Generator[ChatResponse, None, None]:
    """``stream`` as it is, then ``done(last response)`` once it ends."""
    last = None
    for last in stream:
        yield last
    if last is not None:
        done(last)


async def _apassing(
    stream: AsyncIterator[ChatResponse], done: Any
) -> AsyncGenerator[ChatResponse, None]:
    last = None
    async for last in stream:
        yield last
    if last is not None:
        done(last)


def _deltas(stream: Iterator[ChatResponse], done: Any) -> Generator[str, None, None]:
    return (r.delta for r in _passing(stream, done) if r.delta)


async def _adeltas(stream: AsyncIterator[ChatResponse], done: Any) -> AsyncGenerator[str, None]:
    async for r in _apassing(stream, done):
        if r.delta:
            yield r.delta


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
    ) -> tuple[list[ChatMessage], Any, list[NodeWithScore], dict[str, Any]]:
        """The request, what to do with the last response, the source nodes, the metadata."""
        sources = Sources(self._sentence_blocks)
        question = query.query_str if isinstance(query, QueryBundle) else str(query)
        messages, _ = _ask(self._system_prompt, [], sources.add(nodes), question)
        metadata: dict[str, Any] = {"citations": []}

        def done(last: ChatResponse) -> None:
            metadata["citations"].extend(sources.cite(last.message, messages))

        return messages, done, [*sources.nodes, *(extra or [])], metadata

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
        messages, done, source_nodes, metadata = self._start(query, nodes, additional_source_nodes)
        with self._event(query) as event:
            response: RESPONSE_TYPE
            if self._streaming:
                gen = _deltas(self._llm.stream_chat(messages), done)
                response = StreamingResponse(gen, source_nodes, metadata)
            else:
                answer = self._llm.chat(messages)
                done(answer)
                response = Response(answer.message.content or "", source_nodes, metadata)
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
        messages, done, source_nodes, metadata = self._start(query, nodes, additional_source_nodes)
        with self._event(query) as event:
            response: RESPONSE_TYPE
            if self._streaming:
                agen = _adeltas(await self._llm.astream_chat(messages), done)
                response = AsyncStreamingResponse(agen, source_nodes, metadata)
            else:
                answer = await self._llm.achat(messages)
                done(answer)
                response = Response(answer.message.content or "", source_nodes, metadata)
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


class GroundedChatEngine(BaseChatEngine):
    """A chat engine that retrieves for each message, sends the nodes as search results and
    keeps the answers, citations included, in its memory: the next turn replays them (where
    the model's schema takes citations on text: docs/wire.md "Citations").

    Example:
        >>> chat = GroundedChatEngine.from_defaults(index.as_retriever(), llm=llm)  # doctest: +SKIP
        >>> chat.chat("Who built it?").metadata["citations"]  # doctest: +SKIP
    """

    def __init__(
        self,
        retriever: BaseRetriever,
        llm: LLM,
        memory: BaseMemory,
        system_prompt: str = DEFAULT_SYSTEM_PROMPT,
        node_postprocessors: list[BaseNodePostprocessor] | None = None,
        sentence_blocks: bool = True,
    ) -> None:
        self._retriever = retriever
        self._llm = llm
        self._memory = memory
        self._system_prompt = system_prompt
        self._postprocessors = node_postprocessors or []
        self._sources = Sources(sentence_blocks)

    @classmethod
    def from_defaults(
        cls,
        retriever: BaseRetriever,
        llm: LLM | None = None,
        memory: BaseMemory | None = None,
        **kwargs: Any,
    ) -> GroundedChatEngine:
        llm = llm or Settings.llm
        return cls(retriever, llm, memory or ChatMemoryBuffer.from_defaults(llm=llm), **kwargs)

    @property
    def chat_history(self) -> list[ChatMessage]:
        return self._memory.get_all()

    def reset(self) -> None:
        self._memory.reset()
        self._sources = Sources(self._sources.sentence_blocks)

    def _nodes(self, nodes: list[NodeWithScore], message: str) -> list[NodeWithScore]:
        for post in self._postprocessors:
            nodes = post.postprocess_nodes(nodes, query_str=message)
        return nodes

    def _turn(
        self, message: str, nodes: list[NodeWithScore], history: list[ChatMessage] | None
    ) -> tuple[list[ChatMessage], Any, list[NodeWithScore], dict[str, Any]]:
        if history is not None:
            self._memory.set(history)
        first = len(self._sources.nodes)
        blocks = self._sources.add(self._nodes(nodes, message))
        messages, user = _ask(self._system_prompt, self._memory.get(), blocks, message)
        metadata: dict[str, Any] = {"citations": []}

        def done(last: ChatResponse) -> None:
            self._memory.put(user)
            self._memory.put(last.message)
            metadata["citations"].extend(self._sources.cite(last.message, messages))

        return messages, done, self._sources.nodes[first:], metadata

    def chat(
        self, message: str, chat_history: list[ChatMessage] | None = None
    ) -> AgentChatResponse:
        messages, done, nodes, metadata = self._turn(
            message, self._retriever.retrieve(message), chat_history
        )
        answer = self._llm.chat(messages)
        done(answer)
        return AgentChatResponse(
            str(answer.message.content or ""), source_nodes=nodes, metadata=metadata
        )

    async def achat(
        self, message: str, chat_history: list[ChatMessage] | None = None
    ) -> AgentChatResponse:
        messages, done, nodes, metadata = self._turn(
            message, await self._retriever.aretrieve(message), chat_history
        )
        answer = await self._llm.achat(messages)
        done(answer)
        return AgentChatResponse(
            str(answer.message.content or ""), source_nodes=nodes, metadata=metadata
        )

    def stream_chat(
        self, message: str, chat_history: list[ChatMessage] | None = None
    ) -> StreamingAgentChatResponse:
        # Not LlamaIndex's write_response_to_history: it keeps only the text of the last
        # message, and the citations must reach the memory for the next turn to replay them.
        messages, done, nodes, _ = self._turn(
            message, self._retriever.retrieve(message), chat_history
        )
        return StreamingAgentChatResponse(
            chat_stream=_passing(self._llm.stream_chat(messages), done),
            source_nodes=nodes,
            is_writing_to_memory=False,
        )

    async def astream_chat(
        self, message: str, chat_history: list[ChatMessage] | None = None
    ) -> StreamingAgentChatResponse:
        messages, done, nodes, _ = self._turn(
            message, await self._retriever.aretrieve(message), chat_history
        )
        return StreamingAgentChatResponse(
            achat_stream=_apassing(await self._llm.astream_chat(messages), done),
            source_nodes=nodes,
            is_writing_to_memory=False,
        )
