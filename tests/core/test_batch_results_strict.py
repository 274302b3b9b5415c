"""Batch results read strictly, one result at a time (docs/batches.md, docs/wire.md "Batches").

A hostile results file (an ``httpx.MockTransport`` serving it) can cost no more memory than the
results it holds, cannot put an answer in the wrong slot, and cannot lose the other results:
``custom_id``s are input positions in ASCII digits, each slot is answered once, a missing or
unreadable result is an error in its own slot. Ids and timeouts are checked before any request.
"""

from __future__ import annotations

import json
import math
from typing import Any

import httpx
import pytest

from aimlapi_core import AIMLAPIClient, ChatRequest, ChatResult, Message, TextPart, in_input_order
from aimlapi_core.errors import (
    AIMLAPIError,
    BatchError,
    InternalServerError,
    InvalidRequestError,
    ResponseValidationError,
)

KEY = "sk-batch-strict-5e1d0c9a7b"
BASE = "http://gateway.test/v1"


def message(text: str, **over: Any) -> dict[str, Any]:
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-20250514",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "usage": {"input_tokens": 3, "output_tokens": 2},
        **over,
    }


def ok(custom_id: Any, text: str = "A") -> dict[str, Any]:
    return {"custom_id": custom_id, "result": {"type": "succeeded", "message": message(text)}}


def jsonl(*items: Any) -> bytes:
    return b"".join(json.dumps(i).encode() + b"\n" for i in items)


def client_answering(*bodies: bytes) -> tuple[AIMLAPIClient, list[httpx.Request]]:
    sent: list[httpx.Request] = []
    queue = list(bodies)

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, content=queue.pop(0))

    http = httpx.Client(transport=httpx.MockTransport(handler))
    return AIMLAPIClient(api_key=KEY, base_url=BASE, http_client=http, max_retries=0), sent


def slots(content: bytes, size: int | None) -> list[ChatResult | AIMLAPIError]:
    client, _ = client_answering(content)
    return in_input_order(client.batches.retrieve("b1"), size)


def texts(out: list[ChatResult | AIMLAPIError]) -> list[str]:
    return [o.text if isinstance(o, ChatResult) else type(o).__name__ for o in out]


def ask() -> ChatRequest:
    return ChatRequest(
        model="claude-sonnet-4-20250514",
        max_tokens=8,
        messages=[Message(role="user", parts=[TextPart(text="hi")])],
    )


# --------------------------------------------------------------------------- custom_ids


@pytest.mark.parametrize("custom_id", ["1000000", "1e20", "9" * 5000])
def test_a_huge_custom_id_costs_no_more_slots_than_results(custom_id: str) -> None:
    out = slots(jsonl(ok("0"), ok(custom_id)), None)
    assert texts(out) == ["A", "BatchError"]  # two results: two slots, the stray one named
    assert custom_id[:20] in str(out[1])


@pytest.mark.parametrize("custom_id", ["²", "١", "１", "01", "+1", " 1", "1 ", "-1", "", "x"])
def test_only_canonical_ascii_digits_fill_a_slot(custom_id: str) -> None:
    out = slots(jsonl(ok("0"), ok(custom_id, "stray")), 2)
    assert texts(out) == ["A", "BatchError"]
    assert isinstance(out[1], BatchError)
    assert "returned no result for input 1" in str(out[1])
    assert repr(custom_id) in str(out[1])  # the result that answered no input is named


def test_two_results_for_one_input_are_an_error_in_that_slot() -> None:
    out = slots(jsonl(ok("0", "first"), ok("1", "B"), ok("0", "second")), 2)
    assert texts(out) == ["ResponseValidationError", "B"]
    assert "2 results for input 0" in str(out[0])


def test_results_beyond_the_inputs_never_become_answers() -> None:
    out = slots(jsonl(*(ok(str(i), str(i)) for i in range(5))), 3)
    assert texts(out) == ["0", "1", "2"]


def test_missing_trailing_results_are_errors_in_their_slots() -> None:
    out = slots(jsonl(ok("0"), ok("1")), 4)
    assert texts(out) == ["A", "A", "BatchError", "BatchError"]


# --------------------------------------------------------------------------- one bad result


