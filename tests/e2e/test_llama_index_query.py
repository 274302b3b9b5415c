"""A VectorStoreIndex over the bundled documents (tests/fixtures/docs), embedded with
AIMLAPIEmbedding and queried and chatted with through AIMLAPI — both on the emulator, whole and
streamed, with token counting."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from llama_index.core import SimpleDirectoryReader, VectorStoreIndex
from llama_index.core.callbacks import CallbackManager, TokenCountingHandler
from llama_index.core.memory import ChatMemoryBuffer

from aimlapi_emulator import Emulator, RecordedRequest
from llama_index_aimlapi import AIMLAPI, AIMLAPIEmbedding

DOCS = Path(__file__).parent.parent / "fixtures" / "docs"
QUESTION = "When does the ferry to Cray Island leave, and what does a return ticket cost?"


def all_text(request_json: dict) -> str:
    """Every text the request carried: system prompt and message contents."""
    parts = [str(request_json.get("system", ""))]
    for message in request_json["messages"]:
        content = message["content"]
        if isinstance(content, str):
            parts.append(content)
        else:
            parts.extend(b.get("text", "") for b in content)
    return "\n".join(parts)


def chat_requests(emulator: Emulator) -> list[RecordedRequest]:
    """The requests to the model; the query's own embedding request is left out."""
    return [r for r in emulator.requests if not r.path.endswith("/embeddings")]


def reported(emulator, recorded) -> dict:
    """The emulator's whole (non-streamed) wire answer to a recorded request, asked again:
    the emulator is deterministic, so this is what it answered the first time."""
    body = {k: v for k, v in recorded.json.items() if k != "stream"}
    headers = {"Authorization": f"Bearer {emulator.api_key}"}
    url = emulator.base_url.removesuffix("/v1") + recorded.path
    return httpx.post(url, json=body, headers=headers).json()


@pytest.fixture(scope="module")
def embed_model(emulator: Emulator, emulator_api_key: str) -> Iterator[AIMLAPIEmbedding]:
    model = AIMLAPIEmbedding(api_key=emulator_api_key, base_url=emulator.base_url)
    yield model
    model.close()


@pytest.fixture(autouse=True)
async def _close_async_embedding_pool(embed_model: AIMLAPIEmbedding) -> AsyncIterator[None]:
    yield  # an async query opened a pool on this test's event loop: close it there
    await embed_model.aclose()


@pytest.fixture(scope="module")
def index(embed_model: AIMLAPIEmbedding, emulator: Emulator) -> VectorStoreIndex:
    documents = SimpleDirectoryReader(str(DOCS)).load_data()
    assert len(documents) == 5
    emulator.clear_requests()
    index = VectorStoreIndex.from_documents(documents, embed_model=embed_model)
    # The five documents were embedded in one request (embed_batch_size 100).
    (request,) = emulator.requests
    assert request.path == "/v1/embeddings"
    assert len(request.json["input"]) == 5
    return index


@pytest.fixture(params=["chat_completions", "messages"])
async def llm(request, emulator, emulator_api_key) -> AsyncIterator[AIMLAPI]:
    emulator.clear_requests()
    model = AIMLAPI(api_key=emulator_api_key, base_url=emulator.base_url, api=request.param)
    yield model
    model.close()
    await model.aclose()


def test_query_engine_answers_from_the_retrieved_document(index, llm, emulator) -> None:
    engine = index.as_query_engine(llm=llm, similarity_top_k=1)
    # After building: the engine hands the LLM its own (global Settings) callback manager.
    counter = TokenCountingHandler()
    llm.callback_manager = CallbackManager([counter])
    response = engine.query(QUESTION)
    assert Path(response.source_nodes[0].metadata["file_path"]).name == "ferry_timetable.txt"
    embedded, asked = emulator.requests  # the question is embedded, then the model is asked
    assert embedded.json == {"model": "text-embedding-3-small", "input": [QUESTION]}
    sent = asked.json
    # The retrieved timetable and the question reached the model...
    assert "leaves Harbor Point at 08:15, 12:30 and 17:45" in all_text(sent)
    assert QUESTION in all_text(sent)
    # ...and its answer is what the engine returns, counted as the emulator reported it.
    body = reported(emulator, asked)
    answer = body["choices"][0]["message"]["content"] if "choices" in body else body["content"]
    assert str(response) == (answer if isinstance(answer, str) else answer[0]["text"])
    usage = body["usage"]
    assert (counter.prompt_llm_token_count, counter.completion_llm_token_count) == (
        usage.get("prompt_tokens", usage.get("input_tokens")),
        usage.get("completion_tokens", usage.get("output_tokens")),
    )


