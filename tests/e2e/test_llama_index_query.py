"""A VectorStoreIndex over the bundled documents (tests/fixtures/docs), queried and chatted with
through AIMLAPI on the emulator, whole and streamed, with token counting."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from llama_index.core import SimpleDirectoryReader, VectorStoreIndex
from llama_index.core.callbacks import CallbackManager, TokenCountingHandler
from llama_index.core.memory import ChatMemoryBuffer

from llama_index_aimlapi import AIMLAPI
from llama_index_aimlapi.testing import HashingEmbedding

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


def reported(emulator, recorded) -> dict:
    """The emulator's whole (non-streamed) wire answer to a recorded request, asked again:
    the emulator is deterministic, so this is what it answered the first time."""
    body = {k: v for k, v in recorded.json.items() if k != "stream"}
    headers = {"Authorization": f"Bearer {emulator.api_key}"}
    url = emulator.base_url.removesuffix("/v1") + recorded.path
    return httpx.post(url, json=body, headers=headers).json()


@pytest.fixture(scope="module")
def index() -> VectorStoreIndex:
    documents = SimpleDirectoryReader(str(DOCS)).load_data()
    assert len(documents) == 5
    return VectorStoreIndex.from_documents(documents, embed_model=HashingEmbedding())


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
    (sent,) = [r.json for r in emulator.requests]
    # The retrieved timetable and the question reached the model...
    assert "leaves Harbor Point at 08:15, 12:30 and 17:45" in all_text(sent)
    assert QUESTION in all_text(sent)
    # ...and its answer is what the engine returns, counted as the emulator reported it.
    body = reported(emulator, emulator.requests[0])
    answer = body["choices"][0]["message"]["content"] if "choices" in body else body["content"]
    assert str(response) == (answer if isinstance(answer, str) else answer[0]["text"])
    usage = body["usage"]
    assert (counter.prompt_llm_token_count, counter.completion_llm_token_count) == (
        usage.get("prompt_tokens", usage.get("input_tokens")),
        usage.get("completion_tokens", usage.get("output_tokens")),
    )


def test_streaming_query_engine_gives_the_same_answer(index, llm, emulator) -> None:
    whole = str(index.as_query_engine(llm=llm, similarity_top_k=1).query(QUESTION))
    streaming = index.as_query_engine(llm=llm, similarity_top_k=1, streaming=True)
    response = streaming.query(QUESTION)
    tokens = list(response.response_gen)
    assert len(tokens) > 1
    assert "".join(tokens) == whole
    assert emulator.requests[-1].json["stream"] is True
    assert {k: v for k, v in emulator.requests[-1].json.items() if k != "stream"} == (
        emulator.requests[0].json
    )


async def test_async_query_engine(index, llm, emulator) -> None:
    response = await index.as_query_engine(llm=llm, similarity_top_k=1).aquery(QUESTION)
    assert "08:15" in all_text(emulator.requests[-1].json)
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
    assert "Agnes Morrow" in all_text(emulator.requests[-1].json)
    second = engine.stream_chat("And when is the Oyster Festival?")
    streamed = "".join(second.response_gen)
    assert streamed == second.response
    last = emulator.requests[-1].json
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
    assert "34 metres" in all_text(emulator.requests[-1].json)


def test_the_demos_question_names_the_right_keeper(index, llm, emulator) -> None:
    # demo/main.py asks this over the same documents with the engine's default top-k.
    question = "Who was the last keeper of the Harbor Point Lighthouse?"
    response = index.as_query_engine(llm=llm, streaming=True).query(question)
    answer = "".join(response.response_gen)
    assert "Harbor Point Lighthouse was built" in all_text(emulator.requests[-1].json)
    assert answer == (
        "According to the context: The last resident keeper, Agnes Morrow, retired in 1968, when "
        "the light was automated."
    )
