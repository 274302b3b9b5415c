"""``client.batches`` at level 2: exact requests out, every documented answer shape in.

The answer shapes are the page's own examples (capabilities/batch-processing): the create
response, the three GET responses (generating, cancelled, finished) and the cancel responses.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from aimlapi_core import (
    AIMLAPIClient,
    AsyncAIMLAPIClient,
    ChatRequest,
    ChatResult,
    DocumentPart,
    ImagePart,
    Message,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    ToolSpec,
    in_input_order,
)
from aimlapi_core.errors import (
    BadRequestError,
    BatchError,
    BatchTimeoutError,
    InvalidRequestError,
    RateLimitError,
    ResponseValidationError,
    UnsupportedContentError,
)

KEY = "sk-batch-test-5e1d0c9a"
BASE = "http://gateway.test/v1"

CREATED = {
    "id": "kgTRCVoAz4GwrHWIOFZjg",
    "type": "message_batch",
    "processing_status": "in_progress",
    "request_counts": {"processing": 2, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0},
    "ended_at": None,
    "created_at": "2026-05-04T17:27:37.468424+00:00",
    "expires_at": "2026-05-05T17:27:37.468424+00:00",
    "archived_at": None,
    "cancel_initiated_at": None,
    "results_url": None,
}
GENERATING = [{"id": "msgbatch_01TDVirzmjyZ51WZGyU3uMeY", "status": "generating"}]
CANCELLED = [
    {
        **CREATED,
        "processing_status": "canceling",
        "cancel_initiated_at": "2026-05-04T14:27:52.008416+00:00",
        "status": "cancelled",
    }
]


def message(text: str, stop: str = "end_turn", out: int = 7) -> dict[str, object]:
    return {
        "model": "claude-sonnet-4-20250514",
        "id": "msg_01NGpcFgpg4CoupjDTDYD68i",
        "type": "message",
        "role": "assistant",
        "content": [{"type": "text", "text": text}],
        "stop_reason": stop,
        "stop_sequence": None,
        "stop_details": None,
        "usage": {
            "input_tokens": 13,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
            "output_tokens": out,
            "service_tier": "batch",
            "inference_geo": "not_available",
        },
    }


def jsonl(*items: object) -> bytes:
    return b"".join(json.dumps(i).encode() + b"\n" for i in items)


def ask(text: str, **kw: object) -> ChatRequest:
    base: dict[str, object] = {
        "model": "claude-sonnet-4-20250514",
        "max_tokens": 1024,
        "messages": [Message(role="user", parts=[TextPart(text=text)])],
    }
    base.update(kw)
    return ChatRequest(**base)  # type: ignore[arg-type]


def make(
    *answers: httpx.Response, sleeps: list[float] | None = None
) -> tuple[AIMLAPIClient, list[httpx.Request]]:
    sent: list[httpx.Request] = []
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return queue.pop(0)

    record: Callable[[float], None] = sleeps.append if sleeps is not None else lambda s: None
    client = AIMLAPIClient(
        api_key=KEY,
        base_url=BASE,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        sleep=record,
        jitter=lambda: 0.0,
    )
    return client, sent


def ok(body: object) -> httpx.Response:
    return httpx.Response(200, json=body)


# --------------------------------------------------------------------------- create


def test_create_sends_exactly_the_documented_body() -> None:
    client, sent = make(ok(CREATED))
    tools = [ToolSpec(name="lookup", description="Find a word", input_schema={"type": "object"})]
    batch = client.batches.create(
        {
            "test-01": ask("How to learn nestjs?", system=[TextPart(text="Be terse.")]),
            "test-02": ask("Use lookup", tools=tools, temperature=0.5, stop_sequences=["END"]),
        }
    )
    assert batch.id == "kgTRCVoAz4GwrHWIOFZjg"
    assert batch.status == "in_progress"
    assert batch.counts is not None
    assert batch.counts.processing == 2
    assert batch.results is None
    assert not batch.done
    (req,) = sent
    assert (req.method, str(req.url)) == ("POST", f"{BASE}/batches")
    assert req.headers["authorization"] == f"Bearer {KEY}"
    assert json.loads(req.content) == {
        "requests": [
            {
                "custom_id": "test-01",
                "params": {
                    "model": "claude-sonnet-4-20250514",
                    "messages": [{"role": "user", "content": "How to learn nestjs?"}],
                    "system": "Be terse.",
                    "max_tokens": 1024,
                },
            },
            {
                "custom_id": "test-02",
                "params": {
                    "model": "claude-sonnet-4-20250514",
                    "messages": [{"role": "user", "content": "Use lookup"}],
                    "max_tokens": 1024,
                    "temperature": 0.5,
                    "stop_sequences": ["END"],
                    "tools": [
                        {
                            "name": "lookup",
                            "description": "Find a word",
                            "input_schema": {"type": "object", "properties": {}},
                        }
                    ],
                },
            },
        ]
    }


def test_a_sequence_gets_its_positions_as_custom_ids() -> None:
    client, sent = make(ok(CREATED))
    client.batches.create([ask("a"), ask("b"), ask("c")])
    assert [r["custom_id"] for r in json.loads(sent[0].content)["requests"]] == ["0", "1", "2"]


IMAGE = ImagePart(media_type="image/png", data="iVBORw0KGgo=")


@pytest.mark.parametrize(
    ("messages", "reason"),
    [
        (
            [
                Message(role="user", parts=[TextPart(text="Hi")]),
                Message(role="assistant", parts=[TextPart(text="Hello")]),
                Message(role="user", parts=[TextPart(text="Again")]),
            ],
            "messages[1] is an assistant turn",
        ),
        ([Message(role="user", parts=[TextPart(text="What?"), IMAGE])], "holds an image"),
        (
            [Message(role="user", parts=[DocumentPart(media_type="text/plain", data="doc")])],
            "holds a document",
        ),
        (
            [
                Message(
                    role="user",
                    parts=[ToolResultPart(tool_call_id="t1", content=[TextPart(text="42")])],
                )
            ],
            "holds a tool result",
        ),
        (
            [Message(role="user", parts=[ToolCallPart(id="t1", name="f", arguments={})])],
            "holds a tool call",
        ),
        (
            [Message(role="user", parts=[TextPart(text="a"), TextPart(text="b")])],
            "several content blocks",
        ),
        (
            [Message(role="user", parts=[TextPart(text="a", cache_control={"type": "ephemeral"})])],
            "cache_control",
        ),
    ],
)
def test_what_the_batch_schema_cannot_carry_is_refused_before_any_request(
    messages: list[Message], reason: str
) -> None:
    client, sent = make()
    with pytest.raises(UnsupportedContentError) as info:
        client.batches.create({"fine": ask("ok"), "bad-one": ask("x", messages=messages)})
    assert "'bad-one'" in str(info.value)
    assert reason in str(info.value)
    assert sent == []


@pytest.mark.parametrize(
    ("requests", "reason"),
    [
        ({}, "at least one request"),
        ({"has space": ask("x")}, "custom_id 'has space' is not accepted"),
        ({"a" * 65: ask("x")}, "is not accepted"),
        ({"x": ask("x", extra_body={"stream": True})}, "stream is not a batch request parameter"),
        ({"x": ask("x", extra_headers={"X-Trace": "1"})}, "extra_headers cannot travel"),
        ({"x": ask("x", temperature=3)}, "batch request 'x': temperature must be between 0 and 1"),
    ],
)
def test_bad_batches_are_refused_before_any_request(
    requests: dict[str, ChatRequest], reason: str
) -> None:
    client, sent = make()
    with pytest.raises(InvalidRequestError, match=reason):
        client.batches.create(requests)
    assert sent == []


# --------------------------------------------------------------------------- read


def test_retrieve_reads_generating_then_finished_results_as_json_lines() -> None:
    results = jsonl(
        {"custom_id": "1", "result": {"type": "succeeded", "message": message("B", "max_tokens")}},
        {"custom_id": "0", "result": {"type": "succeeded", "message": message("A", out=3)}},
    )
    client, sent = make(ok(GENERATING), httpx.Response(200, content=results))
    running = client.batches.retrieve("kg/TR?C")
    assert (running.id, running.status, running.raw_status) == (
        "kg/TR?C",
        "in_progress",
        "generating",
    )
    ended = client.batches.retrieve("kg/TR?C")
    assert str(sent[0].url) == f"{BASE}/batches?batch_id=kg%2FTR%3FC"
    assert sent[0].method == "GET"
    assert "content-type" not in sent[0].headers
    assert ended.status == "ended"
    assert ended.done
    assert ended.counts is not None
    assert ended.counts.succeeded == 2
    first, second = in_input_order(ended)
    assert not isinstance(first, Exception)
    assert not isinstance(second, Exception)
    assert (first.text, first.stop_reason, first.usage.output_tokens) == ("A", "end_turn", 3)
    assert (second.text, second.stop_reason) == ("B", "max_tokens")
    assert first.usage.input_tokens == 13
    assert first.cost is None


def test_results_as_one_json_array_errors_and_cost_are_read() -> None:
    with_cost = {**message("A"), "meta": {"usage": {"credits_used": 96, "usd_spent": 0.000048}}}
    errored = {
        "type": "errored",
        "error": {
            "type": "error",
            "error": {"type": "invalid_request_error", "message": "max_tokens: too large"},
        },
    }
    body = [
        {"custom_id": "0", "result": {"type": "succeeded", "message": with_cost}},
        {"custom_id": "1", "result": errored},
        {"custom_id": "3", "result": {"type": "expired"}},
        {"custom_id": "2", "result": {"type": "canceled"}},
    ]
    client, _ = make(ok(body))
    batch = client.batches.retrieve("b1")
    assert batch.counts is not None
    assert (batch.counts.succeeded, batch.counts.errored, batch.counts.expired) == (1, 1, 1)
    slots = in_input_order(batch, size=5)
    assert not isinstance(slots[0], Exception)
    assert slots[0].cost is not None
    assert slots[0].cost.usd_spent == 0.000048
    assert isinstance(slots[1], BadRequestError)
    assert "'1'" in str(slots[1])
    assert "max_tokens: too large" in str(slots[1])
    assert isinstance(slots[2], BatchError)
    assert slots[2].result_type == "canceled"
    assert isinstance(slots[3], BatchError)
    assert slots[3].result_type == "expired"
    assert isinstance(slots[4], BatchError)
    assert "no result for input 4" in str(slots[4])
    assert batch.result("1").type == "errored"


def test_a_cancelled_batch_is_final_and_has_no_results() -> None:
    client, sent = make(ok({**CREATED, "processing_status": "canceling"}), ok(CANCELLED))
    canceling = client.batches.cancel("kgTRCVoAz4GwrHWIOFZjg")
    assert str(sent[0].url) == f"{BASE}/batches/cancel/kgTRCVoAz4GwrHWIOFZjg"
    assert sent[0].method == "POST"
    assert canceling.status == "canceling"
    assert not canceling.done
    later = client.batches.retrieve("kgTRCVoAz4GwrHWIOFZjg")
    assert later.status == "cancelled"
    assert later.done
    assert later.cancel_initiated_at == "2026-05-04T14:27:52.008416+00:00"
    with pytest.raises(BatchError, match="was cancelled"):
        in_input_order(later)


def test_the_cancel_schema_form_is_read_too() -> None:
    client, _ = make(ok({"id": "fe91", "status": "cancelled", "output": None, "usage": []}))
    assert client.batches.cancel("fe91").status == "cancelled"


def test_cancelling_a_finished_batch_is_the_documented_400() -> None:
    upstream = (
        '400 {"type":"error","error":{"type":"invalid_request_error","message":"Batch b1 '
        'cannot be canceled because it has already finished processing."}}'
    )
    body = {"requestId": "56277efa", "statusCode": 400, "path": "/v1/batches/cancel/b1"}
    client, sent = make(httpx.Response(400, json={**body, "message": upstream}))
    with pytest.raises(BadRequestError, match="already finished processing") as info:
        client.batches.cancel("b1")
    assert info.value.request_id == "56277efa"
    assert len(sent) == 1  # a 400 is not retried


@pytest.mark.parametrize(
    "body", [[], [{"id": "x"}], {"id": "x", "processing_status": "ended"}, [1, 2], "text"]
)
def test_unreadable_answers_raise_response_validation_error(body: object) -> None:
    client, _ = make(ok(body))
    with pytest.raises(ResponseValidationError):
        client.batches.retrieve("x")


def test_a_broken_json_line_names_its_line() -> None:
    client, _ = make(httpx.Response(200, content=b'{"custom_id": "0"}\n{oops\n'))
    with pytest.raises(ResponseValidationError, match="line 2"):
        client.batches.retrieve("x")


# --------------------------------------------------------------------------- transport


def test_retries_and_redaction_are_the_clients_own() -> None:
    sleeps: list[float] = []
    leaked = httpx.Response(429, json={"message": f"slow down {KEY}", "statusCode": 429})
    client, sent = make(leaked, ok(GENERATING), leaked, leaked, leaked, sleeps=sleeps)
    assert client.batches.retrieve("b1").status == "in_progress"
    assert len(sent) == 2
    assert len(sleeps) == 1
    with pytest.raises(RateLimitError) as info:
        client.batches.retrieve("b1")
    assert KEY not in str(info.value)
    assert KEY not in json.dumps(info.value.body)


# --------------------------------------------------------------------------- waiting


def test_wait_backs_off_reports_progress_and_returns_the_results() -> None:
    done = jsonl({"custom_id": "0", "result": {"type": "succeeded", "message": message("A")}})
    sleeps: list[float] = []
    client, sent = make(
        ok(GENERATING),
        ok(GENERATING),
        ok(GENERATING),
        httpx.Response(200, content=done),
        sleeps=sleeps,
    )
    seen: list[str] = []
    batch = client.batches.wait(
        "b1", poll_interval=2.0, max_interval=4.0, on_progress=lambda b: seen.append(b.status)
    )
    assert sleeps == [2.0, 3.0, 4.0]
    assert seen == ["in_progress", "in_progress", "in_progress", "ended"]
    assert len(sent) == 4
    assert batch.results is not None
    assert batch.results[0].result is not None


def test_wait_stops_at_a_cancelled_batch() -> None:
    client, sent = make(ok(GENERATING), ok(CANCELLED))
    assert client.batches.wait("b1", poll_interval=0.01).status == "cancelled"
    assert len(sent) == 2


def test_wait_times_out_with_a_batch_timeout_error() -> None:
    client, sent = make(ok(GENERATING), ok(GENERATING))
    with pytest.raises(BatchTimeoutError, match="still in_progress") as info:
        client.batches.wait("b1", timeout=0, poll_interval=1.0)
    assert info.value.batch_id == "b1"
    assert len(sent) == 1
    assert isinstance(info.value, TimeoutError)


def test_wait_rejects_bad_arguments_before_any_request() -> None:
    client, sent = make()
    with pytest.raises(ValueError, match="poll_interval"):
        client.batches.wait("b1", poll_interval=0)
    with pytest.raises(InvalidRequestError, match="batch_id"):
        client.batches.retrieve("")
    assert sent == []


# --------------------------------------------------------------------------- async


async def test_the_async_twin_sends_and_reads_the_same() -> None:
    done = jsonl({"custom_id": "0", "result": {"type": "succeeded", "message": message("A")}})
    answers = [ok(CREATED), ok(GENERATING), httpx.Response(200, content=done), ok(CANCELLED)]
    sent: list[httpx.Request] = []
    sleeps: list[float] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return answers.pop(0)

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    client = AsyncAIMLAPIClient(
        api_key=KEY,
        base_url=BASE,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        sleep=sleep,
    )
    batch = await client.batches.create([ask("How to learn nestjs?")])
    ended = await client.batches.wait(batch.id, poll_interval=1.5)
    assert sleeps == [1.5]
    (result,) = in_input_order(ended)
    assert not isinstance(result, Exception)
    assert result.text == "A"
    assert (await client.batches.cancel(batch.id)).status == "cancelled"
    assert [(r.method, r.url.path) for r in sent] == [
        ("POST", "/v1/batches"),
        ("GET", "/v1/batches"),
        ("GET", "/v1/batches"),
        ("POST", "/v1/batches/cancel/kgTRCVoAz4GwrHWIOFZjg"),
    ]
    assert json.loads(sent[0].content)["requests"][0]["custom_id"] == "0"


class _Bar:
    """Records what a tqdm bar is told."""

    made: list[dict[str, object]] = []

    def __init__(self, **kw: object) -> None:
        self.made.append(kw)
        self.total: object = kw["total"]
        self.n = 0
        self.log: list[tuple[object, int, str]] = []
        self.closed = False
        _Bar.last = self

    last: _Bar

    def set_postfix_str(self, text: str, refresh: bool = True) -> None:
        self.log.append((self.total, self.n, text))

    def refresh(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


def test_progress_true_draws_the_handles_bar_from_the_counts() -> None:
    from aimlapi_core.adapter import BatchHandle

    class Handle(BatchHandle[str]):
        def _convert(self, result: ChatResult) -> str:
            return result.text

        def _bar(self) -> Callable[..., Any]:
            return _Bar

    counts = {"processing": 1, "succeeded": 1, "errored": 0, "canceled": 0, "expired": 0}
    half = {**CREATED, "request_counts": counts}
    done = jsonl(
        {"custom_id": "0", "result": {"type": "succeeded", "message": message("A")}},
        {"custom_id": "1", "result": {"type": "succeeded", "message": message("B")}},
    )
    client, sent = make(ok(CREATED), ok(half), httpx.Response(200, content=done))
    _Bar.made = []
    job = Handle("b1", size=2, sync_client=lambda: client, async_client=AsyncAIMLAPIClient)
    assert job.results(poll_interval=1.0, progress=True) == ["A", "B"]
    assert len(sent) == 3
    assert _Bar.made == [{"total": 2, "desc": "batch b1", "unit": "req"}]
    assert _Bar.last.log[:2] == [(2, 0, "in_progress"), (2, 1, "in_progress")]
    assert _Bar.last.log[2][2] == "ended"
    assert _Bar.last.closed
