"""``AIMLAPI.batch_submit`` / ``batch_resume`` against the emulator (docs/batches.md)."""

from __future__ import annotations

import logging
import pickle
import re
from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage, ChatResponse, ImageBlock, TextBlock

from aimlapi_core.errors import BatchError, UnsupportedContentError
from aimlapi_emulator import Emulator, RecordedRequest
from llama_index_aimlapi import AIMLAPI, AIMLAPIBatch

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f00f0004850180848a6cc2"
    "0000000049454e44ae426082"
)


def model(emu: Emulator, key: str, **kw: Any) -> AIMLAPI:
    emu.set_replies(say)
    return AIMLAPI(api_key=key, base_url=emu.base_url, max_tokens=200, **kw)


def say(request: RecordedRequest) -> str:
    """Scripted answers: the quoted words of 'Say "..."', else the prompt quoted back."""
    content = request.json["messages"][-1]["content"]
    text = content if isinstance(content, str) else content[-1]["text"]
    match = re.search(r'[Ss]ay "([^"]+)"', text)
    return match.group(1) if match else f"re: {text}"


def user(text: str) -> ChatMessage:
    return ChatMessage(role="user", content=text)


def test_three_mixed_inputs_resumed_from_a_fresh_model_come_back_in_order(
    fresh_emulator: Emulator, emulator_api_key: str
) -> None:
    inputs = [
        [user('Say "pong"')],
        [ChatMessage(role="system", content="You count."), user("Count from 1 to 3.")],
        [user("What is 2 + 3?")],
    ]
    job = model(fresh_emulator, emulator_api_key, top_p=0.9).batch_submit(inputs)
    assert isinstance(job, AIMLAPIBatch)
    (create,) = [r for r in fresh_emulator.requests if r.method == "POST"]
    assert create.json is not None
    params = [item["params"] for item in create.json["requests"]]
    assert [item["custom_id"] for item in create.json["requests"]] == ["0", "1", "2"]
    assert params[1]["system"] == "You count."
    assert params[1]["messages"] == [{"role": "user", "content": "Count from 1 to 3."}]
    assert all(p["top_p"] == 0.9 and p["max_tokens"] == 200 for p in params)

    responses = (
        model(fresh_emulator, emulator_api_key).batch_resume(job.id).results(poll_interval=0.02)
    )
    assert all(isinstance(r, ChatResponse) for r in responses)
    texts = [r.message.content for r in responses]  # type: ignore[union-attr]
    assert texts == ["pong", "re: Count from 1 to 3.", "re: What is 2 + 3?"]
    for r in responses:
        assert isinstance(r, ChatResponse)
        usage = r.additional_kwargs["usage"]
        assert usage["input_tokens"] > 0
        assert usage["output_tokens"] > 0
        assert r.raw is not None
        assert r.raw["cost"]["usd_spent"] > 0
        assert r.additional_kwargs["stop_reason"] == "end_turn"


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ([user("Hi"), ChatMessage(role="assistant", content="Hello"), user("And?")], "assistant"),
        (
            [ChatMessage(role="user", blocks=[TextBlock(text="What?"), ImageBlock(image=PNG)])],
            "holds an image",
        ),
    ],
)
def test_multi_turn_and_image_inputs_are_refused_before_any_request(
    fresh_emulator: Emulator, emulator_api_key: str, bad: list[ChatMessage], reason: str
) -> None:
    with pytest.raises(UnsupportedContentError, match=reason) as info:
        model(fresh_emulator, emulator_api_key).batch_submit([[user("fine")], bad])
    assert "batch request '1'" in str(info.value)
    assert fresh_emulator.requests == []


def test_cancel(fresh_emulator: Emulator, emulator_api_key: str) -> None:
    job = model(fresh_emulator, emulator_api_key).batch_submit([[user("Hi")]])
    assert job.cancel().status == "canceling"
    with pytest.raises(BatchError, match="cancelled"):
        job.results(poll_interval=0.01)


async def test_async_twins(fresh_emulator: Emulator, emulator_api_key: str) -> None:
    llm = model(fresh_emulator, emulator_api_key)
    job = await llm.abatch_submit([[user('Say "one"')], [user('Say "two"')]])
    responses = await job.aresults(poll_interval=0.02)
    assert [r.message.content for r in responses] == ["one", "two"]  # type: ignore[union-attr]
    assert (await (await llm.abatch_submit([[user("x")]])).acancel()).status == "canceling"
    await llm.aclose()


def test_a_used_model_pickles_quietly_with_its_key(
    fresh_emulator: Emulator, emulator_api_key: str, caplog: pytest.LogCaptureFixture
) -> None:
    llm = model(fresh_emulator, emulator_api_key)
    llm.complete("Hi")
    with caplog.at_level(logging.WARNING):
        copy = pickle.loads(pickle.dumps(llm))
    assert "unpickleable" not in caplog.text
    assert copy.complete('Say "again"').text == "again"
    assert emulator_api_key not in repr(copy)
    assert emulator_api_key not in str(copy.to_dict())
