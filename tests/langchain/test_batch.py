"""``ChatAIMLAPI.batch_submit`` / ``batch_resume`` against the emulator (docs/batches.md)."""

from __future__ import annotations

import json
import pickle
import re
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.tools import tool

from aimlapi_core.errors import BadRequestError, BatchError, UnsupportedContentError
from aimlapi_emulator import Emulator, RecordedRequest, Reply
from langchain_aimlapi import AIMLAPIBatch, ChatAIMLAPI

PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAE"
    "hQGAhKmMIQAAAABJRU5ErkJggg=="
)


def model(emu: Emulator, key: str, **kw: Any) -> ChatAIMLAPI:
    emu.set_replies(say)
    return ChatAIMLAPI(api_key=key, base_url=emu.base_url, max_tokens=200, **kw)


def say(request: RecordedRequest) -> str:
    """Scripted answers: the quoted words of 'Say "..."', else the prompt quoted back."""
    content = request.json["messages"][-1]["content"]
    text = content if isinstance(content, str) else content[-1]["text"]
    match = re.search(r'[Ss]ay "([^"]+)"', text)
    return match.group(1) if match else f"re: {text}"


@tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"sunny in {city}"


def sent_batches(emu: Emulator) -> list[dict[str, Any]]:
    return [r.json for r in emu.requests if r.method == "POST" and r.path == "/v1/batches"]


def test_three_mixed_inputs_resumed_from_a_fresh_model_come_back_in_order(
    fresh_emulator: Emulator, emulator_api_key: str
) -> None:
    prompt = ChatPromptTemplate.from_messages([("system", "Be terse."), ("human", "{q}")])
    inputs: list[Any] = [
        'Say "pong"',
        [SystemMessage("You count."), HumanMessage("Count from 1 to 3.")],
        prompt.invoke({"q": "What is 2 + 3?"}),
    ]
    job = model(fresh_emulator, emulator_api_key, temperature=0.2).batch_submit(inputs)
    assert isinstance(job, AIMLAPIBatch)
    (body,) = sent_batches(fresh_emulator)
    assert body == {
        "requests": [
            {
                "custom_id": "0",
                "params": {
                    "model": "claude-sonnet-4-20250514",
                    "messages": [{"role": "user", "content": 'Say "pong"'}],
                    "max_tokens": 200,
                    "temperature": 0.2,
                },
            },
            {
                "custom_id": "1",
                "params": {
                    "model": "claude-sonnet-4-20250514",
                    "messages": [{"role": "user", "content": "Count from 1 to 3."}],
                    "system": "You count.",
                    "max_tokens": 200,
                    "temperature": 0.2,
                },
            },
            {
                "custom_id": "2",
                "params": {
                    "model": "claude-sonnet-4-20250514",
                    "messages": [{"role": "user", "content": "What is 2 + 3?"}],
                    "system": "Be terse.",
                    "max_tokens": 200,
                    "temperature": 0.2,
                },
            },
        ]
    }

    # A new model instance (as in a new process) knows the batch by its id only.
    fresh = model(fresh_emulator, emulator_api_key).batch_resume(job.id)
    seen: list[str] = []
    messages = fresh.results(poll_interval=0.02, progress=lambda b: seen.append(b.status))
    assert seen[-1] == "ended"
    assert "in_progress" in seen  # the emulator answers "generating" at least once
    assert all(isinstance(m, AIMessage) for m in messages)
    assert [m.text for m in messages] == ["pong", "re: Count from 1 to 3.", "re: What is 2 + 3?"]
    for m in messages:
        assert isinstance(m, AIMessage)
        usage = m.usage_metadata
        assert usage is not None
        assert usage["input_tokens"] > 0
        assert usage["output_tokens"] > 0
        assert m.response_metadata["usd_spent"] > 0
        assert m.response_metadata["stop_reason"] == "end_turn"
    gets = [r for r in fresh_emulator.requests if r.method == "GET"]
    assert len(gets) >= 2
    # The ended batch is kept: asking again sends nothing.
    again = [m.text for m in fresh.results()]  # type: ignore[union-attr]
    assert again == ["pong", "re: Count from 1 to 3.", "re: What is 2 + 3?"]
    assert len([r for r in fresh_emulator.requests if r.method == "GET"]) == len(gets)


