"""Models that travel: pickled, deep-copied and sent to worker processes
after first use, sync and async, by both adapters. The key travels inside the pickle (as
pydantic pickles a ``SecretStr``) and never through the worker's environment: the emulator
answers 401 to any other key, so every answer a worker got proves its key came in the pickle.
"""

from __future__ import annotations

import asyncio
import copy
import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor

import pytest
from langchain_core.load import dumpd, dumps
from llama_index.core.base.llms.types import ChatMessage
from travel_support import KEY_VARIABLE, langchain_worker, llama_index_worker

from langchain_aimlapi import ChatAIMLAPI
from llama_index_aimlapi import AIMLAPI

APIS = ["chat_completions", "messages"]
PROMPT = "Say the word lighthouse."


@pytest.fixture
def no_key_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # Spawned workers copy the parent's environment at start: without the variable here, the
    # only way a worker has the key is the pickle.
    monkeypatch.delenv(KEY_VARIABLE, raising=False)


def _reply(emulator, text: str = "lighthouse") -> None:
    emulator.set_replies(lambda call: text)


# ------------------------------------------------------------------ pickle / deepcopy in process


@pytest.mark.parametrize("api", APIS)
async def test_langchain_model_pickles_and_deep_copies_after_sync_and_async_use(
    emulator, emulator_api_key, api, no_key_in_env
) -> None:
    _reply(emulator)
    llm = ChatAIMLAPI(api=api, api_key=emulator_api_key, base_url=emulator.base_url)
    try:
        assert (await asyncio.to_thread(llm.invoke, PROMPT)).text == "lighthouse"
        assert (await llm.ainvoke(PROMPT)).text == "lighthouse"
        assert "".join([c.text async for c in llm.astream(PROMPT)]) == "lighthouse"
        assert llm._client is not None
        assert llm._async_client is not None

        blob = pickle.dumps(llm)
        assert emulator_api_key.encode() in blob  # travels, as pydantic pickles a SecretStr
        for clone in (pickle.loads(blob), copy.deepcopy(llm)):
            assert clone._client is None
            assert clone._async_client is None
            assert clone.api_key is not None
            assert clone.api_key.get_secret_value() == emulator_api_key
            assert emulator_api_key not in repr(clone) + str(clone)
            assert emulator_api_key not in dumps(clone) + repr(dumpd(clone))
            emulator.clear_requests()
            assert (await asyncio.to_thread(clone.invoke, PROMPT)).text == "lighthouse"
            assert (await clone.ainvoke(PROMPT)).text == "lighthouse"
            assert [r.path for r in emulator.requests] == [f"/v1/{_path(api)}"] * 2
            clone.close()
            await clone.aclose()
        # The original is untouched by pickling: its pools are still its own.
        assert llm._client is not None
        assert (await llm.ainvoke(PROMPT)).text == "lighthouse"
    finally:
        await llm.aclose()


@pytest.mark.parametrize("api", APIS)
async def test_llama_index_model_pickles_with_its_key_after_sync_and_async_use(
    emulator, emulator_api_key, api, no_key_in_env
) -> None:
    _reply(emulator)
    llm = AIMLAPI(api=api, api_key=emulator_api_key, base_url=emulator.base_url)
    try:
        assert (await asyncio.to_thread(llm.complete, PROMPT)).text == "lighthouse"
        assert (await llm.acomplete(PROMPT)).text == "lighthouse"
        stream = await llm.astream_chat([ChatMessage(content=PROMPT)])
        assert "".join([r.delta or "" async for r in stream]) == "lighthouse"

        blob = pickle.dumps(llm)
        assert emulator_api_key.encode() in blob
        # LlamaIndex's BaseComponent.__setstate__ re-runs __init__ from public fields only:
        # the key must survive it (it used to come back None, and the copy sent no key).
        for clone in (pickle.loads(blob), copy.deepcopy(llm)):
            assert clone._api_key is not None
            assert clone._api_key.get_secret_value() == emulator_api_key
            assert clone._client is None
            assert clone._async_client is None
            for text in (repr(clone), clone.to_json(), str(clone.to_dict()), str(clone.dict())):
                assert emulator_api_key not in text
            emulator.clear_requests()
            assert (await asyncio.to_thread(clone.complete, PROMPT)).text == "lighthouse"
            assert (await clone.acomplete(PROMPT)).text == "lighthouse"
            assert [r.path for r in emulator.requests] == [f"/v1/{_path(api)}"] * 2
            clone.close()
            await clone.aclose()
    finally:
        llm.close()
        await llm.aclose()


def _path(api: str) -> str:
    return "chat/completions" if api == "chat_completions" else "messages"


# ------------------------------------------------------------------ worker processes (spawn)


