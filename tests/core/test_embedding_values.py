"""Embedding vectors are checked before anyone stores them: each value a finite number (no
strings, nulls, booleans, NaN or Infinity), every vector of the model's length, one per input,
each index once — on ``embed()`` (sync, async) and through both adapters, which raise the
library's family. Texts over a model's documented context are refused before any request; a
failed LlamaIndex async batch stops the batches not yet sent (docs/wire.md "Embeddings").

Hostile servers are ``httpx.MockTransport`` handlers serving one body.
"""

from __future__ import annotations

import asyncio
import base64
import json
import struct
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from aimlapi_core import AIMLAPIClient, AsyncAIMLAPIClient
from aimlapi_core.errors import AIMLAPIError, InvalidRequestError, ResponseValidationError
from langchain_aimlapi import AIMLAPIEmbeddings
from llama_index_aimlapi import AIMLAPIEmbedding

KEY = "sk-embedding-values-0123456789"
DIMS = 4


def answer(*vectors: Any, indices: list[Any] | None = None) -> bytes:
    data = [
        {"object": "embedding", "index": i if indices is None else indices[n], "embedding": v}
        for n, (i, v) in enumerate(enumerate(vectors))
    ]
    return json.dumps({"object": "list", "data": data, "model": "m"}).encode()


def raw(text: str) -> bytes:  # JSON the stdlib accepts but no embedding holds
    return text.encode()


def b64(*values: float) -> str:
    return base64.b64encode(struct.pack(f"<{len(values)}f", *values)).decode()


GOOD = [0.1, 0.2, 0.3, 0.4]
HOSTILE: dict[str, bytes] = {
    "a string value": answer(GOOD, [0.1, "0.2", 0.3, 0.4]),
    "a null value": answer(GOOD, [0.1, None, 0.3, 0.4]),
    "a boolean value": answer(GOOD, [0.1, True, 0.3, 0.4]),
    "a nested list": answer(GOOD, [0.1, [0.2], 0.3, 0.4]),
    "NaN": raw(
        '{"data": [{"index": 0, "embedding": [0.1, 0.2, 0.3, 0.4]},'
        ' {"index": 1, "embedding": [0.1, NaN, 0.3, 0.4]}]}'
    ),
    "Infinity": raw(
        '{"data": [{"index": 0, "embedding": [0.1, 0.2, 0.3, 0.4]},'
        ' {"index": 1, "embedding": [0.1, -Infinity, 0.3, 0.4]}]}'
    ),
    "a huge number": raw(
        '{"data": [{"index": 0, "embedding": [0.1, 0.2, 0.3, 0.4]},'
        ' {"index": 1, "embedding": [0.1, 1e400, 0.3, 0.4]}]}'
    ),
    "an integer past the float range": answer(GOOD, [0.1, 10**400, 0.3, 0.4]),
    "Infinity and -Infinity": raw(
        '{"data": [{"index": 0, "embedding": [0.1, 0.2, 0.3, 0.4]},'
        ' {"index": 1, "embedding": [Infinity, -Infinity, 0.3, 0.4]}]}'
    ),
    "base64 NaN": answer(b64(*GOOD), b64(0.1, float("nan"), 0.3, 0.4)),
    "too short": answer(GOOD, [0.1, 0.2, 0.3]),
    "empty": answer(GOOD, []),
    "an index twice": answer(GOOD, GOOD, indices=[0, 0]),
    "a fractional index": answer(GOOD, GOOD, indices=[0, 0.5]),
    "a boolean index": answer(GOOD, GOOD, indices=[0, True]),
    "one vector for two inputs": answer(GOOD),
    "three vectors for two inputs": answer(GOOD, GOOD, GOOD),
    "an embedding object": answer(GOOD, {"values": GOOD}),
}


def serving(body: bytes) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    return httpx.MockTransport(handler), sent


