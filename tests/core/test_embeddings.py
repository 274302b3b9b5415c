"""``embed`` at the transport seam: exactly what is sent per model, what is refused before any
request, and how answers (in any order, float or base64, with or without cost) are read."""

from __future__ import annotations

import asyncio
import base64
import json
import struct
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from aimlapi_core import AIMLAPIClient, AsyncAIMLAPIClient, Cost, embedding_model
from aimlapi_core.errors import (
    AuthenticationError,
    InvalidRequestError,
    RateLimitError,
    ResponseValidationError,
)

KEY = "sk-embed-secret-0c1d2e3f4a5b"
Handler = Callable[[httpx.Request], httpx.Response]


def answer(request: httpx.Request, *, dims: int = 3, **extra: Any) -> httpx.Response:
    """An OpenAI-shaped answer: vector i of a request is [start + i, 0, ...] where ``start`` is
    the number the first input text carries (texts are "t<number>")."""
    sent = json.loads(request.content)
    texts = sent["input"] if isinstance(sent["input"], list) else [sent["input"]]
    data = []
    for i, text in enumerate(texts):
        first = float(text[1:]) if text[1:].isdigit() else 0.0
        data.append({"object": "embedding", "index": i, "embedding": [first] + [0.0] * (dims - 1)})
    body = {
        "object": "list",
        "data": data,
        "model": sent["model"],
        "usage": {"prompt_tokens": len(texts), "total_tokens": len(texts)},
        **extra,
    }
    return httpx.Response(201, json=body, headers={"x-request-id": f"rid-{texts[0][:3]}".encode()})


class Recorder:
    def __init__(self, handler: Handler = answer) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]


def client(recorder: Recorder, **kw: Any) -> AIMLAPIClient:
    return AIMLAPIClient(
        api_key=KEY,
        base_url="https://gw.test/v1",
        http_client=httpx.Client(transport=httpx.MockTransport(recorder)),
        sleep=lambda _: None,
        **kw,
    )


TEXTS = [f"t{i}" for i in range(300)]


def test_one_request_carries_the_documented_body_and_headers() -> None:
    rec = Recorder()
    result = client(rec).embed(["t1", "t2"], dimensions=3)
    (request,) = rec.requests
    assert (request.method, str(request.url)) == ("POST", "https://gw.test/v1/embeddings")
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {
        "model": "text-embedding-3-small",
        "input": ["t1", "t2"],
        "dimensions": 3,
    }
    assert result.vectors == [[1.0, 0.0, 0.0], [2.0, 0.0, 0.0]]
    assert (result.model, result.requests, result.request_ids) == (
        "text-embedding-3-small",
        1,
        ["rid-t1"],
    )
    assert result.usage.input_tokens == 2


def test_300_texts_go_in_batches_and_come_back_in_order() -> None:
    rec = Recorder()
    result = client(rec).embed(TEXTS, batch_size=64)
    assert [len(b["input"]) for b in rec.bodies] == [64, 64, 64, 64, 44]
    assert [t for b in rec.bodies for t in b["input"]] == TEXTS
    assert [v[0] for v in result.vectors] == [float(i) for i in range(300)]
    assert result.requests == 5
    assert result.usage.input_tokens == 300


@pytest.mark.parametrize(
    ("model", "per_request"),
    [
        ("text-embedding-3-small", [300]),  # 2048 inputs per request upstream (OpenAI)
        ("alibaba/qwen-text-embedding-v4", [10] * 30),  # DashScope: 10
        ("voyage-2", [128, 128, 44]),  # Voyage: 128
        ("text-multilingual-embedding-002", [250, 50]),  # Vertex AI: 250
        ("some-new-embedding-model", [10] * 30),  # an undocumented id: the smallest cap
    ],
)
def test_batches_stay_under_each_model_s_count_cap(model: str, per_request: list[int]) -> None:
    rec = Recorder()
    client(rec).embed(TEXTS, model=model)
    assert [len(b["input"]) for b in rec.bodies] == per_request
    assert embedding_model(model).max_inputs >= max(per_request)


def test_batches_stay_under_the_per_request_token_budget() -> None:
    # text-multilingual-embedding-002: 20,000 tokens per request (Vertex AI), budgeted in UTF-8
    # bytes (>= tokens): 30 texts of 1,000 bytes → 20 + 10.
    rec = Recorder()
    texts = [f"t{i}".ljust(1000, "x") for i in range(30)]
    client(rec).embed(texts, model="text-multilingual-embedding-002")
    assert [len(b["input"]) for b in rec.bodies] == [20, 10]
    # Non-ASCII text counts its bytes: "é" is 2.
    rec = Recorder()
    client(rec).embed(["é" * 500] * 30, model="text-multilingual-embedding-002")
    assert [len(b["input"]) for b in rec.bodies] == [20, 10]


def test_a_long_voyage_text_goes_alone_as_a_string() -> None:
    # Voyage schemas: a string may have 8000 characters, an array item only 800.
    rec = Recorder()
    long = "t1" + "x" * 900
    result = client(rec).embed(["t0", long, "t2", "t3"], model="voyage-law-2")
    assert [b["input"] for b in rec.bodies] == [["t0"], long, ["t2", "t3"]]
    assert len(result.vectors) == 4