@pytest.mark.parametrize("api", APIS)
def test_both_adapters_work_in_spawned_worker_processes_with_no_key_in_their_environment(
    emulator, emulator_api_key, api, no_key_in_env
) -> None:
    _reply(emulator)
    chat = ChatAIMLAPI(api=api, api_key=emulator_api_key, base_url=emulator.base_url)
    llm = AIMLAPI(api=api, api_key=emulator_api_key, base_url=emulator.base_url)
    # Used first, in this process, sync and async: the pickles are made after first use.
    assert chat.invoke(PROMPT).text == "lighthouse"
    assert llm.complete(PROMPT).text == "lighthouse"

    async def use_async() -> None:
        assert (await chat.ainvoke(PROMPT)).text == "lighthouse"
        assert (await llm.acomplete(PROMPT)).text == "lighthouse"
        await chat.aclose()  # pools belong to this loop; the pickles are made after use
        await llm.aclose()

    asyncio.run(use_async())
    emulator.clear_requests()
    spawn = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(max_workers=2, mp_context=spawn) as pool:
            jobs = [
                pool.submit(langchain_worker, chat, PROMPT),
                pool.submit(llama_index_worker, llm, PROMPT),
            ]
            results = [job.result(timeout=240) for job in jobs]
    finally:
        chat.close()
        llm.close()
    for result in results:
        assert result["key_in_env"] is False
        assert result["text"] == result["streamed"] == result["async_text"] == "lighthouse"
    # Three calls per worker (whole, streamed, async), all accepted by the key check.
    assert len(emulator.requests) == 6
    assert all(r.path == f"/v1/{_path(api)}" for r in emulator.requests)
    assert sum(bool(r.json.get("stream")) for r in emulator.requests) == 2


def test_ingestion_pipeline_with_an_llm_extractor_in_two_worker_processes(
    emulator, emulator_api_key, no_key_in_env
) -> None:
    from llama_index.core import Document
    from llama_index.core.extractors import TitleExtractor
    from llama_index.core.ingestion import IngestionPipeline
    from llama_index.core.node_parser import SentenceSplitter

    emulator.set_replies(lambda call: "The Keeper of Cray Island")
    llm = AIMLAPI(api_key=emulator_api_key, base_url=emulator.base_url, max_tokens=64)
    assert llm.complete("warm up").text == "The Keeper of Cray Island"  # used before pickling
    emulator.clear_requests()
    documents = [
        Document(text=f"Lighthouse log {i}. The lamp was lit at dusk on Cray Island.", id_=f"d{i}")
        for i in range(4)
    ]
    # Split here, serially: a SentenceSplitter inside a spawned worker rebuilds its tokenizer
    # (LlamaIndex drops it as unpicklable) and reaches for the network, which tests do not have.
    split = SentenceSplitter(chunk_size=64, chunk_overlap=0).get_nodes_from_documents(documents)
    pipeline = IngestionPipeline(transformations=[TitleExtractor(llm=llm)])
    try:
        nodes = pipeline.run(nodes=split, num_workers=2)
    finally:
        llm.close()
    assert len(nodes) == 4
    assert {n.metadata["document_title"] for n in nodes} == {"The Keeper of Cray Island"}
    # TitleExtractor asks once per node for a candidate title and once per document to combine
    # them: eight calls, every one sent by a worker with the key from the pickle.
    assert len(emulator.requests) == 8
    prompts = [str(r.json["messages"]) for r in emulator.requests]
    assert sum("Lighthouse log" in p for p in prompts) == 4


# ------------------------------------------------------------------ embedding models travel too


async def test_embedding_models_pickle_and_deep_copy_after_sync_and_async_use(
    emulator, emulator_api_key, no_key_in_env
) -> None:
    """Vector stores and IngestionPipeline(num_workers=...) pickle the embedding model with
    the rest; after its first call it holds core clients, which stay behind."""
    from langchain_aimlapi import AIMLAPIEmbeddings
    from llama_index_aimlapi import AIMLAPIEmbedding

    lc = AIMLAPIEmbeddings(
        model="text-embedding-3-small", api_key=emulator_api_key, base_url=emulator.base_url
    )
    li = AIMLAPIEmbedding(
        model_name="text-embedding-3-small",
        api_key=emulator_api_key,
        base_url=emulator.base_url,
    )
    expected = await asyncio.to_thread(lc.embed_query, PROMPT)
    assert await lc.aembed_query(PROMPT) == expected
    assert await asyncio.to_thread(li.get_text_embedding, PROMPT) == expected
    assert await li.aget_text_embedding(PROMPT) == expected
    assert lc._client is not None
    assert lc._async_client is not None
    assert li._client is not None
    assert li._async_client is not None

    for model in (lc, li):
        blob = pickle.dumps(model)
        assert emulator_api_key.encode() in blob  # the key travels inside the pickle
        for clone in (pickle.loads(blob), copy.deepcopy(model)):
            assert emulator_api_key not in repr(clone)
            if isinstance(clone, AIMLAPIEmbeddings):
                assert clone._client is None
                assert clone._async_client is None
                assert await asyncio.to_thread(clone.embed_query, PROMPT) == expected
                assert await clone.aembed_query(PROMPT) == expected
            else:
                assert clone._client is None
                assert clone._async_client is None
                assert await asyncio.to_thread(clone.get_text_embedding, PROMPT) == expected
                assert await clone.aget_text_embedding(PROMPT) == expected
    assert emulator_api_key not in dumps(lc)
    assert emulator_api_key not in li.to_json()
