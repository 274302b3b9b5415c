"""Lifecycle, the request log, side-by-side emulators, concurrency and the CLI."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
from typing import Any

import httpx
import pytest
from emulator_support import MODEL, Api, sse_data, user

from aimlapi_emulator import Emulator, Fault, PortInUseError, RecordedRequest


def test_the_log_records_the_exact_json_in_order_with_the_key_redacted(fresh_api: Api):
    bodies = [
        {"model": MODEL, "messages": user("first"), "max_tokens": 10, "temperature": 0.25},
        {"model": MODEL, "messages": user("second ünïcode"), "max_tokens": 10, "stream": True},
    ]
    fresh_api.post("/chat/completions", bodies[0], **{"X-Client-Request-Id": "job-1"})
    fresh_api.post("/messages", bodies[1])
    fresh_api.client.get(f"{fresh_api.emu.base_url}/models")
    log = fresh_api.emu.requests
    assert [(r.method, r.path) for r in log] == [
        ("POST", "/v1/chat/completions"),
        ("POST", "/v1/messages"),
        ("GET", "/v1/models"),
    ]
    assert [r.json for r in log[:2]] == bodies
    assert log[0].headers["authorization"] == "Bearer <redacted>"
    assert log[0].headers["x-client-request-id"] == "job-1"
    key = fresh_api.emu.api_key
    assert all(key not in repr(r) and key not in json.dumps(r.headers) for r in log)
    assert fresh_api.emu.last_request == log[-1]
    assert key not in repr(fresh_api.emu)
    fresh_api.emu.clear_requests()
    assert fresh_api.emu.requests == []
    with pytest.raises(LookupError):
        _ = fresh_api.emu.last_request


def test_the_log_redacts_every_credential_header_by_the_clients_rule(fresh_api: Api):
    secrets = {
        "Cookie": "session=cookie-secret-1",
        "Proxy-Authorization": "Basic cHJveHktc2VjcmV0LTI=",
        "X-Custom-Api-Key": "custom-secret-3",
        "X-Trace": "Bearer trace-secret-4",  # a credential by its value's auth scheme
    }
    fresh_api.post("/chat/completions", {"model": MODEL, "messages": user("hi")}, **secrets)
    headers = fresh_api.emu.last_request.headers
    assert headers["cookie"] == "<redacted>"
    assert headers["proxy-authorization"] == "Basic <redacted>"  # the scheme kept, as for the key
    assert headers["x-custom-api-key"] == "<redacted>"
    assert headers["x-trace"] == "<redacted>"
    assert headers["authorization"] == "Bearer <redacted>"
    assert headers["content-type"] == "application/json"  # other headers as sent
    shown = repr(fresh_api.emu.requests)
    values = ("secret-1", "cHJveHktc2VjcmV0LTI=", "secret-3", "secret-4")
    assert [v for v in values if v in shown] == []


def test_the_log_is_complete_under_concurrent_writers(fresh_api: Api):
    def send(n: int) -> None:
        with httpx.Client() as client:
            for i in range(10):
                Api(fresh_api.emu, client).chat(messages=user(f"t{n} m{i}"), max_tokens=5)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    texts = [r.json["messages"][0]["content"] for r in fresh_api.emu.requests]
    assert sorted(texts) == sorted(f"t{n} m{i}" for n in range(8) for i in range(10))
    for n in range(8):  # each client's own requests stay in the order it sent them
        mine = [t for t in texts if t.startswith(f"t{n} ")]
        assert mine == [f"t{n} m{i}" for i in range(10)]


def test_two_emulators_side_by_side_keep_their_own_state():
    with Emulator(api_key="key-a") as a, Emulator(api_key="key-b", faults=[Fault(status=503)]) as b:
        assert a.base_url != b.base_url
        assert a.base_url.startswith("http://127.0.0.1:")
        assert a.base_url.endswith("/v1")
        with httpx.Client() as client:
            assert Api(a, client).chat(messages=user("hi")).status_code == 201
            assert Api(b, client).chat(messages=user("hi")).status_code == 503
            assert Api(a, client).post("/chat/completions", {}, key="key-b").status_code == 401
        assert len(a.requests) == 2
        assert len(b.requests) == 1
    with pytest.raises(RuntimeError, match="not running"):
        _ = a.base_url


def _count(request: RecordedRequest) -> str:
    """A replies function: "count to N" → "1, 2, …, N"."""
    n = int(request.json["messages"][0]["content"].rsplit(" ", 1)[1])
    return ", ".join(str(i) for i in range(1, n + 1))


async def test_async_context_manager_and_200_concurrent_streams():
    async with Emulator(replies=_count) as emu:
        limits = httpx.Limits(max_connections=100)
        async with httpx.AsyncClient(limits=limits, timeout=30) as client:

            async def one(i: int) -> str:
                response = await client.post(
                    f"{emu.base_url}/chat/completions",
                    headers={"Authorization": f"Bearer {emu.api_key}"},
                    json={
                        "model": MODEL,
                        "messages": user(f"count to {i % 7 + 2}"),
                        "stream": True,
                    },
                )
                assert response.status_code == 201
                chunks = sse_data(response)
                assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
                return "".join(c["choices"][0]["delta"]["content"] for c in chunks[:-1])

            texts = await asyncio.gather(*(one(i) for i in range(200)))
        assert texts[0] == "1, 2"
        assert texts[5] == "1, 2, 3, 4, 5, 6, 7"
        assert len(emu.requests) == 200


def test_cli_prints_the_base_url_and_serves():
    fault = json.dumps({"status": 503})
    command = [sys.executable, "-m", "aimlapi_emulator", "--port", "0", "--api-key", "k1"]
    with subprocess.Popen([*command, "--fault", fault], stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        base_url = proc.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:")
        assert base_url.endswith("/v1")
        body = {"model": MODEL, "messages": user("Hello")}
        headers = {"Authorization": "Bearer k1"}
        url = f"{base_url}/chat/completions"
        assert httpx.post(url, json=body, headers=headers).status_code == 503
        assert httpx.post(url, json=body, headers=headers).status_code == 201
        proc.terminate()
        assert proc.wait(timeout=10) == 0


def test_cli_rejects_a_bad_fault():
    result = subprocess.run(
        [sys.executable, "-m", "aimlapi_emulator", "--fault", '{"nope": 1}'],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "unknown Fault field" in result.stderr


def test_a_taken_port_is_a_clear_error_in_python_and_on_the_command_line():
    with Emulator() as first:
        port = first.port
        with pytest.raises(PortInUseError, match=f"port {port} on 127.0.0.1 is already in use"):
            Emulator(port=port).start()
        result = subprocess.run(
            [sys.executable, "-m", "aimlapi_emulator", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 1
    assert result.stderr == (
        f"python -m aimlapi_emulator: error: port {port} on 127.0.0.1 is already in use: "
        "stop what holds it, choose another port, or use port 0 for a free one\n"
    )


QUIET_STOP = """
import httpx
from aimlapi_emulator import Emulator, Fault

