"""``AIMLAPIEmbedding`` on the emulator: text, query and batch methods sync and async,
``embed_batch_size`` and ``num_workers`` as seen by the server, LlamaIndex's instrumentation
events, refusals before I/O and the key."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from llama_index.core.callbacks import CallbackManager, CBEventType, LlamaDebugHandler
from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.events import BaseEvent
from llama_index.core.instrumentation.events.embedding import (
    EmbeddingEndEvent,
    EmbeddingStartEvent,
)

from aimlapi_core.errors import AuthenticationError, InvalidRequestError
from aimlapi_emulator import Emulator, Fault
from llama_index_aimlapi import AIMLAPIEmbedding

TEXTS = [f"harbor note {i} about the {['ferry', 'lighthouse'][i % 2]}" for i in range(10)]


@pytest.fixture
async def make(emulator: Emulator, emulator_api_key: str) -> AsyncIterator[Any]:
    emulator.clear_requests()
    made: list[AIMLAPIEmbedding] = []

    def factory(**kwargs: Any) -> AIMLAPIEmbedding:
        kwargs.setdefault("api_key", emulator_api_key)
        kwargs.setdefault("base_url", emulator.base_url)
        made.append(AIMLAPIEmbedding(**kwargs))
        return made[-1]

    yield factory
    for model in made:
        model.close()
        await model.aclose()


def inputs(emulator: Emulator) -> list[Any]:
    return [r.json["input"] for r in emulator.requests]


async def test_text_query_and_batch_methods_sync_and_async_agree(
    make: Any, emulator: Emulator
) -> None:
    model = make()
    one = model.get_text_embedding(TEXTS[0])
    query = model.get_query_embedding(TEXTS[0])
    batch = model.get_text_embedding_batch(TEXTS)
    assert one == query == batch[0]
    assert len(one) == 1536
    assert await model.aget_text_embedding(TEXTS[0]) == one
    assert await model.aget_query_embedding(TEXTS[0]) == one
    assert await model.aget_text_embedding_batch(TEXTS) == batch
    assert inputs(emulator)[:3] == [[TEXTS[0]], [TEXTS[0]], TEXTS]
    assert {r.json["model"] for r in emulator.requests} == {"text-embedding-3-small"}


def test_embed_batch_size_is_honoured(make: Any, emulator: Emulator) -> None:
    model = make(embed_batch_size=4, dimensions=64)
    vectors = model.get_text_embedding_batch(TEXTS)
    assert inputs(emulator) == [TEXTS[:4], TEXTS[4:8], TEXTS[8:]]
    assert {r.json["dimensions"] for r in emulator.requests} == {64}
    assert [len(v) for v in vectors] == [64] * 10


def test_a_batch_over_the_model_s_own_limit_is_split_by_the_core(
    make: Any, emulator: Emulator
) -> None:
    model = make(model_name="alibaba/qwen-text-embedding-v3", embed_batch_size=25)
    texts = [f"text {i}" for i in range(30)]
    vectors = model.get_text_embedding_batch(texts)
    # LlamaIndex batches of 25 and 5; Qwen takes 10 inputs per request (DashScope).
    assert [len(x) for x in inputs(emulator)] == [10, 10, 5, 5]
    assert vectors[27] == model.get_text_embedding("text 27")


async def test_async_batches_run_num_workers_at_a_time(
    fresh_emulator: Emulator, emulator_api_key: str
) -> None:
    fresh_emulator.add_fault(Fault(path="/embeddings", delay=0.2, times=100))
    model = AIMLAPIEmbedding(
        api_key=emulator_api_key,
        base_url=fresh_emulator.base_url,
        embed_batch_size=2,
        num_workers=3,
    )
    vectors = await model.aget_text_embedding_batch(TEXTS)
    await model.aclose()
    assert len(fresh_emulator.requests) == 5
    assert fresh_emulator.max_in_flight == 3
    assert len(vectors) == 10


class _Recorder(BaseEventHandler):
    events: list[BaseEvent] = []

    @classmethod
    def class_name(cls) -> str:
        return "EmbeddingEventRecorder"

    def handle(self, event: BaseEvent, **kwargs: Any) -> None:
        if isinstance(event, EmbeddingStartEvent | EmbeddingEndEvent):
            self.events.append(event)


def test_instrumentation_events_like_llama_index_s_own_embeddings(make: Any) -> None:
    recorder, debug = _Recorder(events=[]), LlamaDebugHandler()
    dispatcher = get_dispatcher()
    dispatcher.add_event_handler(recorder)
    try:
        model = make(embed_batch_size=4, callback_manager=CallbackManager([debug]))
        vectors = model.get_text_embedding_batch(TEXTS)
    finally:
        dispatcher.event_handlers.remove(recorder)
    starts = [e for e in recorder.events if isinstance(e, EmbeddingStartEvent)]
    ends = [e for e in recorder.events if isinstance(e, EmbeddingEndEvent)]
    assert len(starts) == len(ends) == 3
    # llama-index-core 0.14.5 puts every field in model_dict, later releases only those set.
    assert (
        starts[0].model_dict.items()
        >= {
            "class_name": "AIMLAPIEmbedding",
            "model_name": "text-embedding-3-small",
            "embed_batch_size": 4,
        }.items()
    )
    assert [e.chunks for e in ends] == [TEXTS[:4], TEXTS[4:8], TEXTS[8:]]
    assert [v for e in ends for v in e.embeddings] == vectors
    pairs = debug.get_event_pairs(CBEventType.EMBEDDING)
    assert len(pairs) == 3


def test_fields_the_model_does_not_take_are_refused_before_any_request(
    make: Any, emulator: Emulator
) -> None:
    with pytest.raises(InvalidRequestError, match="does not take 'task_type'"):
        make(additional_kwargs={"task_type": "RETRIEVAL_QUERY"})
    with pytest.raises(InvalidRequestError, match="takes no 'dimensions'"):
        make(model_name="text-embedding-ada-002", dimensions=256)
    with pytest.raises(InvalidRequestError, match="text 1 is empty"):
        make().get_text_embedding_batch(["a", ""])
    with pytest.raises(ValueError, match="Extra inputs are not permitted"):
        make(dimension=256)  # a misspelt field is not silently dropped
    assert emulator.requests == []
    google = make(
        model_name="text-multilingual-embedding-002",
        additional_kwargs={"task_type": "RETRIEVAL_DOCUMENT", "title": "Harbor"},
    )
    assert len(google.get_text_embedding("a harbour")) == 768
    assert emulator.last_request.json["title"] == "Harbor"


KEY = "sk-embed-li-8f7e6d5c4b3a"


def test_the_key_is_never_shown_or_serialized(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    model = AIMLAPIEmbedding(
        api_key=KEY,
        base_url=emulator.base_url,
        max_retries=0,
        default_headers={"Authorization": f"Bearer {KEY}"},
    )
    for shown in (repr(model), str(model), model.to_json(), str(model.to_dict())):
        assert KEY not in shown
    if hasattr(model, "to_payload"):  # newer llama-index-core only
        assert KEY not in str(model.to_payload())
    with pytest.raises(AuthenticationError) as info:
        model.get_query_embedding("hello")
    assert info.value.status_code == 401
    assert KEY not in str(info.value)
    assert KEY not in repr(info.value.body)
    assert all(KEY not in r.getMessage() for r in caplog.records)
    model.close()
