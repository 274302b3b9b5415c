"""chat / achat / stream_chat / astream_chat / complete / acomplete / stream_complete /
astream_complete against the emulator, on both dialects: what was sent, what came back, and what
the callback system (token counting) saw."""

from __future__ import annotations

import re

import pytest
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.callbacks import CallbackManager, TokenCountingHandler

from aimlapi_core.errors import AuthenticationError, MissingAPIKeyError
from aimlapi_emulator import Emulator, RecordedRequest
from llama_index_aimlapi import AIMLAPI

PROMPT = "Please count to 5"
ANSWER = "1, 2, 3, 4, 5"
MESSAGES = [
    ChatMessage(role="system", content="Be terse."),
    ChatMessage(role="user", content=PROMPT),
]


def scripted_model(request: RecordedRequest) -> str | None:
    """The model these tests script (emulator replies=): "count to N" → "1, 2, …, N" and
    'Say "word"' → "word"; anything else gets the emulator's default answer."""
    text = request.json["messages"][-1]["content"]
    if count := re.search(r"count to (\d+)", text, re.I):
        return ", ".join(str(n) for n in range(1, int(count.group(1)) + 1))
    if say := re.search(r'Say "([^"]+)"', text):
        return say.group(1)
    return None


@pytest.fixture(autouse=True)
def _scripted(emulator: Emulator) -> None:
    emulator.set_replies(scripted_model)  # tests/conftest.py resets it after each test


def expected_body(api: str, *, stream: bool = False, **extra: object) -> dict[str, object]:
    body: dict[str, object] = {
        "model": "claude-sonnet-4-20250514",
        "messages": [{"role": "user", "content": PROMPT}],
        "system": "Be terse.",
        "max_tokens": 4096,
    }
    if stream:
        body["stream"] = True
    body.update(extra)
    return body


def wire_usage(api: str, body: dict) -> tuple[int, int]:
    """The usage the emulator reported, read from its own wire body (not from our mapping)."""
    usage = body["usage"]
    if api == "chat_completions":
        return usage["prompt_tokens"], usage["completion_tokens"]
    return usage["input_tokens"], usage["output_tokens"]


def counting(llm: AIMLAPI) -> TokenCountingHandler:
    handler = TokenCountingHandler()
    llm.callback_manager = CallbackManager([handler])
    return handler


def test_chat_sends_exactly_and_reports_usage(llm: AIMLAPI, emulator, api) -> None:
    handler = counting(llm)
    response = llm.chat(MESSAGES, temperature=0.3, top_p=0.9, stop_sequences=["STOP"])
    assert response.message.content == ANSWER
    assert response.message.role.value == "assistant"
    assert [r.json for r in emulator.requests] == [
        expected_body(api, temperature=0.3, top_p=0.9, stop_sequences=["STOP"])
    ]
    prompt_tokens, completion_tokens = wire_usage(api, response.raw["body"])
    assert (handler.prompt_llm_token_count, handler.completion_llm_token_count) == (
        prompt_tokens,
        completion_tokens,
    )
    assert response.raw["stop_reason"] == "end_turn"
    assert response.raw["request_id"]


async def test_achat_matches_chat(llm: AIMLAPI, emulator, api) -> None:
    handler = counting(llm)
    response = await llm.achat(MESSAGES)
    assert response.message.content == ANSWER
    assert emulator.requests[-1].json == expected_body(api)
    assert handler.total_llm_token_count == sum(wire_usage(api, response.raw["body"]))


def test_stream_chat_accumulates_and_ends_with_usage(llm: AIMLAPI, emulator, api) -> None:
    whole = llm.chat(MESSAGES)
    handler = counting(llm)
    chunks = list(llm.stream_chat(MESSAGES))
    assert emulator.requests[-1].json == expected_body(api, stream=True)
    assert "".join(c.delta or "" for c in chunks) == ANSWER
    # Every chunk carries the message so far; the last one is the whole answer.
    texts = [c.message.content or "" for c in chunks]
    assert all(ANSWER.startswith(t) for t in texts)
    assert texts[-1] == ANSWER
    assert chunks[-1].message == whole.message
    assert chunks[-1].raw["usage"] == whole.raw["usage"]
    assert chunks[-1].additional_kwargs["stop_reason"] == "end_turn"
    assert all(c.raw is None for c in chunks[:-1])  # usage is counted once, on the last chunk
    assert (handler.prompt_llm_token_count, handler.completion_llm_token_count) == wire_usage(
        api, whole.raw["body"]
    )


async def test_astream_chat_matches_stream_chat(llm: AIMLAPI, emulator, api) -> None:
    sync_chunks = list(llm.stream_chat(MESSAGES))
    handler = counting(llm)
    chunks = [c async for c in await llm.astream_chat(MESSAGES)]
    sent = [r.json for r in emulator.requests]
    assert sent == [expected_body(api, stream=True)] * 2
    assert [c.delta for c in chunks] == [c.delta for c in sync_chunks]
    assert chunks[-1].message == sync_chunks[-1].message
    assert handler.total_llm_token_count == chunks[-1].raw["usage"]["total_tokens"]


