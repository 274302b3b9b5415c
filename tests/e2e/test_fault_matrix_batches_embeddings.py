"""The adversary's matrix for the surfaces chat does not cover: embeddings and batches.

Every row is a hostile server (an ``httpx.MockTransport`` serving its answers in order, the
last one repeated): error statuses, bodies that are not JSON, nested past the parser, not
UTF-8, echoing the key, and bodies of the right JSON with the wrong values — vectors of
strings, nulls, booleans, NaN; batch results with stray, duplicate or non-canonical custom_ids,
unreadable results, errored stop reasons. Each surface, core and both adapters, sync and async,
returns exactly what the row expects (the baseline answer, or per batch slot the answer or the
error class), or raises the row's error of the library's family — never anything else — and the
key is in no error. Counted: 0 silent mismatches, 0 errors outside the family.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from langchain_core.messages import HumanMessage
from llama_index.core.llms import ChatMessage
from matrix_support import key_in

from aimlapi_core import (
    AIMLAPIClient,
    AsyncAIMLAPIClient,
    ChatRequest,
    ChatResult,
    Message,
    TextPart,
    in_input_order,
)
from aimlapi_core.errors import (
    AIMLAPIError,
    AuthenticationError,
    BadRequestError,
    BatchError,
    InternalServerError,
    ResponseValidationError,
)
from langchain_aimlapi import AIMLAPIEmbeddings, ChatAIMLAPI
from llama_index_aimlapi import AIMLAPI, AIMLAPIEmbedding

KEY = "sk-matrix-results-7c6b5a4f3e2d1c0b"
OK = "ok"
Answer = tuple[int, bytes]  # status, body
RETRY = {"retry-after": "0.01"}


@dataclass
class Row:
    name: str
    answers: list[Answer]
    expected: Any  # OK, an error class, or (batches) one expectation per slot


def _body(value: Any) -> bytes:
    return value if isinstance(value, bytes) else json.dumps(value).encode()


DEEP = b"[" * 3000 + b"]" * 3000
NOT_UTF8 = b'{"data": [{"index": 0, "embedding": [0.5]}], "model": "caf\xff"}'
ECHO = f"Bearer {KEY}"
HTML = f"<html><pre>Authorization: {ECHO}</pre></html>".encode()

# --------------------------------------------------------------------------- embeddings

DIMS = 3
VECTORS = [[0.5, 0.25, -1.0], [1.0, 0.0, 2.0]]


def vectors(*values: Any, indices: list[Any] | None = None) -> bytes:
    data = [
        {"object": "embedding", "index": n if indices is None else indices[n], "embedding": v}
        for n, v in enumerate(values)
    ]
    return _body({"object": "list", "data": data, "model": "text-embedding-3-small"})


GOOD_VECTORS = vectors(*VECTORS)
EMBEDDING_ROWS = [
    Row("429 once", [(429, b'{"message": "slow", "statusCode": 429}'), (200, GOOD_VECTORS)], OK),
    Row("500 three times", [(500, b'{"message": "down", "statusCode": 500}')], InternalServerError),
    Row("401 echoing the key", [(401, _body({"message": ECHO}))], AuthenticationError),
    Row("400 nested too deep", [(400, DEEP)], BadRequestError),
    Row("2xx error envelope echoing the key", [(200, _body({"error": {"message": ECHO}}))],
        InternalServerError),
    Row("2xx html echoing the key", [(200, HTML)], ResponseValidationError),
    Row("2xx nested too deep", [(200, DEEP)], ResponseValidationError),
    Row("2xx not UTF-8", [(200, NOT_UTF8)], ResponseValidationError),
    Row("a number past the digit limit", [(200, b'{"data": [' + b"9" * 5000 + b"]}")],
        ResponseValidationError),
    Row("a string value", [(200, vectors(VECTORS[0], [1.0, "0", 2.0]))], ResponseValidationError),
    Row("a null value", [(200, vectors(VECTORS[0], [1.0, None, 2.0]))], ResponseValidationError),
    Row("a boolean value", [(200, vectors(VECTORS[0], [1.0, False, 2.0]))],
        ResponseValidationError),
    Row("NaN", [(200, GOOD_VECTORS.replace(b"0.25", b"NaN"))], ResponseValidationError),
    Row("Infinity", [(200, GOOD_VECTORS.replace(b"0.25", b"Infinity"))], ResponseValidationError),
    Row("a short vector", [(200, vectors(VECTORS[0], [1.0, 0.0]))], ResponseValidationError),
    Row("one vector for two texts", [(200, vectors(VECTORS[0]))], ResponseValidationError),
    Row("an index twice", [(200, vectors(*VECTORS, indices=[1, 1]))], ResponseValidationError),
    Row("an index out of range", [(200, vectors(*VECTORS, indices=[0, 2]))],
        ResponseValidationError),
    Row("data not a list", [(200, _body({"data": {"0": VECTORS[0]}}))], ResponseValidationError),
]  # fmt: skip


def _transports(answers: list[Answer]) -> tuple[httpx.MockTransport, httpx.MockTransport]:
    queue = list(answers)

    def answer(request: httpx.Request) -> httpx.Response:
        status, body = queue.pop(0) if len(queue) > 1 else queue[0]
        headers = {"content-type": "application/json", **(RETRY if status == 429 else {})}
        return httpx.Response(status, content=body, headers=headers)

    async def aanswer(request: httpx.Request) -> httpx.Response:
        return answer(request)

    return httpx.MockTransport(answer), httpx.MockTransport(aanswer)


def _pools(answers: list[Answer]) -> tuple[httpx.Client, httpx.AsyncClient]:
    sync, asyncs = _transports(answers)
    return httpx.Client(transport=sync), httpx.AsyncClient(transport=asyncs)


TEXTS = ["first text", "second text"]
Make = Callable[[httpx.Client, httpx.AsyncClient], Any]
EMBEDDERS: list[tuple[str, Make, tuple[str, ...], dict[str, Any]]] = [
    # (label, the model on the hostile pools, its sync and async methods, their keywords)
    ("core", lambda s, a: AIMLAPIClient(api_key=KEY, http_client=s, jitter=lambda: 0),
     ("embed",), {"dimensions": DIMS}),
    ("core async", lambda s, a: AsyncAIMLAPIClient(api_key=KEY, http_client=a, jitter=lambda: 0),
     ("embed",), {"dimensions": DIMS}),
    ("AIMLAPIEmbeddings", lambda s, a: AIMLAPIEmbeddings(
        api_key=KEY, dimensions=DIMS, http_client=s, http_async_client=a),
     ("embed_documents", "aembed_documents"), {}),
    ("AIMLAPIEmbedding", lambda s, a: AIMLAPIEmbedding(
        api_key=KEY, dimensions=DIMS, http_client=s, async_http_client=a),
     ("get_text_embedding_batch", "aget_text_embedding_batch"), {}),
]  # fmt: skip


def _embedding_surface(make: Make, method: str, kw: dict[str, Any]) -> Callable[..., Any]:
    def run(answers: list[Answer]) -> Any:
        out = getattr(make(*_pools(answers)), method)(TEXTS, **kw)
        out = asyncio.run(out) if inspect.isawaitable(out) else out
        return getattr(out, "vectors", out)  # the core's EmbeddingResult, else the vectors

    return run


EMBEDDING_SURFACES: dict[str, Callable[[list[Answer]], Any]] = {
    f"{label}.{method}": _embedding_surface(make, method, kw)
    for label, make, methods, kw in EMBEDDERS
    for method in methods
}

# --------------------------------------------------------------------------- batches


def _message(text: str, **over: Any) -> dict[str, Any]:
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "usage": {"input_tokens": 3, "output_tokens": 1},
        **over,
    }


def result(custom_id: Any, text: str | None = None, **outcome: Any) -> dict[str, Any]:
    body = outcome or {"type": "succeeded", "message": _message(text or f"answer {custom_id}")}
    return {"custom_id": custom_id, "result": body}


def results(*items: Any) -> Answer:
    return 200, b"".join(_body(i) + b"\n" for i in items)


GOOD_RESULTS = [result("0"), result("1"), result("2")]
A0, A1, A2 = "answer 0", "answer 1", "answer 2"
ERRORED = {
    "type": "errored",
    "error": {"type": "error", "error": {"type": "invalid_request_error", "message": ECHO}},
}
BATCH_ROWS = [
    Row("results in order", [results(*GOOD_RESULTS)], [A0, A1, A2]),
    Row("results in reverse", [results(*reversed(GOOD_RESULTS))], [A0, A1, A2]),
    Row("one JSON array", [(200, _body(GOOD_RESULTS))], [A0, A1, A2]),
    Row("a 429 while polling", [(429, b'{"statusCode": 429}'), results(*GOOD_RESULTS)],
        [A0, A1, A2]),
    Row("401 echoing the key", [(401, _body({"message": ECHO}))], AuthenticationError),
    Row("nested too deep", [(200, DEEP)], ResponseValidationError),
    Row("not UTF-8", [(200, results(*GOOD_RESULTS)[1].replace(b"answer 2", b"answer \xff"))],
        ResponseValidationError),
    Row("a huge custom_id", [results(result("0"), result("1"), result("1000000"))],
        [A0, A1, BatchError]),
    Row("custom_id 1e20", [results(result("0"), result("1"), result("1e20"))],
        [A0, A1, BatchError]),
    Row("non-canonical custom_ids", [results(result("0"), result("01"), result("\uff12"))],
        [A0, BatchError, BatchError]),
    Row("a custom_id twice", [results(result("0"), result("1"), result("1", "again"),
        result("2"))], [A0, ResponseValidationError, A2]),
    Row("results beyond the inputs", [results(*GOOD_RESULTS, result("3"), result("4"))],
        [A0, A1, A2]),
    Row("a missing result", [results(result("0"), result("2"))], [A0, BatchError, A2]),
    Row("an errored result echoing the key", [results(result("0"), result("1", **ERRORED),
        result("2"))], [A0, BadRequestError, A2]),
    Row("an errored stop_reason", [results(result("0"), result("1", type="succeeded",
        message=_message("x", stop_reason="error", error={"message": ECHO})), result("2"))],
        [A0, InternalServerError, A2]),
    Row("bad content", [results(result("0"), result("1", type="succeeded",
        message=_message("x", content=[{"type": "text", "text": 5}])), result("2"))],
        [A0, ResponseValidationError, A2]),
    Row("an unknown result type", [results(result("0"), result("1", type=ECHO), result("2"))],
        [A0, ResponseValidationError, A2]),
    Row("a result that is not an object", [results(result("0"), {"custom_id": "1",
        "result": [ECHO]}, result("2"))], [A0, ResponseValidationError, A2]),
    Row("a line without a custom_id", [results(result("0"), {"result": ECHO}, result("1"),
        result("2"))], [A0, A1, A2]),
    Row("a canceled and an expired result", [results(result("0"), result("1", type="canceled"),
        result("2", type="expired"))], [A0, BatchError, BatchError]),
    Row("a cancelled batch", [(200, _body([{"id": "b1", "status": "cancelled"}]))], BatchError),
]  # fmt: skip

CREATED = (200, _body({"id": "b1", "processing_status": "in_progress"}))


def _request(n: int) -> ChatRequest:
    return ChatRequest(
        model="claude-sonnet-4-20250514",
        max_tokens=16,
        messages=[Message(role="user", parts=[TextPart(text=f"question {n}")])],
    )


def _slot_view(slot: Any) -> Any:
    if isinstance(slot, BaseException):
        return slot
    if isinstance(slot, ChatResult):
        return slot.text
    if hasattr(slot, "message"):  # LlamaIndex ChatResponse
        return slot.message.content
    return slot.text  # LangChain AIMessage


def _core_batch(a: list[Answer]) -> list[Any]:
    client = AIMLAPIClient(
        api_key=KEY, http_client=_pools([CREATED, *a])[0], sleep=lambda s: None, jitter=lambda: 0
    )
    batch = client.batches.create([_request(n) for n in range(3)])
    return in_input_order(client.batches.wait(batch.id, poll_interval=0.01), 3)


async def _core_abatch(a: list[Answer]) -> list[Any]:
    client = AsyncAIMLAPIClient(api_key=KEY, http_client=_pools([CREATED, *a])[1], jitter=lambda: 0)
    batch = await client.batches.create([_request(n) for n in range(3)])
    return in_input_order(await client.batches.wait(batch.id, poll_interval=0.01), 3)


def _lc() -> list[list[HumanMessage]]:
    return [[HumanMessage(f"question {n}")] for n in range(3)]


def _li() -> list[list[ChatMessage]]:
    return [[ChatMessage(role="user", content=f"question {n}")] for n in range(3)]


def _lc_model(a: list[Answer]) -> ChatAIMLAPI:
    sync, asyncs = _pools([CREATED, *a])
    return ChatAIMLAPI(api_key=KEY, http_client=sync, http_async_client=asyncs, max_tokens=16)


def _li_model(a: list[Answer]) -> AIMLAPI:
    sync, asyncs = _pools([CREATED, *a])
    return AIMLAPI(api_key=KEY, http_client=sync, async_http_client=asyncs, max_tokens=16)


async def _lc_aresults(a: list[Answer]) -> list[Any]:
    job = await _lc_model(a).abatch_submit(_lc())
    return await job.aresults(poll_interval=0.01, return_exceptions=True)


async def _li_aresults(a: list[Answer]) -> list[Any]:
    job = await _li_model(a).abatch_submit(_li())
    return await job.aresults(poll_interval=0.01, return_exceptions=True)


BATCH_SURFACES: dict[str, Callable[[list[Answer]], Any]] = {
    "core batches": _core_batch,
    "core async batches": lambda a: asyncio.run(_core_abatch(a)),
    "ChatAIMLAPI.batch_submit": lambda a: (
        _lc_model(a).batch_submit(_lc()).results(poll_interval=0.01, return_exceptions=True)
    ),
    "ChatAIMLAPI.abatch_submit": lambda a: asyncio.run(_lc_aresults(a)),
    "AIMLAPI.batch_submit": lambda a: (
        _li_model(a).batch_submit(_li()).results(poll_interval=0.01, return_exceptions=True)
    ),
    "AIMLAPI.abatch_submit": lambda a: asyncio.run(_li_aresults(a)),
}

# --------------------------------------------------------------------------- the matrix


def _key_in(exc: BaseException) -> bool:
    return key_in(exc, KEY)


def _judge(
    name: str,
    surface: Callable[[list[Answer]], Any],
    answers: list[Answer],
    expected: Any,
    baseline: Any,
) -> list[str]:
    """The problems of one cell: [] when it answered as expected."""
    try:
        got = surface(answers)
    except AIMLAPIError as exc:
        problems = [f"{name}: the key is in the error"] if _key_in(exc) else []
        if not (isinstance(expected, type) and isinstance(exc, expected)):
            problems.append(f"{name}: raised {type(exc).__name__}: {exc}; expected {expected}")
        return problems
    except Exception as exc:  # outside the family: the defect this matrix exists for
        return [f"{name}: raised {type(exc).__name__} outside the family: {exc!r}"]
    if isinstance(expected, type):
        return [f"{name}: returned {got!r}; expected {expected.__name__}"]
    if isinstance(expected, list):  # batch slots: each an answer or an error class
        views = [_slot_view(slot) for slot in got]
        problems = [f"{name}: the key is in slot {i}" for i, v in enumerate(views)
                    if isinstance(v, BaseException) and _key_in(v)]  # fmt: skip
        shape = [type(v) if isinstance(v, BaseException) else v for v in views]
        if len(shape) != len(expected) or any(
            not (s == e or (isinstance(s, type) and isinstance(e, type) and issubclass(s, e)))
            for s, e in zip(shape, expected, strict=False)
        ):
            problems.append(f"{name}: silent mismatch {views!r} != {expected!r}")
        return problems
    return [] if got == baseline else [f"{name}: silent mismatch {got!r} != {baseline!r}"]


@pytest.mark.parametrize("row", EMBEDDING_ROWS, ids=[r.name for r in EMBEDDING_ROWS])
def test_embedding_fault_matrix(row: Row) -> None:
    problems: list[str] = []
    for name, surface in EMBEDDING_SURFACES.items():
        problems += _judge(name, surface, row.answers, row.expected, VECTORS)
    assert problems == []


@pytest.mark.parametrize("row", BATCH_ROWS, ids=[r.name for r in BATCH_ROWS])
def test_batch_fault_matrix(row: Row) -> None:
    problems: list[str] = []
    for name, surface in BATCH_SURFACES.items():
        problems += _judge(name, surface, row.answers, row.expected, None)
    assert problems == []