def test_an_empty_list_sends_nothing() -> None:
    rec = Recorder()
    result = client(rec).embed([])
    assert (result.vectors, result.requests, rec.requests) == ([], 0, [])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"task_type": "RETRIEVAL_QUERY"}, "text-embedding-3-small does not take 'task_type'"),
        ({"input_type": "document"}, "does not take 'input_type'"),
        ({"model": "voyage-2", "dimensions": 256}, "voyage-2 does not take 'dimensions'"),
        ({"model": "voyage-2", "input_type": "query"}, "input_type='document' only"),
        ({"model": "voyage-2", "encoding_format": "base64"}, "does not take 'encoding_format'"),
        ({"model": "text-embedding-ada-002", "dimensions": 256}, "takes no 'dimensions'"),
        ({"dimensions": 4096}, "at most 1536"),
        ({"dimensions": 0}, "at least 1"),
        ({"dimensions": True}, "must be an integer"),
        ({"model": "alibaba/qwen-text-embedding-v3", "dimensions": 32}, "at least 64"),
        ({"model": "text-multilingual-embedding-002", "title": "T"}, "RETRIEVAL_DOCUMENT"),
        ({"model": "text-multilingual-embedding-002", "task_type": "SEARCH"}, "one of"),
        ({"model": "text-multilingual-embedding-002", "auto_truncate": "no"}, "True or False"),
        ({"encoding_format": "int8"}, "'float' or 'base64'"),
        ({"model": "BAAI/bge-large-en-v1.5"}, "no longer served"),
        ({"model": "claude-sonnet-4"}, "a chat model, not an embedding model"),
        ({"batch_size": 0}, "batch_size must be a positive integer"),
        ({"texts": ["a", ""]}, "text 1 is empty"),
        ({"texts": ["a", None]}, "text 1 is a NoneType"),
        ({"texts": "one string"}, "not one string"),
        ({"texts": ["ok", "bad \ud800"]}, "text 1 cannot be sent: it holds a lone surrogate"),
        ({"texts": ["x" * 8001], "model": "voyage-2"}, "takes at most 8000"),
    ],
)
def test_what_the_model_does_not_take_is_refused_before_any_request(
    kwargs: dict[str, Any], message: str
) -> None:
    rec = Recorder()
    texts = kwargs.pop("texts", ["a"])
    with pytest.raises(InvalidRequestError) as info:
        client(rec).embed(texts, **kwargs)
    assert message in str(info.value)
    assert rec.requests == []


def test_google_fields_are_sent_where_the_model_takes_them() -> None:
    rec = Recorder()
    client(rec).embed(
        ["t1"],
        model="text-multilingual-embedding-002",
        task_type="RETRIEVAL_DOCUMENT",
        title="Harbor",
        auto_truncate=False,
        dimensions=3,
    )
    assert rec.bodies == [
        {
            "model": "text-multilingual-embedding-002",
            "input": ["t1"],
            "task_type": "RETRIEVAL_DOCUMENT",
            "title": "Harbor",
            "auto_truncate": False,
            "dimensions": 3,
        }
    ]


def test_base64_answers_are_decoded() -> None:
    def b64(request: httpx.Request) -> httpx.Response:
        packed = base64.b64encode(struct.pack("<3f", 0.5, -1.25, 2.0)).decode()
        data = [{"object": "embedding", "index": 0, "embedding": packed}]
        return httpx.Response(200, json={"object": "list", "data": data, "model": "m", "usage": {}})

    rec = Recorder(b64)
    result = client(rec).embed(["t1"], encoding_format="base64")
    assert rec.bodies[0]["encoding_format"] == "base64"
    assert result.vectors == [[0.5, -1.25, 2.0]]


def test_items_answered_out_of_order_are_put_back_by_index() -> None:
    def shuffled(request: httpx.Request) -> httpx.Response:
        body = answer(request).json()
        body["data"].reverse()
        return httpx.Response(200, json=body)

    result = client(Recorder(shuffled)).embed(["t7", "t8", "t9"])
    assert [v[0] for v in result.vectors] == [7.0, 8.0, 9.0]


def test_cost_is_summed_over_batches_from_the_body_or_the_headers() -> None:
    calls = iter(range(3))

    def costed(request: httpx.Request) -> httpx.Response:
        n = next(calls)
        if n == 1:  # cost only in the headers (request-tracing-and-cost.md)
            resp = answer(request)
            return httpx.Response(
                201,
                json=resp.json(),
                headers={"x-aimlapi-credits-used": "5", "x-aimlapi-usd-spent": "0.0000025"},
            )
        return answer(request, meta={"usage": {"credits_used": 2, "usd_spent": 0.000001}})

    result = client(Recorder(costed)).embed(TEXTS[:30], batch_size=10)
    assert result.cost == Cost(credits_used=9.0, usd_spent=pytest.approx(0.0000045))


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda b: b["data"].pop(), "has 1 item(s)"),
        (lambda b: b["data"][1].update(index=0), "valid, unique index"),
        (lambda b: b["data"][1].update(index=5), "valid, unique index"),
        (lambda b: b["data"][1].update(embedding={"x": 1}), "neither a list of numbers"),
        (lambda b: b["data"][1].update(embedding="%%%"), "neither a list of numbers nor base64"),
        (lambda b: b["data"][1].update(embedding=[1.0]), "embedding 1 has 1 values, expected 3"),
        (lambda b: b.pop("data"), "no 'data' list"),
    ],
)
def test_an_unreadable_answer_is_a_response_validation_error(
    mangle: Callable[[dict[str, Any]], Any], message: str
) -> None:
    def bad(request: httpx.Request) -> httpx.Response:
        body = answer(request).json()
        mangle(body)
        return httpx.Response(200, json=body)

    with pytest.raises(ResponseValidationError) as info:
        client(Recorder(bad)).embed(["t1", "t2"])
    assert message in str(info.value)


