"""The emulator's Batches API, driven with plain httpx (capabilities/batch-processing)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from aimlapi_emulator import Emulator, RecordedRequest, Reply

KEY = "sk-emu-batch-0b4e2f"


def echo(request: RecordedRequest) -> str:
    """The scripted answer: the last user message, quoted back."""
    return f"re: {request.json['messages'][-1]['content']}"


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(api_key=KEY, batch_polls=2, replies=echo) as emu:
        yield emu


@pytest.fixture
def http(emu: Emulator) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=emu.base_url, headers=headers, timeout=10) as client:
        yield client


def item(custom_id: str, text: str, **params: Any) -> dict[str, Any]:
    body = {"model": "claude-sonnet-4", "max_tokens": 64, **params}
    body["messages"] = [{"role": "user", "content": text}]
    return {"custom_id": custom_id, "params": body}


def lines(response: httpx.Response) -> list[dict[str, Any]]:
    """Results are JSON Lines; a status is one JSON document (a list)."""
    try:
        body = response.json()
    except ValueError:
        return [json.loads(line) for line in response.text.splitlines() if line.strip()]
    return body if isinstance(body, list) else [body]


def poll_until_results(http: httpx.Client, batch_id: str) -> tuple[int, httpx.Response]:
    """Polls until the body is results; returns how many polls said 'generating' first."""
    for generating in range(500):
        response = http.get("/batches", params={"batch_id": batch_id})
        assert response.status_code == 200
        body = lines(response)
        if body and "custom_id" in body[0]:
            return generating, response
        assert body == [{"id": batch_id, "status": "generating"}]
        time.sleep(0.01)
    raise AssertionError("the batch never ended")


def test_create_answers_the_batch_object_then_results_after_the_configured_polls(
    http: httpx.Client,
) -> None:
    created = http.post(
        "/batches",
        json={
            "requests": [
                item("a", 'Say "pong"'),
                item("b", "What is 2 + 3?", system="Be terse.", temperature=0.2),
            ]
        },
    )
    assert created.status_code == 200
    batch = created.json()
    assert batch["type"] == "message_batch"
    assert batch["processing_status"] == "in_progress"
    assert batch["request_counts"] == {
        "processing": 2,
        "succeeded": 0,
        "errored": 0,
        "canceled": 0,
        "expired": 0,
    }
    assert batch["results_url"] is None
    generating, response = poll_until_results(http, batch["id"])
    assert generating >= 2  # batch_polls=2: at least two "still generating" answers
    first, second = lines(response)
    assert first["custom_id"] == "a"
    assert first["result"]["type"] == "succeeded"
    message = first["result"]["message"]
    assert message["content"] == [{"type": "text", "text": 're: Say "pong"'}]
    assert message["usage"]["service_tier"] == "batch"
    assert message["meta"]["usage"]["credits_used"] > 0
    assert second["result"]["message"]["content"][0]["text"] == "re: What is 2 + 3?"
    # The same results again: a resumed client can fetch them any number of times.
    assert lines(http.get("/batches", params={"batch_id": batch["id"]})) == [first, second]


def test_a_request_the_messages_validation_refuses_is_an_errored_result(
    http: httpx.Client,
) -> None:
    created = http.post(
        "/batches", json={"requests": [item("ok", "Hi"), item("bad", "Hi", temperature=2)]}
    )
    _, response = poll_until_results(http, created.json()["id"])
    ok, bad = lines(response)
    assert ok["result"]["type"] == "succeeded"
    assert bad["result"]["type"] == "errored"
    error = bad["result"]["error"]
    assert error["type"] == "error"
    assert error["error"]["type"] == "invalid_request_error"
    assert "temperature" in error["error"]["message"]


def test_a_replies_function_that_raises_is_an_errored_result_naming_it() -> None:
    def fail(request: RecordedRequest) -> str:
        if request.json["messages"][-1]["content"] == "boom":
            raise ValueError("no script for this")
        return "fine"

    with Emulator(api_key=KEY, batch_polls=0, replies=fail) as emu:
        headers = {"Authorization": f"Bearer {KEY}"}
        with httpx.Client(base_url=emu.base_url, headers=headers, timeout=10) as http:
            created = http.post("/batches", json={"requests": [item("a", "Hi"), item("b", "boom")]})
            _, response = poll_until_results(http, created.json()["id"])
    ok, bad = lines(response)
    assert ok["result"]["message"]["content"][0]["text"] == "fine"
    message = bad["result"]["error"]["error"].pop("message")
    assert bad["result"] == {
        "type": "errored",
        "error": {"type": "error", "error": {"type": "api_error"}},
    }
    assert message.startswith("the replies function raised ValueError: no script for this (")
    assert message.endswith(".<locals>.fail)")  # the function, by name


@pytest.mark.parametrize(
    ("requests", "fragment"),
    [
        ([], "requests: must hold 1 to 100000 items"),
        ([item("a", "x"), item("a", "y")], "'a' is not unique"),
        (
            [
                {
                    "custom_id": "a",
                    "params": {
                        "model": "claude-sonnet-4",
                        "messages": [
                            {"role": "user", "content": "x"},
                            {"role": "assistant", "content": "y"},
                        ],
                    },
                }
            ],
            "requests.0.params.messages.1.role: Invalid enum value. Expected 'user'",
        ),
        (
            [
                {
                    "custom_id": "a",
                    "params": {
                        "model": "claude-sonnet-4",
                        "messages": [{"role": "user", "content": [{"type": "text", "text": "x"}]}],
                    },
                }
            ],
            "requests.0.params.messages.0.content: Expected string",
        ),
        ([item("a", "x", stream=True)], "Unrecognized key(s) in object: stream"),
        ([item("a", "x", system=[{"type": "text", "text": "s"}])], "system: Expected string"),
    ],
)
def test_the_batch_schema_is_enforced_at_create(
    http: httpx.Client, emu: Emulator, requests: list[Any], fragment: str
) -> None:
    response = http.post("/batches", json={"requests": requests})
    assert response.status_code == 400
    message = response.json()["message"]
    assert message.startswith("Body validation error!\n")
    assert fragment in message


def test_cancel_answers_canceling_then_cancelled_and_a_finished_batch_cannot_be(
    http: httpx.Client,
) -> None:
    running = http.post("/batches", json={"requests": [item("a", "x")]}).json()
    cancelled = http.post(f"/batches/cancel/{running['id']}")
    assert cancelled.status_code == 200
    assert cancelled.json()["processing_status"] == "canceling"
    assert cancelled.json()["cancel_initiated_at"] is not None
    (after,) = http.get("/batches", params={"batch_id": running["id"]}).json()
    assert after["status"] == "cancelled"
    assert after["processing_status"] == "canceling"

    finished = http.post("/batches", json={"requests": [item("a", "x")]}).json()
    poll_until_results(http, finished["id"])
    refused = http.post(f"/batches/cancel/{finished['id']}")
    assert refused.status_code == 400
    body = refused.json()
    assert body["path"] == f"/v1/batches/cancel/{finished['id']}"
    assert body["message"].startswith("400 ")
    upstream = json.loads(body["message"][4:])
    assert upstream["error"]["type"] == "invalid_request_error"
    assert "already finished processing" in upstream["error"]["message"]


def test_unknown_batches_missing_ids_and_bad_keys(http: httpx.Client, emu: Emulator) -> None:
    assert http.get("/batches", params={"batch_id": "nope"}).status_code == 404
    assert http.post("/batches/cancel/nope").status_code == 404
    missing = http.get("/batches")
    assert missing.status_code == 400
    assert "batch_id" in missing.json()["message"]
    wrong = httpx.post(
        f"{emu.base_url}/batches",
        json={"requests": [item("a", "x")]},
        headers={"Authorization": "Bearer wrong"},
    )
    assert wrong.status_code == 401
    assert [r.path for r in emu.requests][-1] == "/v1/batches"


def test_scripted_replies_answer_batch_requests_in_order_and_see_their_params(
    http: httpx.Client, emu: Emulator
) -> None:
    seen: list[RecordedRequest] = []

    def script(request: RecordedRequest) -> Reply:
        seen.append(request)
        return Reply(text=f"answer {len(seen)}", usage={"input_tokens": 5, "output_tokens": 2})

    emu.set_replies(script)
    created = http.post("/batches", json={"requests": [item("x", "one"), item("y", "two")]})
    _, response = poll_until_results(http, created.json()["id"])
    texts = [r["result"]["message"]["content"][0]["text"] for r in lines(response)]
    assert texts == ["answer 1", "answer 2"]
    usage = lines(response)[0]["result"]["message"]["usage"]
    assert (usage["input_tokens"], usage["output_tokens"]) == (5, 2)
    assert [(r.method, r.path) for r in seen] == [("POST", "/v1/batches")] * 2
    assert [r.json["messages"][0]["content"] for r in seen] == ["one", "two"]
    assert seen[0].headers["authorization"] == "Bearer <redacted>"