def core_embed(body: bytes) -> Any:
    transport, _ = serving(body)
    client = AIMLAPIClient(api_key=KEY, http_client=httpx.Client(transport=transport))
    return client.embed(["a", "b"], dimensions=DIMS).vectors


def core_aembed(body: bytes) -> Any:
    transport, _ = serving(body)
    client = AsyncAIMLAPIClient(api_key=KEY, http_client=httpx.AsyncClient(transport=transport))
    return asyncio.run(client.embed(["a", "b"], dimensions=DIMS)).vectors


def langchain_embed(body: bytes) -> Any:
    transport, _ = serving(body)
    model = AIMLAPIEmbeddings(
        api_key=KEY, dimensions=DIMS, http_client=httpx.Client(transport=transport)
    )
    return model.embed_documents(["a", "b"])


def llama_embed(body: bytes) -> Any:
    transport, _ = serving(body)
    model = AIMLAPIEmbedding(
        api_key=KEY, dimensions=DIMS, http_client=httpx.Client(transport=transport)
    )
    return model.get_text_embedding_batch(["a", "b"])


SURFACES: dict[str, Callable[[bytes], Any]] = {
    "embed": core_embed,
    "async embed": core_aembed,
    "AIMLAPIEmbeddings": langchain_embed,
    "AIMLAPIEmbedding": llama_embed,
}


@pytest.mark.parametrize("surface", SURFACES.values(), ids=list(SURFACES))
def test_a_well_formed_answer_is_read(surface: Callable[[bytes], Any]) -> None:
    assert surface(answer(GOOD, [1, 0, -1, 2.5])) == [GOOD, [1, 0, -1, 2.5]]
    assert surface(answer(b64(0.5, 0.25, 0, 1), b64(*[1.0] * DIMS))) == [
        [0.5, 0.25, 0, 1],
        [1.0] * DIMS,
    ]


@pytest.mark.parametrize("body", HOSTILE.values(), ids=list(HOSTILE))
@pytest.mark.parametrize("surface", SURFACES.values(), ids=list(SURFACES))
def test_a_vector_no_one_should_store_is_a_response_validation_error(
    surface: Callable[[bytes], Any], body: bytes
) -> None:
    with pytest.raises(ResponseValidationError):
        surface(body)


# --------------------------------------------------------------------------- input limits


@pytest.mark.parametrize(
    ("model", "limit"),
    [("text-embedding-3-small", "8191"), ("alibaba/qwen-text-embedding-v3", "32000")],
)
def test_a_text_over_the_models_context_is_refused_before_any_request(
    model: str, limit: str
) -> None:
    transport, sent = serving(answer(GOOD))
    client = AIMLAPIClient(api_key=KEY, http_client=httpx.Client(transport=transport))
    with pytest.raises(InvalidRequestError, match=model) as caught:
        client.embed(["short", "x" * 10_000_000], model=model)
    assert f"{int(limit):,}" in str(caught.value)
    assert "text 1" in str(caught.value)
    assert sent == []


# --------------------------------------------------------------------------- LlamaIndex async


@pytest.mark.parametrize("workers", [1, 2, 4])
async def test_after_one_llama_index_async_batch_fails_no_other_batch_is_sent(
    workers: int,
) -> None:
    sent: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        text = json.loads(request.content)["input"][0]
        sent.append(text)
        if text == "t0":
            return httpx.Response(400, json={"message": "refused", "statusCode": 400})
        await asyncio.sleep(0.05)
        return httpx.Response(200, content=answer(GOOD))

    model = AIMLAPIEmbedding(
        api_key=KEY,
        dimensions=DIMS,
        embed_batch_size=1,
        num_workers=workers,
        async_http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
    )
    with pytest.raises(AIMLAPIError, match="refused"):
        await model.aget_text_embedding_batch([f"t{i}" for i in range(10)])
    await asyncio.sleep(0.1)  # whatever was still going would have sent by now
    assert sent[0] == "t0"
    assert len(sent) <= workers  # only the batches already in flight