def test_vectors_shorter_than_the_requested_dimensions_are_an_error() -> None:
    with pytest.raises(ResponseValidationError, match=r"expected 256 \(the requested dimensions\)"):
        client(Recorder()).embed(["t1"], dimensions=256)


def test_an_error_envelope_with_a_2xx_status_raises_its_error() -> None:
    def envelope(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, json={"statusCode": 429, "message": "slow down"})

    with pytest.raises(RateLimitError, match="slow down"):
        client(Recorder(envelope), max_retries=0).embed(["t1"])


def test_a_failed_batch_is_retried_with_the_same_body() -> None:
    statuses = iter([503, 201, 201])

    def flaky(request: httpx.Request) -> httpx.Response:
        status = next(statuses)
        return answer(request) if status == 201 else httpx.Response(status, json={"message": "x"})

    rec = Recorder(flaky)
    result = client(rec).embed(TEXTS[:20], batch_size=10)
    assert [b["input"][0] for b in rec.bodies] == ["t0", "t0", "t10"]
    assert [v[0] for v in result.vectors] == [float(i) for i in range(20)]


def test_a_wrong_key_is_an_authentication_error_that_does_not_show_it() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        auth = request.headers["authorization"]
        return httpx.Response(401, json={"message": f"bad key {auth}", "statusCode": 401})

    with pytest.raises(AuthenticationError) as info:
        client(Recorder(refuse)).embed(["t1"])
    assert KEY not in str(info.value)
    assert KEY not in repr(info.value.body)


# --------------------------------------------------------------------------- async


def async_client(recorder: Recorder) -> AsyncAIMLAPIClient:
    async def nosleep(_: float) -> None:
        return None

    return AsyncAIMLAPIClient(
        api_key=KEY,
        base_url="https://gw.test/v1",
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(recorder)),
        sleep=nosleep,
    )


async def test_async_batches_come_back_in_input_order() -> None:
    rec = Recorder()
    result = await async_client(rec).embed(TEXTS, batch_size=7, max_concurrency=3)
    assert len(rec.requests) == 43
    assert sorted(t for b in rec.bodies for t in b["input"]) == sorted(TEXTS)
    assert [v[0] for v in result.vectors] == [float(i) for i in range(300)]


async def test_async_one_failed_batch_cancels_the_rest_and_raises() -> None:
    sent: list[str] = []

    async def fail_second(request: httpx.Request) -> httpx.Response:
        first = json.loads(request.content)["input"][0]
        sent.append(first)
        await asyncio.sleep(0)  # a real answer takes a while: the other batch is in flight
        if first == "t10":
            return httpx.Response(401, json={"message": "no"})
        return answer(request)

    aclient = AsyncAIMLAPIClient(
        api_key=KEY, http_client=httpx.AsyncClient(transport=httpx.MockTransport(fail_second))
    )
    with pytest.raises(AuthenticationError):
        await aclient.embed(TEXTS, batch_size=10, max_concurrency=2)
    assert sent[:2] == ["t0", "t10"]
    # Cancelled a few event-loop turns later: most of the 30 batches are never sent.
    assert len(sent) < 10


@pytest.mark.parametrize("bound", [0, -1, 1.5, True])
async def test_async_max_concurrency_must_be_a_positive_int(bound: Any) -> None:
    rec = Recorder()
    with pytest.raises(InvalidRequestError, match="max_concurrency"):
        await async_client(rec).embed(["t1"], max_concurrency=bound)
    assert rec.requests == []


async def test_sync_and_async_send_the_same_bodies() -> None:
    # An async test, not asyncio.run() in a sync one: asyncio.run() drops the loop an older
    # pytest-asyncio (make test-oldest) left current, which then dies unclosed (ResourceWarning).
    sync_rec, async_rec = Recorder(), Recorder()
    kwargs: dict[str, Any] = {"model": "voyage-2", "input_type": "document", "batch_size": 50}
    texts = [*TEXTS[:120], "t1" + "y" * 1000, *TEXTS[120:200]]
    client(sync_rec).embed(texts, **kwargs)
    await async_client(async_rec).embed(texts, max_concurrency=1, **kwargs)
    assert [r.content for r in sync_rec.requests] == [r.content for r in async_rec.requests]