def test_cancel_then_results_raise_a_batch_error(
    fresh_emulator: Emulator, emulator_api_key: str
) -> None:
    job = model(fresh_emulator, emulator_api_key).batch_submit(["Hi", "Bye"])
    assert job.cancel().status == "canceling"
    assert fresh_emulator.last_request.path == f"/v1/batches/cancel/{job.id}"
    assert job.status().status == "cancelled"
    with pytest.raises(BatchError, match="cancelled"):
        job.results(poll_interval=0.01)


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ([HumanMessage("Hi"), AIMessage("Hello!"), HumanMessage("And?")], "an assistant turn"),
        (
            [
                HumanMessage(
                    content=[
                        {"type": "text", "text": "What is this?"},
                        {"type": "image", "base64": PNG, "mime_type": "image/png"},
                    ]
                )
            ],
            "holds an image",
        ),
    ],
)
def test_multi_turn_and_image_inputs_are_refused_before_any_request(
    fresh_emulator: Emulator, emulator_api_key: str, bad: list[Any], reason: str
) -> None:
    llm = model(fresh_emulator, emulator_api_key)
    with pytest.raises(UnsupportedContentError, match=reason) as info:
        llm.batch_submit(["fine", bad])
    assert "batch request '1'" in str(info.value)
    assert fresh_emulator.requests == []


def test_bound_tools_and_settings_reach_every_request(
    fresh_emulator: Emulator, emulator_api_key: str
) -> None:
    llm = model(fresh_emulator, emulator_api_key, top_k=5)

    def call_weather(request: RecordedRequest) -> Reply:
        city = re.findall(r'"([^"]+)"', request.json["messages"][-1]["content"])[0]
        return Reply(tool_calls=[{"name": "get_weather", "input": {"city": city}}])

    fresh_emulator.set_replies(call_weather)
    bound = llm.bind_tools([get_weather], tool_choice="auto").bind(stop=["\n\nHuman:"])
    job = bound.batch_submit(['Call get_weather for "Paris"', 'Call get_weather for "Lima"'])
    (body,) = sent_batches(fresh_emulator)
    for item in body["requests"]:
        params = item["params"]
        assert params["tools"][0]["name"] == "get_weather"
        assert params["tool_choice"] == {"type": "auto"}
        assert params["stop_sequences"] == ["\n\nHuman:"]
        assert params["top_k"] == 5
    calls = [m.tool_calls for m in job.results(poll_interval=0.02)]  # type: ignore[union-attr]
    assert [c[0]["args"] for c in calls] == [{"city": "Paris"}, {"city": "Lima"}]
    # The same through keyword arguments, as invoke takes them.
    fresh_emulator.clear_requests()
    llm.batch_submit(["x"], tools=[get_weather], max_tokens=50)
    (direct,) = sent_batches(fresh_emulator)
    assert direct["requests"][0]["params"]["tools"][0]["name"] == "get_weather"
    assert direct["requests"][0]["params"]["max_tokens"] == 50


async def test_async_twins(fresh_emulator: Emulator, emulator_api_key: str) -> None:
    llm = model(fresh_emulator, emulator_api_key)
    job = await llm.abatch_submit(['Say "one"', 'Say "two"'])
    assert (await job.astatus()).status == "in_progress"
    assert [m.text for m in await job.aresults(poll_interval=0.02)] == ["one", "two"]  # type: ignore[union-attr]
    other = await llm.abatch_submit(["x"])
    assert (await other.acancel()).status == "canceling"
    await llm.aclose()


def test_a_failed_request_raises_or_takes_its_slot() -> None:
    message = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-20250514",
        "content": [{"type": "text", "text": "fine"}],
        "stop_reason": "end_turn",
        "usage": {"input_tokens": 3, "output_tokens": 1},
    }
    error = {"type": "error", "error": {"type": "invalid_request_error", "message": "too long"}}
    lines = [
        {"custom_id": "1", "result": {"type": "errored", "error": error}},
        {"custom_id": "0", "result": {"type": "succeeded", "message": message}},
    ]
    body = "\n".join(json.dumps(x) for x in lines).encode()
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
    llm = ChatAIMLAPI(api_key="sk-x", http_client=httpx.Client(transport=transport))
    job = llm.batch_resume("b1")
    with pytest.raises(BadRequestError, match="too long"):
        job.results()
    first, second = job.results(return_exceptions=True)
    assert isinstance(first, AIMessage)
    assert first.text == "fine"
    assert isinstance(second, BadRequestError)
    assert "batch request '1'" in str(second)


def test_a_used_model_pickles_with_its_key_and_works_after(
    fresh_emulator: Emulator, emulator_api_key: str
) -> None:
    llm = model(fresh_emulator, emulator_api_key)
    llm.invoke("Hi")  # builds the core client, which holds an unpicklable Secret
    copy = pickle.loads(pickle.dumps(llm))
    assert copy.invoke('Say "again"').text == "again"
    assert fresh_emulator.last_request.headers["authorization"] == "Bearer <redacted>"
    assert emulator_api_key not in repr(copy)
    job = pickle.loads(pickle.dumps(copy.batch_resume("some-id")))
    assert job.id == "some-id"
