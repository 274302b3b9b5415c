"""``AIMLAPIEmbeddings``: LangChain's standard embeddings suites (unit, and integration against
the loopback emulator), retrieval through an ``InMemoryVectorStore``, batching, concurrency and
the key."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Iterator
from typing import Any
from unittest import mock

import httpx
import pytest
from langchain_core.documents import Document
from langchain_core.load import dumpd, dumps, load
from langchain_core.vectorstores import InMemoryVectorStore
from langchain_tests.integration_tests import EmbeddingsIntegrationTests
from langchain_tests.unit_tests import EmbeddingsUnitTests

from aimlapi_core.errors import AuthenticationError, InvalidRequestError
from aimlapi_emulator import Emulator, Fault
from langchain_aimlapi import AIMLAPIEmbeddings, AimlapiEmbeddings


class TestAIMLAPIEmbeddingsUnit(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[AIMLAPIEmbeddings]:
        return AIMLAPIEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": "text-embedding-3-small"}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"AIMLAPI_API_KEY": "sk-from-env", "AIMLAPI_BASE_URL": "http://127.0.0.1:9/v1"},
            {"model": "voyage-2"},
            {"api_key": "sk-from-env", "model": "voyage-2"},
        )


class TestAIMLAPIEmbeddingsIntegration(EmbeddingsIntegrationTests):
    @pytest.fixture(autouse=True)
    def _on_emulator(self, emulator: Emulator, emulator_api_key: str) -> None:
        self.params = {"api_key": emulator_api_key, "base_url": emulator.base_url}

    @pytest.fixture
    async def model(self) -> AsyncIterator[AIMLAPIEmbeddings]:  # type: ignore[override]
        # The suite's own fixture never closes the model: its async pool would be collected
        # after the test's event loop ended (a ResourceWarning, an error here).
        model = self.embeddings_class(**self.embedding_model_params)
        yield model
        await model.aclose()

    @property
    def embeddings_class(self) -> type[AIMLAPIEmbeddings]:
        return AIMLAPIEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": "text-embedding-3-small", **self.params}


@pytest.fixture
def embeddings(emulator: Emulator, emulator_api_key: str) -> Iterator[AIMLAPIEmbeddings]:
    emulator.clear_requests()
    model = AIMLAPIEmbeddings(api_key=emulator_api_key, base_url=emulator.base_url)
    yield model
    model.close()


DOCS = [
    "The ferry to Cray Island leaves Harbor Point at 08:15, 12:30 and 17:45.",
    "Agnes Morrow was the last keeper of the Harbor Point Lighthouse.",
    "The Oyster Festival takes place on the second weekend of September.",
    "A return ticket costs 14 pounds; children under five travel free.",
    "The lifeboat station was founded in 1874 by local fishermen.",
]


def test_an_in_memory_vector_store_retrieves_the_document_sharing_words_with_the_query(
    embeddings: AIMLAPIEmbeddings, emulator: Emulator
) -> None:
    store = InMemoryVectorStore.from_texts(DOCS, embeddings)
    assert [r.json["input"] for r in emulator.requests] == [DOCS]  # one request for 5 texts
    (hit,) = store.similarity_search("Who kept the lighthouse last?", k=1)
    assert hit.page_content == DOCS[1]
    ranked = store.similarity_search("oyster festival weekend", k=5)
    assert ranked[0].page_content == DOCS[2]
    assert emulator.requests[-1].json == {
        "model": "text-embedding-3-small",
        "input": ["oyster festival weekend"],
    }


async def test_async_retrieval_and_the_same_vectors_as_sync(
    embeddings: AIMLAPIEmbeddings,
) -> None:
    store = InMemoryVectorStore(embeddings)
    await store.aadd_documents([Document(page_content=d) for d in DOCS])
    (hit,) = await store.asimilarity_search("ferry to Cray Island", k=1)
    assert hit.page_content == DOCS[0]
    assert await embeddings.aembed_documents(DOCS) == embeddings.embed_documents(DOCS)
    await embeddings.aclose()


def test_chunk_size_and_dimensions_reach_the_wire(
    emulator: Emulator, emulator_api_key: str
) -> None:
    emulator.clear_requests()
    texts = [f"text {i}" for i in range(300)]
    model = AIMLAPIEmbeddings(
        api_key=emulator_api_key, base_url=emulator.base_url, chunk_size=100, dimensions=256
    )
    vectors = model.embed_documents(texts)
    assert [len(r.json["input"]) for r in emulator.requests] == [100, 100, 100]
    assert {r.json["dimensions"] for r in emulator.requests} == {256}
    assert len(vectors) == 300
    assert {len(v) for v in vectors} == {256}
    assert vectors[123] == model.embed_query("text 123")
    model.close()


async def test_aembed_documents_keeps_at_most_max_concurrency_requests_in_flight(
    fresh_emulator: Emulator, emulator_api_key: str
) -> None:
    fresh_emulator.add_fault(Fault(path="/embeddings", delay=0.2, times=100))
    model = AIMLAPIEmbeddings(
        api_key=emulator_api_key, base_url=fresh_emulator.base_url, chunk_size=5, max_concurrency=2
    )
    vectors = await model.aembed_documents([f"text {i}" for i in range(30)])
    await model.aclose()
    assert len(fresh_emulator.requests) == 6
    assert fresh_emulator.max_in_flight == 2
    assert len(vectors) == 30


def test_per_family_fields_are_sent_or_refused_at_construction(
    emulator: Emulator, emulator_api_key: str
) -> None:
    common = {"api_key": emulator_api_key, "base_url": emulator.base_url}
    with pytest.raises(InvalidRequestError, match="does not take 'task_type'"):
        AIMLAPIEmbeddings(**common, model_kwargs={"task_type": "RETRIEVAL_QUERY"})
    with pytest.raises(ValueError, match=r"\['user'\] are not embedding request fields"):
        AIMLAPIEmbeddings(**common, model_kwargs={"user": "u1"})
    with pytest.raises(ValueError, match="Extra inputs are not permitted"):
        AIMLAPIEmbeddings(**common, dimension=256)  # a typo is not silently dropped
    emulator.clear_requests()
    google = AIMLAPIEmbeddings(
        **common,
        model="text-multilingual-embedding-002",
        model_kwargs={"task_type": "RETRIEVAL_QUERY"},
    )
    assert len(google.embed_query("a question")) == 768
    assert emulator.last_request.json["task_type"] == "RETRIEVAL_QUERY"
    google.close()


def test_the_old_name_is_kept() -> None:
    assert AimlapiEmbeddings is AIMLAPIEmbeddings


KEY = "sk-embed-lc-5d4c3b2a1f0e"


@pytest.mark.filterwarnings("ignore::langchain_core._api.beta_decorator.LangChainBetaWarning")
def test_the_key_is_in_no_repr_and_no_serialization() -> None:
    model = AIMLAPIEmbeddings(api_key=KEY, default_headers={"x-api-key": KEY})
    for shown in (repr(model), str(model), dumps(model)):
        assert KEY not in shown.replace(f'"x-api-key": "{KEY}"', "")  # headers: see the field doc
    plain = AIMLAPIEmbeddings(api_key=KEY, dimensions=256)
    serialized = dumpd(plain)
    assert KEY not in str(serialized)
    assert serialized["kwargs"]["api_key"] == {"lc": 1, "type": "secret", "id": ["AIMLAPI_API_KEY"]}
    with mock.patch.dict(os.environ, {"AIMLAPI_API_KEY": "sk-from-env"}):
        loaded = load(
            serialized,
            valid_namespaces=["langchain_aimlapi"],
            allowed_objects=[AIMLAPIEmbeddings],
            secrets_from_env=True,
        )
    assert isinstance(loaded, AIMLAPIEmbeddings)
    assert loaded.dimensions == 256
    assert loaded.api_key is not None
    assert loaded.api_key.get_secret_value() == "sk-from-env"


def test_a_wrong_key_is_an_authentication_error_that_never_shows_it(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    model = AIMLAPIEmbeddings(api_key=KEY, base_url=emulator.base_url, max_retries=0)
    with pytest.raises(AuthenticationError) as info:
        model.embed_query("hello")
    assert info.value.status_code == 401
    assert KEY not in str(info.value)
    assert KEY not in repr(info.value.body)
    assert all(KEY not in r.getMessage() for r in caplog.records)
    model.close()


def test_an_injected_http_client_is_used(emulator: Emulator, emulator_api_key: str) -> None:
    seen: list[str] = []
    with httpx.Client(event_hooks={"request": [lambda r: seen.append(r.url.path)]}) as http:
        model = AIMLAPIEmbeddings(
            api_key=emulator_api_key, base_url=emulator.base_url, http_client=http
        )
        model.embed_documents(["a", "b"])
    assert seen == ["/v1/embeddings"]