@pytest.mark.parametrize(
    ("question", "source"),
    [
        ("What does a return ticket on the ferry cost?", "ferry_timetable.txt"),
        ("Who was the last resident keeper of the lighthouse?", "harbor_lighthouse.md"),
        ("How many volunteers crew the lifeboat?", "lifeboat_station.md"),
        ("What is the shucking contest record at the festival?", "oyster_festival.md"),
        ("Which plants grow in the Tide Garden?", "tide_garden.md"),
    ],
)
def test_each_question_retrieves_its_own_document_first(
    index, llm, question: str, source: str
) -> None:
    response = index.as_query_engine(llm=llm, similarity_top_k=5).query(question)
    ranked = [Path(n.metadata["file_path"]).name for n in response.source_nodes]
    assert ranked[0] == source
    assert sorted(ranked) == sorted(p.name for p in DOCS.iterdir())


def test_streaming_query_engine_gives_the_same_answer(index, llm, emulator) -> None:
    whole = str(index.as_query_engine(llm=llm, similarity_top_k=1).query(QUESTION))
    streaming = index.as_query_engine(llm=llm, similarity_top_k=1, streaming=True)
    response = streaming.query(QUESTION)
    tokens = list(response.response_gen)
    assert len(tokens) > 1
    assert "".join(tokens) == whole
    asked = chat_requests(emulator)
    assert asked[-1].json["stream"] is True
    assert {k: v for k, v in asked[-1].json.items() if k != "stream"} == asked[0].json


async def test_async_query_engine(index, llm, emulator) -> None:
    response = await index.as_query_engine(llm=llm, similarity_top_k=1).aquery(QUESTION)
    assert "08:15" in all_text(chat_requests(emulator)[-1].json)
    # The emulator answers retrieval prompts with the best-matching context sentence.
    assert str(response) == (
        "According to the context: The ferry to Cray Island leaves Harbor Point at 08:15, "
        "12:30 and 17:45."
    )


def test_chat_engine_keeps_history_and_context(index, llm, emulator) -> None:
    # "context" mode retrieves with the user's own words; condense modes would retrieve with a
    # question rewritten by the (scripted) model. An in-process memory: the default one opens
    # aiosqlite connections that llama-index never closes (ResourceWarning under -W error).
    engine = index.as_chat_engine(
        chat_mode="context", llm=llm, similarity_top_k=1, memory=ChatMemoryBuffer.from_defaults()
    )
    first = engine.chat("Who was the last keeper of the Harbor Point Lighthouse?")
    assert "Agnes Morrow" in all_text(chat_requests(emulator)[-1].json)
    second = engine.stream_chat("And when is the Oyster Festival?")
    streamed = "".join(second.response_gen)
    assert streamed == second.response
    last = chat_requests(emulator)[-1].json
    assert last["stream"] is True
    assert "second weekend of September" in all_text(last)
    # The first exchange is part of the conversation sent the second time.
    assert str(first) in all_text(last)


async def test_async_streaming_chat_engine(index, llm, emulator) -> None:
    engine = index.as_chat_engine(
        chat_mode="context", llm=llm, similarity_top_k=1, memory=ChatMemoryBuffer.from_defaults()
    )
    response = await engine.astream_chat("How tall is the lighthouse tower?")
    tokens = [t async for t in response.async_response_gen()]
    assert "".join(tokens) == response.response
    assert "34 metres" in all_text(chat_requests(emulator)[-1].json)


def test_the_demos_question_names_the_right_keeper(index, llm, emulator) -> None:
    # demo/main.py asks this over the same documents with the engine's default top-k.
    question = "Who was the last keeper of the Harbor Point Lighthouse?"
    response = index.as_query_engine(llm=llm, streaming=True).query(question)
    answer = "".join(response.response_gen)
    assert "Harbor Point Lighthouse was built" in all_text(chat_requests(emulator)[-1].json)
    assert answer == (
        "According to the context: The last resident keeper, Agnes Morrow, retired in 1968, when "
        "the light was automated."
    )
