"""``embed`` against the loopback emulator: batching, order, dimensions, bounded concurrency
seen from the server, errors and the key."""

from __future__ import annotations

import logging
import math
import traceback

import pytest

from aimlapi_core import AIMLAPIClient, AsyncAIMLAPIClient
from aimlapi_core.errors import AuthenticationError, InvalidRequestError
from aimlapi_emulator import Emulator, Fault

TEXTS = [f"note {i}: the {['ferry', 'lighthouse', 'festival'][i % 3]} item {i}" for i in range(300)]


def test_300_texts_take_fewer_requests_and_come_back_in_order(
    fresh_emulator: Emulator, emulator_api_key: str
) -> None:
    with AIMLAPIClient(api_key=emulator_api_key, base_url=fresh_emulator.base_url) as client:
        result = client.embed(TEXTS, batch_size=64)
        assert len(fresh_emulator.requests) == result.requests == 5
        assert len({len(v) for v in result.vectors}) == 1
        assert len(result.vectors[0]) == 1536  # text-embedding-3-small's documented length
        # In order: each vector is the one the text gets on its own.
        for i in (0, 63, 64, 150, 299):
            assert client.embed([TEXTS[i]]).vectors[0] == result.vectors[i]
        whole = client.embed(TEXTS)  # no batch_size: all 300 fit in one request
    assert whole.requests == 1
    assert whole.vectors == result.vectors
    sent = [r.json["input"] for r in fresh_emulator.requests[:5]]
    assert [t for batch in sent for t in batch] == TEXTS
    # Usage summed over the 5 batches is the usage of the same texts in one request.
    assert result.usage.input_tokens == whole.usage.input_tokens > 300
    assert result.cost is not None
    assert result.cost.credits_used is not None
    assert result.cost.credits_used >= 5  # at least one credit per request


def test_dimensions_are_sent_and_honoured(emulator: Emulator, emulator_api_key: str) -> None:
    emulator.clear_requests()
    with AIMLAPIClient(api_key=emulator_api_key, base_url=emulator.base_url) as client:
        result = client.embed(TEXTS[:10], dimensions=256)
        packed = client.embed(TEXTS[:10], dimensions=256, encoding_format="base64")
    assert [r.json.get("dimensions") for r in emulator.requests] == [256, 256]
    assert {len(v) for v in result.vectors} == {256}
    assert all(math.isclose(sum(x * x for x in v), 1.0, rel_tol=1e-6) for v in result.vectors)
    for a, b in zip(result.vectors, packed.vectors, strict=True):  # base64 is float32
        assert all(math.isclose(x, y, abs_tol=1e-7) for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("bound", [1, 3])
async def test_async_batches_run_concurrently_up_to_the_bound(
    fresh_emulator: Emulator, emulator_api_key: str, bound: int
) -> None:
    # Each answer is held back 0.2 s, so batches the client sends together overlap in the
    # server; the emulator counts how many it was answering at once. Nothing here is timed.
    fresh_emulator.add_fault(Fault(path="/embeddings", delay=0.2, times=1000))
    client = AsyncAIMLAPIClient(api_key=emulator_api_key, base_url=fresh_emulator.base_url)
    try:
        result = await client.embed(TEXTS[:80], batch_size=10, max_concurrency=bound)
    finally:
        await client.close()
    assert len(fresh_emulator.requests) == 8
    assert fresh_emulator.max_in_flight == bound
    with AIMLAPIClient(api_key=emulator_api_key, base_url=fresh_emulator.base_url) as sync:
        fresh_emulator.clear_faults()
        assert result.vectors == sync.embed(TEXTS[:80]).vectors


def test_per_family_fields_are_refused_before_any_request(
    fresh_emulator: Emulator, emulator_api_key: str
) -> None:
    with AIMLAPIClient(api_key=emulator_api_key, base_url=fresh_emulator.base_url) as client:
        with pytest.raises(InvalidRequestError, match="does not take 'task_type'"):
            client.embed(["a"], task_type="RETRIEVAL_QUERY")
        with pytest.raises(InvalidRequestError, match="does not take 'dimensions'"):
            client.embed(["a"], model="voyage-large-2", dimensions=256)
        with pytest.raises(InvalidRequestError, match="does not take 'input_type'"):
            client.embed(["a"], model="text-multilingual-embedding-002", input_type="document")
        assert fresh_emulator.requests == []
        # ... and sent where the model takes them, which the emulator accepts.
        ok = client.embed(
            ["a harbour"],
            model="text-multilingual-embedding-002",
            task_type="RETRIEVAL_DOCUMENT",
            title="Harbour",
            dimensions=64,
        )
        voyage = client.embed(["a harbour"], model="voyage-law-2", input_type="document")
    assert (len(ok.vectors[0]), len(voyage.vectors[0])) == (64, 1024)


def test_a_wrong_key_is_an_authentication_error_and_the_key_shows_nowhere(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, httpx's included
    wrong = "sk-wrong-key-7e6d5c4b3a29"
    client = AIMLAPIClient(api_key=wrong, base_url=emulator.base_url, max_retries=0)
    with pytest.raises(AuthenticationError) as info:
        client.embed(["hello"])
    assert info.value.status_code == 401
    shown = [
        str(info.value),
        repr(info.value),
        repr(info.value.body),
        "".join(traceback.format_exception(info.value)),
        repr(client),
        repr(vars(client)),
        *(r.getMessage() for r in caplog.records),
        *(repr(r.headers) for r in emulator.requests),
    ]
    assert caplog.records  # the request was logged...
    assert not [s for s in shown if wrong in s]  # ...without the key
    client.close()
