"""Large batches: 10,000 requests in one batch, memory bounded.

The create body is serialised a slice of requests at a time (``_batches._create_body``) and an
ended batch's JSON Lines are parsed a slice of lines at a time and decoded as they are parsed
(``wire.batches.read_body``). Neither may change a byte sent or a value read: these tests pin the
body to ``json_bytes``' form of the whole, and every reading of an answer (or its error) to the
two-step reading it replaced, ``read_batch(parse_body(content))``.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aimlapi_core import AIMLAPIClient, ChatRequest, Message, TextPart, in_input_order
from aimlapi_core.errors import AIMLAPIError, InvalidRequestError, ResponseValidationError
from aimlapi_core.wire.batches import Batch, parse_body, read_batch, read_body

KEY = "sk-batch-large-test-77c1e0"
BASE = "http://gateway.test/v1"
MODEL = "claude-sonnet-4-20250514"
CREATED = {"id": "b-large", "processing_status": "in_progress"}


def ask(text: str, **kw: Any) -> ChatRequest:
    messages = [Message(role="user", parts=[TextPart(text=text)])]
    return ChatRequest(model=MODEL, max_tokens=64, messages=messages, **kw)


def client_sending(answer: httpx.Response) -> tuple[AIMLAPIClient, list[httpx.Request]]:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return answer

    http = httpx.Client(transport=httpx.MockTransport(handler))
    return AIMLAPIClient(api_key=KEY, base_url=BASE, http_client=http), sent


def succeeded(custom_id: str, text: str, out: int = 5) -> dict[str, Any]:
    message = {
        "model": MODEL,
        "id": f"msg_{custom_id}",
        "type": "message",
        "role": "assistant",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 11, "cache_read_input_tokens": 2, "output_tokens": out},
        "meta": {"usage": {"credits_used": 96, "usd_spent": 0.000048}},
    }
    return {"custom_id": custom_id, "result": {"type": "succeeded", "message": message}}


# --------------------------------------------------------------------------- create


def test_a_large_batch_is_json_bytes_form_of_the_whole_body_in_input_order() -> None:
    # 150 requests span three slices of 64; non-ASCII text checks ensure_ascii=False throughout.
    texts = [f"Résumé {i}: “quoted” ünïcode ✓" for i in range(150)]
    client, sent = client_sending(httpx.Response(200, json=CREATED))
    client.batches.create([ask(t) for t in texts])
    (request,) = sent
    body = json.loads(request.content)
    assert request.content == json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    assert [r["custom_id"] for r in body["requests"]] == [str(i) for i in range(150)]
    assert [r["params"] for r in body["requests"]] == [
        {"model": MODEL, "messages": [{"role": "user", "content": t}], "max_tokens": 64}
        for t in texts
    ]


@pytest.mark.parametrize("size", [1, 64, 65, 130])
def test_the_body_holds_every_request_at_each_slice_boundary(size: int) -> None:
    client, sent = client_sending(httpx.Response(200, json=CREATED))
    client.batches.create({f"id-{i}": ask(f"q{i}") for i in range(size)})
    ids = [r["custom_id"] for r in json.loads(sent[0].content)["requests"]]
    assert ids == [f"id-{i}" for i in range(size)]


def test_a_bad_last_request_of_a_large_batch_is_refused_by_its_index_before_any_request() -> None:
    requests = [ask(f"q{i}") for i in range(299)] + [ask("x", temperature=3)]
    client, sent = client_sending(httpx.Response(200, json=CREATED))
    with pytest.raises(InvalidRequestError, match="batch request '299': temperature must be"):
        client.batches.create(requests)
    assert sent == []


# --------------------------------------------------------------------------- read


def test_two_hundred_results_read_in_input_order_with_usage_and_cost() -> None:
    lines = [succeeded(str(i), f"answer {i}", out=i) for i in reversed(range(200))]
    content = b"".join(json.dumps(x).encode() + b"\n" for x in lines)
    client, _ = client_sending(httpx.Response(200, content=content))
    batch = client.batches.retrieve("b-large")
    assert batch.counts is not None
    assert (batch.status, batch.counts.succeeded, batch.counts.total) == ("ended", 200, 200)
    results = in_input_order(batch)
    assert [r.text for r in results if not isinstance(r, Exception)] == [
        f"answer {i}" for i in range(200)
    ]
    last = results[199]
    assert not isinstance(last, Exception)
    assert (last.usage.input_tokens, last.usage.output_tokens) == (13, 199)
    assert last.cost is not None
    assert last.cost.credits_used == 96


def test_a_broken_line_past_the_first_slice_is_named_by_its_line() -> None:
    lines = [json.dumps(succeeded(str(i), "a")) for i in range(150)]
    lines[99] = '{"custom_id": "99", oops'
    client, _ = client_sending(httpx.Response(200, content="\n".join(lines).encode()))
    with pytest.raises(ResponseValidationError, match="line 100 of a batches answer is not JSON"):
        client.batches.retrieve("b-large")


def reading(read: Any) -> Any:
    """What a reading gave, comparable across two readings: the batch's fields and each result
    (errors by type and words), or the error raised (by type and words)."""
    try:
        batch: Batch = read()
    except AIMLAPIError as exc:
        return ("raised", type(exc), str(exc))
    results = [
        (r.custom_id, r.type, r.result, type(r.error), str(r.error)) for r in batch.results or []
    ]
    return (batch.id, batch.status, batch.raw_status, batch.counts, results)


RESULTS = st.one_of(
    st.builds(succeeded, st.text("0123456789ab_-", min_size=1, max_size=4), st.text(max_size=12)),
    st.builds(
        lambda cid, kind: {"custom_id": cid, "result": {"type": kind}},
        st.sampled_from(["0", "7", "x"]),
        st.sampled_from(["canceled", "expired"]),
    ),
)
ITEMS = st.one_of(
    RESULTS,
    st.builds(
        lambda cid, kind: {"custom_id": cid, "result": {"type": kind}},
        st.sampled_from(["0", "7", "x"]),
        st.sampled_from(["canceled", "expired", "errored", "surprise"]),
    ),
    st.just({"custom_id": 5, "result": {"type": "canceled"}}),  # an id that is not a string
    st.just({"id": "b1", "status": "generating"}),  # a status object among results
    st.just([1, 2]),
    st.just("text"),
)
LINE_ENDS = st.sampled_from(["\n", "\r\n", "\n\n", "\n \t\n", " \n", "\n\r\n"])


@given(
    items=st.lists(RESULTS, max_size=140) | st.lists(ITEMS, max_size=140),
    ends=st.lists(LINE_ENDS, min_size=1, max_size=5),
    broken=st.one_of(st.none(), st.integers(min_value=0, max_value=140)),
    glued=st.booleans(),
)
def test_reading_as_parsed_gives_what_the_two_step_reading_gives(
    items: list[Any], ends: list[str], broken: int | None, glued: bool
) -> None:
    lines = [json.dumps(x, ensure_ascii=False) for x in items]
    if broken is not None:
        lines.insert(min(broken, len(lines)), '{"custom_id": "z", ')  # a line that is not JSON
    if glued and len(lines) >= 2:
        lines[0:2] = [lines[0] + ", " + lines[1]]  # two values on one line, comma-separated
    content = "".join(line + ends[i % len(ends)] for i, line in enumerate(lines)).encode()
    assert reading(lambda: read_body(content, "b1")) == reading(
        lambda: read_batch(parse_body(content), "b1")
    )


GLUED = json.dumps(succeeded("0", "a")) + ", " + json.dumps(succeeded("1", "b"))


@pytest.mark.parametrize(
    "content",
    [
        GLUED.encode(),  # two results on one line, comma-separated: line 1 is not JSON Lines
        (GLUED + "\n" + json.dumps(succeeded("2", "c"))).encode(),
        json.dumps([succeeded("0", "a"), succeeded("1", "b")], indent=2).encode(),  # one array
        json.dumps(succeeded("0", "a"), indent=2).encode(),  # one result, pretty-printed
        (json.dumps(succeeded("0", "a")) + " " + json.dumps(succeeded("1", "b"))).encode(),
        b'[{"id": "b1", "status": "generating"}]',
        b"   \n\n  ",
        b"\xff\xfe not utf-8",
    ],
)
def test_every_other_form_reads_as_the_two_step_reading_does(content: bytes) -> None:
    assert reading(lambda: read_body(content, "b1")) == reading(
        lambda: read_batch(parse_body(content), "b1")
    )