def test_complete_and_stream_complete(llm: AIMLAPI, emulator, api) -> None:
    handler = counting(llm)
    completion = llm.complete(PROMPT)
    streamed = list(llm.stream_complete(PROMPT))
    assert completion.text == streamed[-1].text == ANSWER
    assert "".join(c.delta or "" for c in streamed) == ANSWER
    body = {"model": "claude-sonnet-4-20250514", "max_tokens": 4096}
    body["messages"] = [{"role": "user", "content": PROMPT}]
    assert [r.json for r in emulator.requests] == [body, {**body, "stream": True}]
    # One LLM event per call: complete() must not also fire a chat event.
    assert len(handler.llm_token_counts) == 2
    usage = wire_usage(api, completion.raw["body"])
    assert [(e.prompt_token_count, e.completion_token_count) for e in handler.llm_token_counts] == [
        usage,
        usage,
    ]


async def test_acomplete_and_astream_complete(llm: AIMLAPI, emulator) -> None:
    completion = await llm.acomplete(PROMPT, max_tokens=300)
    streamed = [c async for c in await llm.astream_complete(PROMPT, max_tokens=300)]
    assert completion.text == streamed[-1].text == ANSWER
    assert "".join(c.delta or "" for c in streamed) == ANSWER
    assert [r.json["max_tokens"] for r in emulator.requests] == [300, 300]
    assert emulator.requests[-1].json["stream"] is True


def test_max_tokens_stop_reason_reaches_the_caller(llm: AIMLAPI) -> None:
    response = llm.chat([ChatMessage(role="user", content="Please count to 400")], max_tokens=5)
    assert response.raw["stop_reason"] == "max_tokens"
    assert response.raw["usage"]["output_tokens"] == 5
    long_count = [ChatMessage(role="user", content="count to 400")]
    streamed = list(llm.stream_chat(long_count, max_tokens=5))
    assert streamed[-1].additional_kwargs["stop_reason"] == "max_tokens"


def test_predict_uses_system_prompt(llm_factory, emulator) -> None:
    from llama_index.core.prompts import PromptTemplate

    llm = llm_factory(system_prompt="Answer in French.")
    assert llm.predict(PromptTemplate("Say {word}"), word='"bonjour"') == "bonjour"
    assert emulator.requests[-1].json["system"] == "Answer in French."


def test_wrong_key_raises_authentication_error_without_the_key(llm_factory) -> None:
    bad = "sk-wrong-key-0000000000000000"
    llm = llm_factory(api_key=bad)
    with pytest.raises(AuthenticationError) as info:
        llm.chat(MESSAGES)
    assert info.value.status_code == 401
    assert bad not in str(info.value)
    assert bad not in repr(info.value)


def test_missing_key_is_a_clear_error_before_any_request(llm_factory, emulator, monkeypatch):
    monkeypatch.delenv("AIMLAPI_API_KEY", raising=False)
    with pytest.raises(MissingAPIKeyError, match="AIMLAPI_API_KEY"):
        llm_factory(api_key=None).chat(MESSAGES)
    assert emulator.requests == []


def test_key_from_environment(llm_factory, emulator_api_key, monkeypatch) -> None:
    monkeypatch.setenv("AIMLAPI_API_KEY", emulator_api_key)
    llm = llm_factory(api_key=None)
    assert llm.complete(PROMPT).text == ANSWER
    assert emulator_api_key not in llm.to_json()


def test_one_pooled_client_per_instance(llm: AIMLAPI) -> None:
    llm.complete(PROMPT)
    first = llm._sync_core()
    list(llm.stream_complete(PROMPT))
    assert llm._sync_core() is first


def test_injected_http_client_is_used(llm_factory, api) -> None:
    import httpx

    seen: list[str] = []
    with httpx.Client(event_hooks={"request": [lambda r: seen.append(r.url.path)]}) as http:
        llm_factory(http_client=http).complete(PROMPT)
    assert seen == ["/v1/chat/completions" if api == "chat_completions" else "/v1/messages"]


def test_one_llm_across_two_asyncio_runs(emulator, emulator_api_key) -> None:
    """Scripts (and LlamaIndex workflows run from scripts) call asyncio.run() more than once; a
    pool opened in the first, closed loop fails with 'Event loop is closed' if reused. The core
    client reopens its pool in each new loop, so one AIMLAPI serves both runs."""
    import asyncio
    import gc
    import warnings

    llm = AIMLAPI(api_key=emulator_api_key, base_url=emulator.base_url)
    emulator.clear_requests()

    async def second_run() -> str:
        try:
            chunks = [
                c async for c in await llm.astream_chat([ChatMessage(role="user", content="two")])
            ]
            return chunks[-1].message.content or ""
        finally:
            await llm.aclose()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # the old loop's sockets: unreachable
        first = asyncio.run(llm.achat([ChatMessage(role="user", content="one")]))
        second = asyncio.run(second_run())
        gc.collect()
    assert first.message.content
    assert second
    assert [r.json["messages"][0]["content"] for r in emulator.requests] == ["one", "two"]