UNREADABLE: dict[str, dict[str, Any]] = {
    "errored stop_reason": {
        "custom_id": "1",
        "result": {
            "type": "succeeded",
            "message": message("x", stop_reason="error", error={"message": "upstream broke"}),
        },
    },
    "content not a list": {
        "custom_id": "1",
        "result": {"type": "succeeded", "message": message("x", content=5)},
    },
    "message missing": {"custom_id": "1", "result": {"type": "succeeded"}},
    "unknown result type": {"custom_id": "1", "result": {"type": "exploded"}},
    "result not an object": {"custom_id": "1", "result": [1]},
    "no result at all": {"custom_id": "1"},
}


@pytest.mark.parametrize("item", UNREADABLE.values(), ids=list(UNREADABLE))
def test_one_unreadable_result_is_an_error_in_its_slot_and_the_rest_are_read(
    item: dict[str, Any],
) -> None:
    out = slots(jsonl(ok("0", "first"), item, ok("2", "third")), 3)
    assert texts(out)[0::2] == ["first", "third"]
    assert isinstance(out[1], ResponseValidationError | InternalServerError)
    assert "'1'" in str(out[1])  # the error names its request


@pytest.mark.parametrize("line", [5, "text", None, {"result": {"type": "succeeded"}}])
def test_a_line_without_a_custom_id_leaves_the_other_results_readable(line: Any) -> None:
    out = slots(jsonl(ok("0"), line, ok("1", "B")), 2)
    assert texts(out) == ["A", "B"]


def test_invalid_utf8_in_a_results_file_is_a_response_validation_error() -> None:
    body = jsonl(ok("0")) + b'{"custom_id": "1", "result": {"type": "succeeded", "x": "\xff"}}\n'
    client, _ = client_answering(body)
    with pytest.raises(ResponseValidationError, match="UTF-8"):
        client.batches.retrieve("b1")


# --------------------------------------------------------------------------- ids


@pytest.mark.parametrize(
    "answer",
    [
        {"id": "", "processing_status": "in_progress"},
        {"id": "   ", "processing_status": "in_progress"},
        {"id": "..", "processing_status": "in_progress"},
        {"processing_status": "in_progress"},
        [ok("0")],  # results, but no id to find them by
    ],
)
def test_a_create_answer_without_a_usable_id_is_refused(answer: Any) -> None:
    client, _ = client_answering(json.dumps(answer).encode())
    with pytest.raises(ResponseValidationError, match="id"):
        client.batches.create([ask()])


@pytest.mark.parametrize("batch_id", ["..", ".", "", " ", "a\nb", 5])
def test_an_id_that_cannot_name_a_batch_is_refused_before_any_request(batch_id: Any) -> None:
    client, sent = client_answering()
    for call in (client.batches.cancel, client.batches.retrieve, client.batches.wait):
        with pytest.raises(InvalidRequestError, match="batch_id"):
            call(batch_id)
    assert sent == []


def test_an_id_with_reserved_characters_is_escaped_into_one_path_segment() -> None:
    client, sent = client_answering(json.dumps({"id": "a/../b?c", "status": "cancelled"}).encode())
    client.batches.cancel("a/../b?c")
    assert sent[0].url.raw_path == b"/v1/batches/cancel/a%2F..%2Fb%3Fc"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("timeout", math.nan),
        ("timeout", math.inf),
        ("timeout", -1),
        ("timeout", True),
        ("timeout", "10"),
        ("poll_interval", math.nan),
        ("poll_interval", math.inf),
        ("poll_interval", 0),
        ("max_interval", math.nan),
        ("max_interval", -1),
    ],
)
def test_bad_waiting_arguments_are_refused_before_any_request(name: str, value: Any) -> None:
    client, sent = client_answering()
    with pytest.raises(InvalidRequestError, match=name):
        client.batches.wait("b1", **{name: value})
    assert sent == []


def test_a_resumed_handle_takes_the_size_from_the_counts_it_polled() -> None:
    from langchain_aimlapi import ChatAIMLAPI

    running = {"id": "b1", "processing_status": "in_progress", "request_counts": {"processing": 3}}
    client, sent = client_answering(json.dumps(running).encode(), jsonl(ok("0"), ok("1", "B")))
    llm = ChatAIMLAPI(api_key=KEY, base_url=BASE, http_client=client._http)
    out = llm.batch_resume("b1").results(poll_interval=0.01, return_exceptions=True)
    assert [getattr(o, "text", type(o).__name__) for o in out] == ["A", "B", "BatchError"]
    assert len(sent) == 2
