"""A ``replies=`` function that fails or takes its time: the request it answers gets a clear 500
(a batch request an ``errored`` result) naming the function, whatever it raised —
``BaseException``s included — and the server, its batches and its other requests carry on."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from emulator_support import MODEL, user

from aimlapi_emulator import Emulator, RecordedRequest

RAISED: list[tuple[str, Callable[[], None]]] = [
    ("ValueError", lambda: (_ for _ in ()).throw(ValueError("no script for this"))),
    ("SystemExit", lambda: (_ for _ in ()).throw(SystemExit(3))),
    ("KeyboardInterrupt", lambda: (_ for _ in ()).throw(KeyboardInterrupt())),
    ("Failed", lambda: pytest.fail("the test's own check failed")),
]


def _last_text(request: RecordedRequest) -> str:
    return str(request.json["messages"][-1]["content"])


def _replies(failure: Callable[[], None]) -> Callable[[RecordedRequest], str]:
    def fails_on_boom(request: RecordedRequest) -> str:
        if _last_text(request) == "boom":
            failure()
        return "fine"

    return fails_on_boom


@pytest.fixture
def http() -> Iterator[Callable[[Emulator], httpx.Client]]:
    clients: list[httpx.Client] = []

    def connect(emu: Emulator) -> httpx.Client:
        headers = {"Authorization": f"Bearer {emu.api_key}"}
        clients.append(httpx.Client(base_url=emu.base_url, headers=headers, timeout=30))
        return clients[-1]

    yield connect
    for client in clients:
        client.close()


def _messages(client: httpx.Client, text: str) -> httpx.Response:
    return client.post("/messages", json={"model": MODEL, "max_tokens": 64, "messages": user(text)})


@pytest.mark.parametrize(("name", "failure"), RAISED, ids=[name for name, _ in RAISED])
def test_a_function_raising_anything_fails_that_request_only(
    http: Callable[[Emulator], httpx.Client], name: str, failure: Callable[[], None]
) -> None:
    with Emulator(replies=_replies(failure)) as emu:
        client = http(emu)
        failed = _messages(client, "boom")
        later = [_messages(client, f"next {i}") for i in range(3)]
        chat = client.post("/chat/completions", json={"model": MODEL, "messages": user("hi")})
    assert failed.status_code == 500
    envelope = failed.json()
    assert set(envelope) == {"message", "path", "requestId", "statusCode", "timestamp"}
    assert f"the replies function raised {name}" in envelope["message"]
    assert "fails_on_boom" in envelope["message"]  # the function, by name
    assert [r.status_code for r in later] == [200, 200, 200]
    assert [r.json()["content"][0]["text"] for r in later] == ["fine"] * 3
    assert chat.status_code == 201


def _batch_results(client: httpx.Client, texts: list[str]) -> list[dict[str, Any]]:
    requests = [
        {"custom_id": str(i), "params": {"model": MODEL, "max_tokens": 64, "messages": user(t)}}
        for i, t in enumerate(texts)
    ]
    created = client.post("/batches", json={"requests": requests})
    assert created.status_code == 200, created.text
    for _ in range(2000):  # the batch must end: a bound on polls, not a timing
        response = client.get("/batches", params={"batch_id": created.json()["id"]})
        if response.headers["content-type"].startswith("application/x-ndjson"):
            return [json.loads(line)["result"] for line in response.text.splitlines()]
    raise AssertionError("the batch is still in progress")


@pytest.mark.parametrize(("name", "failure"), RAISED, ids=[name for name, _ in RAISED])
def test_a_function_raising_anything_errors_that_batch_request_and_the_batch_ends(
    http: Callable[[Emulator], httpx.Client], name: str, failure: Callable[[], None]
) -> None:
    with Emulator(replies=_replies(failure), batch_polls=0) as emu:
        client = http(emu)
        first = _batch_results(client, ["a", "boom", "c"])
        second = _batch_results(client, ["d"])
    assert [r["type"] for r in first] == ["succeeded", "errored", "succeeded"]
    error = first[1]["error"]["error"]
    assert error["type"] == "api_error"
    assert f"the replies function raised {name}" in error["message"]
    assert "fails_on_boom" in error["message"]
    assert second[0]["message"]["content"][0]["text"] == "fine"


@pytest.mark.parametrize("tools", [5, "x", [5], {"name": "f"}, None])
def test_a_wrong_typed_batch_request_is_an_errored_result_and_the_batch_ends(
    http: Callable[[Emulator], httpx.Client], tools: Any
) -> None:
    with Emulator(batch_polls=0) as emu:
        client = http(emu)
        params = {"model": MODEL, "max_tokens": 64, "messages": user("hi"), "tools": tools}
        created = client.post("/batches", json={"requests": [{"custom_id": "0", "params": params}]})
        assert created.status_code == 200, created.text
        for _ in range(2000):  # a bound on polls, not a timing
            response = client.get("/batches", params={"batch_id": created.json()["id"]})
            if response.headers["content-type"].startswith("application/x-ndjson"):
                break
        else:
            raise AssertionError("the batch is still in progress")
    result = json.loads(response.text)["result"]
    assert result["type"] == "errored"
    assert result["error"]["error"]["type"] == "invalid_request_error"
    assert "tools" in result["error"]["error"]["message"]


def test_a_slow_function_does_not_hold_up_other_requests(
    http: Callable[[Emulator], httpx.Client],
) -> None:
    # The slow request waits until a later request has been answered; if the server answered
    # one request at a time, the later one could not be, and the wait would run out.
    answered_later = threading.Event()

    def replies(request: RecordedRequest) -> str:
        if _last_text(request) == "slow":
            return "after the other" if answered_later.wait(timeout=20) else "alone"
        return "quick"

    with Emulator(replies=replies) as emu, ThreadPoolExecutor(1) as pool:
        slow = pool.submit(_messages, http(emu), "slow")
        for _ in range(2000):  # until the slow request has arrived (a bound, not a timing)
            if any(_last_text(r) == "slow" for r in emu.requests if r.json):
                break
            threading.Event().wait(0.01)
        quick = _messages(http(emu), "quick")
        answered_later.set()
        assert quick.json()["content"][0]["text"] == "quick"
        assert slow.result().json()["content"][0]["text"] == "after the other"
