"""Grounded answers end to end, on the emulator: retrieved nodes and documents go out as
``search_result`` blocks, and every citation of the answer maps to the node or document it
quotes, its cited text an exact substring of that source — over twenty questions on ten
documents, both dialects, whole and streamed, LlamaIndex and LangChain (docs/citations.md).

The emulator's answer cites the sentence its retrieval picks (aimlapi_emulator/_grounded.py);
the tests also check that sentence is the question's answer, so a citation mapped to the wrong
source cannot pass by quoting text that happens to be everywhere.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.documents import Document
from langchain_core.messages import HumanMessage
from langchain_core.runnables import RunnableLambda, RunnableParallel, RunnablePassthrough
from langchain_core.vectorstores import InMemoryVectorStore
from llama_index.core import Document as LlamaDocument
from llama_index.core import VectorStoreIndex

from aimlapi_emulator import Emulator, Reply
from langchain_aimlapi import AIMLAPIEmbeddings
from langchain_aimlapi.citations import cited_documents, search_result_blocks
from llama_index_aimlapi import AIMLAPI, AIMLAPIEmbedding
from llama_index_aimlapi.grounded import GroundedChatEngine, GroundedQueryEngine

sys.path.insert(0, str(Path(__file__).parent))
from grounding_corpus import ANSWERS, DOCUMENTS
from langchain_support import make

MODEL = "anthropic/claude-sonnet-5"  # takes search results on both endpoints
APIS = ["chat_completions", "messages"]


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


@pytest.fixture(scope="module")
def embed_model(emu: Emulator) -> Iterator[AIMLAPIEmbedding]:
    model = AIMLAPIEmbedding(api_key=emu.api_key, base_url=emu.base_url)
    yield model
    model.close()


@pytest.fixture(scope="module")
def index(embed_model: AIMLAPIEmbedding) -> VectorStoreIndex:
    docs = [
        LlamaDocument(text=text, metadata={"title": title}) for title, text in DOCUMENTS.items()
    ]
    return VectorStoreIndex.from_documents(docs, embed_model=embed_model)


@pytest.fixture(scope="module")
def lc_embeddings(emu: Emulator) -> Iterator[AIMLAPIEmbeddings]:
    model = AIMLAPIEmbeddings(api_key=emu.api_key, base_url=emu.base_url)
    yield model
    model.close()


_MADE: list[AIMLAPI] = []


@pytest.fixture(autouse=True)
async def _close_models(
    embed_model: AIMLAPIEmbedding, lc_embeddings: AIMLAPIEmbeddings
) -> AsyncIterator[None]:
    yield  # async calls opened pools on this test's event loop: close them there
    await embed_model.aclose()
    await lc_embeddings.aclose()
    while _MADE:
        model = _MADE.pop()
        model.close()
        await model.aclose()


def llama(emu: Emulator, api: str) -> AIMLAPI:
    _MADE.append(AIMLAPI(model=MODEL, api=api, api_key=emu.api_key, base_url=emu.base_url))
    return _MADE[-1]


def check_node_citations(response: Any, question: str) -> None:
    title, sentence = ANSWERS[question]
    citations = response.metadata["citations"]
    assert citations, question
    for c in citations:
        assert any(c.node is n for n in response.source_nodes)
        source = c.node.node.get_content()
        assert c.cited_text in source  # an exact substring of the node it names
        assert source[c.start : c.end] == c.cited_text
        assert [c.start, c.end] in c.node.node.metadata["cited_spans"]
    assert citations[0].node.node.metadata["title"] == title
    assert citations[0].cited_text == sentence


# --------------------------------------------------------------------------- LlamaIndex


@pytest.mark.parametrize("streaming", [False, True], ids=["whole", "streamed"])
@pytest.mark.parametrize("api", APIS)
def test_llama_index_citations_map_to_the_nodes_they_quote(
    emu: Emulator, index: VectorStoreIndex, api: str, streaming: bool
) -> None:
    engine = GroundedQueryEngine.from_args(
        index, llm=llama(emu, api), streaming=streaming, similarity_top_k=10
    )
    for question in ANSWERS:
        emu.clear_requests()
        response = engine.query(question)
        text = "".join(response.response_gen) if streaming else response.response
        assert ANSWERS[question][1] in text
        (chat,) = [r for r in emu.requests if not r.path.endswith("/embeddings")]
        sent = [b for b in chat.json["messages"][0]["content"] if b["type"] == "search_result"]
        assert len(sent) == len(response.source_nodes) == 10
        assert chat.json.get("stream", False) is streaming
        check_node_citations(response, question)


@pytest.mark.parametrize("streaming", [False, True], ids=["whole", "streamed"])
@pytest.mark.parametrize("api", APIS)
async def test_llama_index_async_queries_map_the_same(
    emu: Emulator, index: VectorStoreIndex, api: str, streaming: bool
) -> None:
    engine = GroundedQueryEngine.from_args(
        index, llm=llama(emu, api), streaming=streaming, similarity_top_k=10
    )
    for question in list(ANSWERS)[::4]:
        response = await engine.aquery(question)
        if streaming:
            assert ANSWERS[question][1] in "".join([t async for t in response.async_response_gen()])
        check_node_citations(response, question)


def test_as_query_engine_with_the_grounded_synthesizer(
    emu: Emulator, index: VectorStoreIndex
) -> None:
    from llama_index_aimlapi.grounded import GroundedSynthesizer

    llm = llama(emu, "messages")
    engine = index.as_query_engine(
        llm=llm, response_synthesizer=GroundedSynthesizer(llm=llm), similarity_top_k=10
    )
    question = "Which fish are native to Alder Lake?"
    check_node_citations(engine.query(question), question)


def test_a_chat_engine_replays_its_citations_in_the_next_request(
    emu: Emulator, index: VectorStoreIndex
) -> None:
    chat = GroundedChatEngine.from_defaults(
        index.as_retriever(similarity_top_k=3), llm=llama(emu, "messages")
    )
    first = chat.chat("When was the tower of Harbor Point Lighthouse first lit?")
    (cited,) = first.metadata["citations"]
    emu.clear_requests()
    second = chat.stream_chat("Who was the last keeper of the lighthouse station?")
    assert "Ada Moreau" in "".join(second.response_gen)
    (request,) = [r for r in emu.requests if not r.path.endswith("/embeddings")]
    replayed = request.json["messages"][1]
    assert replayed["role"] == "assistant"
    assert replayed["content"][0]["citations"] == [cited.citation]
    # The second turn's citation names a node of its own turn, numbered after the first's.
    (later,) = [n for n in second.source_nodes if n.node.metadata["cited_spans"]]
    assert later.node.metadata["title"] == "Harbor Point Lighthouse"
    assert (
        chat.chat_history[-1].blocks[1].cited_content.text
        == ANSWERS["Who was the last keeper of the lighthouse station?"][1]
    )


def test_on_chat_completions_the_next_request_replays_the_text_alone(
    emu: Emulator, index: VectorStoreIndex
) -> None:
    """The chat endpoint's citations are url_citation annotations, not Claude citations: the
    text goes back without them (docs/wire.md "Citations")."""
    chat = GroundedChatEngine.from_defaults(
        index.as_retriever(similarity_top_k=3), llm=llama(emu, "chat_completions")
    )
    first = chat.chat("When did Copper Hollow Mine close?")
    assert first.metadata["citations"][0].citation["type"] == "url_citation"
    emu.clear_requests()
    chat.chat("How deep did miners reach in the deepest shaft?")
    (request,) = [r for r in emu.requests if not r.path.endswith("/embeddings")]
    assert request.json["messages"][1] == {"role": "assistant", "content": first.response}


# --------------------------------------------------------------------------- LangChain


@pytest.fixture(scope="module")
def retriever(emu: Emulator, lc_embeddings: AIMLAPIEmbeddings) -> Any:
    docs = [
        Document(text, metadata={"source": f"kb/{title}.md", "title": title})
        for title, text in DOCUMENTS.items()
    ]
    store = InMemoryVectorStore.from_documents(docs, lc_embeddings)
    return store.as_retriever(search_kwargs={"k": 10})


def ask(inputs: dict[str, Any]) -> list[HumanMessage]:
    blocks = [*search_result_blocks(inputs["docs"]), {"type": "text", "text": inputs["question"]}]
    return [HumanMessage(blocks)]


@pytest.mark.parametrize("streaming", [False, True], ids=["whole", "streamed"])
@pytest.mark.parametrize("api", APIS)
def test_langchain_citations_map_to_the_documents_they_quote(
    emu: Emulator, retriever: Any, api: str, streaming: bool
) -> None:
    llm = make(emu, api, model=MODEL)
    chain = RunnableParallel(docs=retriever, question=RunnablePassthrough()).assign(
        answer=RunnableLambda(ask) | llm
    )
    for question in ANSWERS:
        if streaming:
            result: dict[str, Any] = {}
            for chunk in chain.stream(question):
                for key, value in chunk.items():
                    result[key] = (
                        result[key] + value if key == "answer" and key in result else value
                    )
        else:
            result = chain.invoke(question)
        docs = result["docs"]
        cited = cited_documents(result["answer"], docs)
        assert cited, question
        for c in cited:
            assert any(c.document is d for d in docs)
            assert c.cited_text in c.document.page_content
        title, sentence = ANSWERS[question]
        assert cited[0].document.metadata["title"] == title
        assert cited[0].cited_text == sentence


# --------------------------------------------------------------------------- scripted citations


@pytest.mark.parametrize("api", APIS)
def test_scripted_citations_map_to_exactly_those_sources(
    emu: Emulator, index: VectorStoreIndex, retriever: Any, api: str
) -> None:
    emu.set_replies([Reply(text="Two sources say so.", citations=[7, 2])] * 2)
    engine = GroundedQueryEngine.from_args(index, llm=llama(emu, api), similarity_top_k=10)
    response = engine.query("Tell me something.")
    assert [c.node for c in response.metadata["citations"]] == [
        response.source_nodes[7],
        response.source_nodes[2],
    ]
    docs = retriever.invoke("Tell me something.")
    answer = make(emu, api, model=MODEL).invoke(ask({"docs": docs, "question": "Tell me."}))
    assert [c.document for c in cited_documents(answer, docs)] == [docs[7], docs[2]]


@pytest.mark.parametrize("api", APIS)
async def test_create_agent_with_a_retrieval_tool_cites_its_search_results(
    emu: Emulator, retriever: Any, api: str
) -> None:
    """The tool returns the documents as search results (the ToolMessage keeps them as its
    artifact); the answer's citations read back as those documents."""
    from langchain.agents import create_agent

    from langchain_aimlapi.citations import retrieval_tool, sent_documents

    agent = create_agent(
        make(emu, api, model=MODEL),
        tools=[retrieval_tool(retriever)],
        system_prompt="Call the search_documents tool before you answer.",
    )
    question = "When did passenger trains stop running on the Greenway Railway line?"
    emu.clear_requests()
    state = await agent.ainvoke({"messages": [HumanMessage(question)]})
    messages = state["messages"]
    assert [m.type for m in messages] == ["human", "ai", "tool", "ai"]
    sent = emu.requests[-1].json["messages"][2]["content"][0]
    assert sent["type"] == "tool_result"
    assert [b["type"] for b in sent["content"]] == ["search_result"] * 10
    docs = sent_documents(messages)
    assert docs == messages[2].artifact
    (cited,) = cited_documents(messages[-1], docs)
    assert cited.document.metadata["title"] == "Greenway Railway"
    assert cited.cited_text == ANSWERS[question][1]
    assert cited.cited_text in cited.document.page_content


