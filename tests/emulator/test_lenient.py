"""The benchmarks' lenient emulator (benchmarks/_lenient.py, through
``Emulator(rewrite_request=...)``): OpenAI-shaped requests are answered; strict stays strict."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from emulator_support import MODEL, Api, sse_data, user

from aimlapi_emulator import Emulator, RecordedRequest, Reply

_SPEC = importlib.util.spec_from_file_location(
    "benchmarks_lenient", Path(__file__).resolve().parents[2] / "benchmarks" / "_lenient.py"
)
assert _SPEC is not None
assert _SPEC.loader is not None
_LENIENT = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(_LENIENT)

COUNT = ", ".join(str(i) for i in range(1, 51))

# What ChatOpenAI (langchain-openai 1.x) sends for `stream()` with stream_usage=True.
OPENAI_SHAPED = {
    "model": MODEL,
    "messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": 'Say "hello sea"'},
    ],
    "max_completion_tokens": 64,
    "stop": "zzz",
    "n": 1,
    "stream_options": {"include_usage": True},
    "parallel_tool_calls": None,
}


@pytest.fixture
def lenient() -> Iterator[Api]:
    # Every answer is scripted: the words are the test's, the limits are the emulator's.
    def answer(request: RecordedRequest) -> Reply:
        return Reply(text=COUNT if "Count" in str(request.json) else "hello sea")

    emulator = Emulator(rewrite_request=_LENIENT.relax, replies=answer)
    with emulator as emu, httpx.Client(timeout=10) as client:
        yield Api(emu, client)


def test_strict_default_refuses_the_openai_shape(api: Api) -> None:
    response = api.post("/chat/completions", {**OPENAI_SHAPED, "stream": True})
    assert response.status_code == 400
    assert "Body validation error!" in response.json()["message"]


def test_lenient_answers_the_openai_shape_and_logs_it_as_sent(lenient: Api) -> None:
    response = lenient.post("/chat/completions", {**OPENAI_SHAPED, "stream": True})
    assert response.status_code == 201, response.text
    chunks = sse_data(response)
    text = "".join(c["choices"][0].get("delta", {}).get("content") or "" for c in chunks)
    assert text == "hello sea"
    assert any(c.get("usage") for c in chunks)
    # The log keeps the request as the client sent it, not the rewritten one.
    assert lenient.emu.last_request.json == {**OPENAI_SHAPED, "stream": True}


def test_lenient_maps_max_completion_tokens_and_stop(lenient: Api) -> None:
    body = {**OPENAI_SHAPED, "messages": user("Count to 50"), "max_completion_tokens": 5}
    whole = lenient.post("/chat/completions", body).json()
    assert whole["choices"][0]["finish_reason"] == "max_tokens"
    assert whole["usage"]["completion_tokens"] <= 5
    stopped = lenient.post("/chat/completions", {**body, "stop": ["3"], "max_tokens": 200})
    assert stopped.json()["choices"][0]["finish_reason"] == "stop_sequence"


def test_lenient_still_refuses_what_it_cannot_stand_for(lenient: Api) -> None:
    response = lenient.post("/chat/completions", {**OPENAI_SHAPED, "n": 2})
    assert response.status_code == 400
    assert "'n'" in response.json()["message"]


def test_lenient_answers_the_anthropic_sdk_shape(lenient: Api) -> None:
    # The Anthropic SDK posts to /v1/messages with x-api-key and anthropic-version.
    response = lenient.client.post(
        f"{lenient.emu.base_url}/messages",
        json={"model": MODEL, "max_tokens": 64, "messages": user("Say hello")},
        headers={"x-api-key": lenient.emu.api_key, "anthropic-version": "2023-06-01"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["content"][0]["text"] == "hello sea"
