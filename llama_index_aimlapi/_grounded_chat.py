"""The grounded chat engine (``llama_index_aimlapi.grounded.GroundedChatEngine``): retrieval
for each message, the nodes sent as search results, every answer kept in memory with its
citations so later turns replay them (docs/citations.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.base.llms.types import ChatMessage, ChatResponse
from llama_index.core.chat_engine.types import (
    AgentChatResponse,
    BaseChatEngine,
    StreamingAgentChatResponse,
)
from llama_index.core.llms.llm import LLM
from llama_index.core.memory import BaseMemory, ChatMemoryBuffer
from llama_index.core.postprocessor.types import BaseNodePostprocessor
from llama_index.core.schema import NodeWithScore
from llama_index.core.settings import Settings

from ._grounding import DEFAULT_SYSTEM_PROMPT, Request, Sources, apassing, ask, passing

__all__ = ["GroundedChatEngine"]


@dataclass
class _Turn(Request):
    """A chat engine's request: once answered, the question and the answer (its citations
    with it) join the memory."""

    memory: BaseMemory
    user: ChatMessage

    def done(self, last: ChatResponse) -> None:
        self.memory.put(self.user)
        self.memory.put(last.message)
        super().done(last)

    def reply(self, answer: ChatResponse) -> AgentChatResponse:
        response = self.whole(answer)
        return AgentChatResponse(
            str(response.response), source_nodes=self.source_nodes, metadata=self.metadata
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
    ) -> _Turn:
        if history is not None:
            self._memory.set(history)
        first = len(self._sources.nodes)
        blocks = self._sources.add(self._nodes(nodes, message))
        messages, user = ask(self._system_prompt, self._memory.get(), blocks, message)
        return _Turn(messages, self._sources, self._sources.nodes[first:], memory=self._memory,
                     user=user)  # fmt: skip

    def chat(
        self, message: str, chat_history: list[ChatMessage] | None = None
    ) -> AgentChatResponse:
        turn = self._turn(message, self._retriever.retrieve(message), chat_history)
        return turn.reply(self._llm.chat(turn.messages))

    async def achat(
        self, message: str, chat_history: list[ChatMessage] | None = None
    ) -> AgentChatResponse:
        turn = self._turn(message, await self._retriever.aretrieve(message), chat_history)
        return turn.reply(await self._llm.achat(turn.messages))

    def stream_chat(
        self, message: str, chat_history: list[ChatMessage] | None = None
    ) -> StreamingAgentChatResponse:
        # Not LlamaIndex's write_response_to_history: it keeps only the text of the last
        # message, and the citations must reach the memory for the next turn to replay them.
        turn = self._turn(message, self._retriever.retrieve(message), chat_history)
        return StreamingAgentChatResponse(
            chat_stream=passing(self._llm.stream_chat(turn.messages), turn.done),
            source_nodes=turn.source_nodes,
            is_writing_to_memory=False,
        )

    async def astream_chat(
        self, message: str, chat_history: list[ChatMessage] | None = None
    ) -> StreamingAgentChatResponse:
        turn = self._turn(message, await self._retriever.aretrieve(message), chat_history)
        return StreamingAgentChatResponse(
            achat_stream=apassing(await self._llm.astream_chat(turn.messages), turn.done),
            source_nodes=turn.source_nodes,
            is_writing_to_memory=False,
        )