with Emulator(faults=[Fault(delay=30)]) as emu:
    try:
        httpx.post(
            emu.base_url + "/chat/completions",
            json={"model": "claude-sonnet-4", "messages": [{"role": "user", "content": "hi"}]},
            headers={"Authorization": "Bearer k"},
            timeout=0.2,
        )
    except httpx.TimeoutException:
        print("client timed out")
print("stopped")
"""


def test_stopping_with_a_request_still_running_prints_no_traceback():
    result = subprocess.run(
        [sys.executable, "-c", QUIET_STOP], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert result.stdout == "client timed out\nstopped\n"
    assert result.stderr == ""


def test_the_request_log_keeps_the_newest_requests_up_to_its_cap():
    with Emulator(request_log_limit=3) as emu, httpx.Client(timeout=10) as client:
        for i in range(5):
            client.get(f"{emu.base_url}/nothing/{i}")
        assert [r.path for r in emu.requests] == [f"/v1/nothing/{i}" for i in (2, 3, 4)]
        assert emu.last_request.path == "/v1/nothing/4"


@pytest.mark.parametrize("limit", [0, -1, 1.5, True])
def test_the_request_log_cap_is_checked(limit: Any):
    with pytest.raises(ValueError, match="request_log_limit"):
        Emulator(request_log_limit=limit)