# Building an agent, llama-index-workflows reads every attribute of the instance, deprecated
# pydantic ones included: the framework's warnings (tests/e2e/test_llama_index_agents.py).
@pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecatedSince20")
@pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecatedSince211")
@pytest.mark.parametrize("api", APIS)
async def test_a_function_agent_tool_returning_citable_blocks_gets_a_cited_answer(
    emu: Emulator, api: str
) -> None:
    """A LlamaIndex tool may return ``CitableBlock``s (FunctionTool keeps them): they go back
    as search results inside the tool result, and the answer cites them."""
    from llama_index.core.agent.workflow import FunctionAgent
    from llama_index.core.llms import CitableBlock, CitationBlock, TextBlock

    def search(query: str) -> list[CitableBlock]:
        """Search the knowledge base."""
        return [
            CitableBlock(source=f"kb://{t}", title=t, content=[TextBlock(text=x)])
            for t, x in DOCUMENTS.items()
        ]

    agent = FunctionAgent(
        tools=[search],
        llm=llama(emu, api),
        system_prompt="Call the search tool before you answer.",
    )
    question = "Why are heavy trucks banned from the bridge?"
    emu.clear_requests()
    result = await agent.run(user_msg=question)
    sent = emu.requests[-1].json["messages"][2]["content"][0]
    assert sent["type"] == "tool_result"
    assert [b["source"] for b in sent["content"]] == [f"kb://{t}" for t in DOCUMENTS]
    (cited,) = [b for b in result.response.blocks if isinstance(b, CitationBlock)]
    title, sentence = ANSWERS[question]
    assert cited.source == f"kb://{title}"
    assert cited.cited_content.text == sentence
    assert sentence in DOCUMENTS[title]
