"""ChatAIMLAPI against the emulator: the exact JSON sent, and regressions of the anchors' bugs.

The anchors are the older langchain-aimlapi package and ChatOpenAI/ChatAnthropic pointed at the
gateway; each test names the failure it guards against.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from langchain_core.messages import AIMessageChunk, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool
from langchain_support import make

from aimlapi_core.errors import InvalidRequestError, MissingAPIKeyError
from aimlapi_emulator import Emulator, Reply
from langchain_aimlapi import ChatAIMLAPI

APIS = ["chat_completions", "messages"]


@tool
def get_weather(city: str) -> str:
    """Weather for a city."""
    return f"sunny in {city}"


@tool
def get_time(city: str) -> str:
    """Local time in a city."""
    return f"noon in {city}"


WEATHER_TOOL = {
    "name": "get_weather",
    "description": "Weather for a city.",
    "input_schema": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}


def aggregate(chunks: Any) -> AIMessageChunk:
    full = None
    for chunk in chunks:
        full = chunk if full is None else full + chunk
    assert isinstance(full, AIMessageChunk)
    return full


@pytest.mark.parametrize("api", APIS)
def test_tool_round_trip_sends_exactly_this(fresh_emulator: Emulator, api: str) -> None:
    llm = make(fresh_emulator, api, max_tokens=256, temperature=0.5).bind_tools([get_weather])
    history = [
        SystemMessage("Be terse."),
        SystemMessage("Use tools."),
        HumanMessage("What is get_weather in 'Paris'?"),
    ]
    first = llm.invoke(history)
    (call,) = first.tool_calls
    history += [first, ToolMessage("sunny", tool_call_id=call["id"], status="error")]
    llm.invoke(history)

    assert fresh_emulator.requests[0].json == {
        "model": "claude-sonnet-4-20250514",
        "messages": [{"role": "user", "content": "What is get_weather in 'Paris'?"}],
        "system": "Be terse.\n\nUse tools.",
        "max_tokens": 256,
        "temperature": 0.5,
        "tools": [WEATHER_TOOL],
    } | _system_as_sent(fresh_emulator.requests[0].json)
    sent = fresh_emulator.requests[1].json
    assert sent["messages"][1:] == [
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": first.text},
                {
                    "type": "tool_use",
                    "id": call["id"],
                    "name": "get_weather",
                    "input": call["args"],
                },
            ],
        },
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": call["id"],
                    "content": "sunny",
                    "is_error": True,
                }
            ],
        },
    ]


def _system_as_sent(body: dict[str, Any]) -> dict[str, Any]:
    # Several system messages are one system prompt (the core joins them; /messages may keep
    # them as text blocks). Either way nothing is sent with a "system" role.
    system = body["system"]
    if isinstance(system, list):
        assert [b["text"] for b in system] == ["Be terse.", "Use tools."]
        return {"system": system}
    return {}


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize(
    ("tool_choice", "expected"),
    [("none", {"type": "none"}), ("required", {"type": "any"}), ("any", {"type": "any"})],
)
def test_tool_choice_keywords_are_not_sent_as_tool_names(
    fresh_emulator: Emulator, api: str, tool_choice: str, expected: dict[str, Any]
) -> None:
    # Regression: anchors sent {"type": "tool", "name": "none"} / "required" → 400.
    llm = make(fresh_emulator, api).bind_tools([get_weather], tool_choice=tool_choice)
    reply = llm.invoke("Hello there")
    assert fresh_emulator.last_request.json["tool_choice"] == expected
    assert bool(reply.tool_calls) == (tool_choice != "none")


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize(
    ("tool_choice", "expected"),
    [
        ({"type": "function", "function": {"name": "get_weather"}}, {"type": "tool"}),
        ("get_weather", {"type": "tool"}),
        ("required", {"type": "any"}),
    ],
)
def test_per_call_tool_choice_is_converted_like_bind_tools(
    fresh_emulator: Emulator, api: str, tool_choice: Any, expected: dict[str, Any]
) -> None:
    # tools / tool_choice passed per call (or through .bind) take the same conversion as
    # bind_tools: an OpenAI-format choice dict was sent as-is and the API answered 400.
    llm = make(fresh_emulator, api)
    reply = llm.invoke("Hello there", tools=[get_weather], tool_choice=tool_choice)
    sent = fresh_emulator.last_request.json["tool_choice"]
    assert sent == expected | ({"name": "get_weather"} if expected["type"] == "tool" else {})
    assert [c["name"] for c in reply.tool_calls] == ["get_weather"]


@pytest.mark.parametrize("tool_choice", ["any", "required", True])
def test_forced_tool_choice_without_tools_is_refused_before_io(
    fresh_emulator: Emulator, tool_choice: Any
) -> None:
    # "must call a tool" with no tool offered cannot be honoured; it was silently dropped.
    llm = make(fresh_emulator, "messages")
    with pytest.raises(InvalidRequestError, match="no tools"):
        llm.invoke("Hello there", tool_choice=tool_choice)
    assert fresh_emulator.requests == []


@pytest.mark.parametrize("tool_choice", ["any", "get_weather", {"type": "any"}])
def test_per_call_forced_choice_with_thinking_is_refused_before_io(
    fresh_emulator: Emulator, tool_choice: Any
) -> None:
    """A choice given per call (or through .bind) skips bind_tools' check; the encoder applies
    the same rule before anything is sent (ChatAIMLAPI no longer repeats it)."""
    llm = make(fresh_emulator, "messages", thinking=2048)
    with pytest.raises(InvalidRequestError, match="refuses while thinking is on"):
        llm.invoke("Hello there", tools=[WEATHER_TOOL], tool_choice=tool_choice)
    with pytest.raises(InvalidRequestError, match="refuses while thinking is on"):
        llm.bind_tools([get_weather]).bind(tool_choice=tool_choice).invoke("Hello there")
    assert fresh_emulator.requests == []


@pytest.mark.parametrize("api", APIS)
def test_parallel_tool_calls_false_is_sent(fresh_emulator: Emulator, api: str) -> None:
    llm = make(fresh_emulator, api).bind_tools([get_weather, get_time], parallel_tool_calls=False)
    reply = llm.invoke("get_weather and get_time for 'Oslo'")
    assert fresh_emulator.last_request.json["tool_choice"] == {
        "type": "auto",
        "disable_parallel_tool_use": True,
    }
    assert len(reply.tool_calls) == 1


@pytest.mark.parametrize("api", APIS)
def test_parallel_streamed_tool_calls_have_distinct_indexes(
    fresh_emulator: Emulator, api: str
) -> None:
    llm = make(fresh_emulator, api).bind_tools([get_weather, get_time])
    prompt = "get_weather and get_time for 'Oslo'"
    chunks = list(llm.stream(prompt))
    full = aggregate(chunks)
    assert [c["name"] for c in full.tool_calls] == ["get_weather", "get_time"]
    indexes = {c["index"] for chunk in chunks for c in chunk.tool_call_chunks}
    assert len(indexes) == 2
    assert full.tool_calls == llm.invoke(prompt).tool_calls


@pytest.mark.parametrize("api", APIS)
def test_streamed_usage_counts_input_tokens_once_and_matches_invoke(
    fresh_emulator: Emulator, api: str
) -> None:
    # Regression: anchors reported input_tokens=0 on streams (usage sent early or late).
    llm = make(fresh_emulator, api)
    chunks = list(llm.stream("Write me 2 haikus"))
    full = aggregate(chunks)
    invoked = llm.invoke("Write me 2 haikus")
    assert full.usage_metadata is not None
    assert full.usage_metadata["input_tokens"] > 0
    assert full.usage_metadata == invoked.usage_metadata
    assert [c.usage_metadata is not None for c in chunks].count(True) == 1
    assert chunks[-1].chunk_position == "last"
    # The first text delta is not lost: the stream spells the same text as invoke.
    assert full.text == invoked.text
    # stop_reason is the wire's raw word, which differs between a stream and a whole answer on
    # /chat/completions ("stop" vs "end_turn"); the normalised finish_reason does not.
    for key in ("model_name", "finish_reason", "credits_used", "usd_spent"):
        assert full.response_metadata[key] == invoked.response_metadata[key], key


@pytest.mark.parametrize("api", APIS)
def test_tool_without_arguments_streams_empty_args(fresh_emulator: Emulator, api: str) -> None:
    @tool
    def now() -> str:
        """The current time."""
        return "noon"

    llm = make(fresh_emulator, api).bind_tools([now], tool_choice="any")
    full = aggregate(llm.stream("what time is it"))
    assert [(c["name"], c["args"]) for c in full.tool_calls] == [("now", {})]
    assert full.invalid_tool_calls == []


@pytest.mark.parametrize("api", APIS)
def test_response_metadata_and_ids(fresh_emulator: Emulator, api: str) -> None:
    reply = make(fresh_emulator, api).invoke("Hello", model="claude-haiku-4-5-20251001")
    assert fresh_emulator.last_request.json["model"] == "claude-haiku-4-5-20251001"
    meta = reply.response_metadata
    assert meta["model_name"] == "claude-haiku-4-5-20251001"
    assert meta["finish_reason"] == "stop"
    assert meta["stop_reason"] in ("end_turn", "stop")
    assert meta["id"] == reply.id
    assert meta["request_id"]
    assert meta["credits_used"] > 0
    assert meta["usd_spent"] > 0


@pytest.mark.parametrize("api", APIS)
async def test_every_streamed_chunk_carries_the_api_message_id(
    fresh_emulator: Emulator, api: str
) -> None:
    llm = make(fresh_emulator, api)
    for chunks in (list(llm.stream("Count to 5")), [c async for c in llm.astream("Count to 5")]):
        ids = {c.id for c in chunks}
        assert len(ids) == 1
        (message_id,) = ids
        assert message_id is not None
        assert message_id.startswith("msg_")  # the API's id, not a LangChain run id
        assert aggregate(chunks).id == message_id


@pytest.mark.parametrize("api", APIS)
def test_stop_sequences_and_max_tokens(fresh_emulator: Emulator, api: str) -> None:
    reply = make(fresh_emulator, api, max_tokens=3).invoke("Tell me a long story", stop=["zz"])
    assert fresh_emulator.last_request.json["stop_sequences"] == ["zz"]
    assert fresh_emulator.last_request.json["max_tokens"] == 3
    assert reply.response_metadata["finish_reason"] == "length"


def test_invoking_without_a_key_raises_before_any_request(
    fresh_emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Regression: the older package answered with fake text when no key was set.
    monkeypatch.delenv("AIMLAPI_API_KEY", raising=False)
    llm = ChatAIMLAPI(base_url=fresh_emulator.base_url)
    with pytest.raises(MissingAPIKeyError, match="AIMLAPI_API_KEY"):
        llm.invoke("Hello")
    with pytest.raises(MissingAPIKeyError, match="AIMLAPI_API_KEY"):
        list(llm.stream("Hello"))
    assert fresh_emulator.requests == []


async def test_async_paths(fresh_emulator: Emulator) -> None:
    llm = make(fresh_emulator, "messages")
    invoked = await llm.ainvoke("Hello")
    full = None
    async for chunk in llm.astream("Hello"):
        full = chunk if full is None else full + chunk
    assert full is not None
    assert full.text == invoked.text
    assert full.usage_metadata == invoked.usage_metadata
    batch = await llm.abatch(["Hello", "Hey"])
    assert len(batch) == 2
    assert batch[0].text == invoked.text


def test_forced_tool_choice_with_thinking_fails_before_io(fresh_emulator: Emulator) -> None:
    # Regression: anchors sent it and got the upstream 400.
    # Per call it is refused; bound (bind_tools) it is resolved: tests/langchain/test_tools.py.
    llm = make(fresh_emulator, "messages", thinking=1024)
    with pytest.raises(InvalidRequestError, match="thinking"):
        llm.invoke("Hello", tools=[WEATHER_TOOL], tool_choice={"type": "any"})
    assert fresh_emulator.requests == []


@pytest.mark.parametrize("api", APIS)
def test_structured_output_with_thinking_uses_an_unforced_tool(
    fresh_emulator: Emulator, api: str
) -> None:
    from pydantic import BaseModel

    class Weather(BaseModel):
        """Weather report."""

        city: str

    llm = make(fresh_emulator, api, thinking=1024, max_tokens=2048)
    result = llm.with_structured_output(Weather).invoke("Weather report for 'Lima'")
    assert isinstance(result, Weather)
    sent = fresh_emulator.last_request.json
    assert sent["tool_choice"] == {"type": "auto"}
    assert sent["thinking"] == {"type": "enabled", "budget_tokens": 1024}
    assert "Weather" in str(sent["system"])


@pytest.mark.parametrize("api", APIS)
def test_structured_output_with_thinking_raises_if_the_model_does_not_comply(
    fresh_emulator: Emulator, api: str
) -> None:
    from langchain_core.exceptions import OutputParserException
    from pydantic import BaseModel

    class Report(BaseModel):
        city: str

    fresh_emulator.add_reply(Reply(thinking="Just chat.", text="Hello! No report today."))
    llm = make(fresh_emulator, api, thinking=1024, max_tokens=2048)
    with pytest.raises(OutputParserException, match="did not call"):
        llm.with_structured_output(Report).invoke("Hello")


@pytest.mark.parametrize("api", APIS)
def test_structured_output_with_thinking_when_the_prompt_does_not_name_the_schema(
    fresh_emulator: Emulator, api: str
) -> None:
    from pydantic import BaseModel

    class Report(BaseModel):
        city: str
        celsius: int

    llm = make(fresh_emulator, api, thinking=1024, max_tokens=2048)
    report = llm.with_structured_output(Report).invoke('It is 18 degrees in "Oslo" today.')
    assert report == Report(city="Oslo", celsius=18)
    sent = fresh_emulator.last_request.json
    assert sent["thinking"] == {"type": "enabled", "budget_tokens": 1024}
    assert sent.get("tool_choice", {"type": "auto"}) == {"type": "auto"}  # never forced


def test_base64_plain_text_documents_are_sent_as_their_text(fresh_emulator: Emulator) -> None:
    # A text/plain document travels as plain text (source type "text"); a base64 payload of
    # one (LangChain's v1 file / text-plain blocks) must be decoded, not handed to the model as
    # base64 gibberish. (OpenAI-format file blocks are not here: langchain-core rewrites them to
    # v1 file blocks labelled application/pdf before the model sees them.)
    text = "The secret word is heron."
    b64 = base64.b64encode(text.encode()).decode()
    blocks = [
        {"type": "file", "base64": b64, "mime_type": "text/plain"},
        {"type": "text-plain", "base64": b64, "mime_type": "text/plain"},
        {"type": "text-plain", "text": text, "mime_type": "text/plain"},
        {"type": "text", "text": "What is the secret word?"},
    ]
    make(fresh_emulator, "messages").invoke([HumanMessage(blocks)])
    sent = fresh_emulator.last_request.json["messages"][0]["content"]
    assert [b["source"] for b in sent[:3]] == [
        {"type": "text", "media_type": "text/plain", "data": text}
    ] * 3


@pytest.mark.parametrize("api", APIS)
def test_text_answers_stream_as_string_content(fresh_emulator: Emulator, api: str) -> None:
    """Regression: chunks of indexed blocks are added in quadratic time by langchain-core (a
    100 MB answer took ~688 s). A text-only answer streams as plain strings, which add in linear
    time, and aggregates to exactly what invoke returns."""
    for _ in range(2):
        fresh_emulator.add_reply(Reply(text="One, two, three: counted."))
    llm = make(fresh_emulator, api)
    chunks = list(llm.stream("Please count to 3"))
    assert all(isinstance(c.content, str) for c in chunks)
    assert len(chunks) > 2  # streamed in pieces, then the last chunk
    assert chunks[-1].chunk_position == "last"
    full = aggregate(chunks)
    invoked = llm.invoke("Please count to 3")
    assert full.content == invoked.content == "One, two, three: counted."
    assert full.content_blocks == invoked.content_blocks
    assert full.id is not None
    assert full.id.startswith("msg_")  # the API's id, on every chunk
    assert {c.id for c in chunks} == {full.id}
    assert full.usage_metadata == invoked.usage_metadata


def test_thinking_switches_the_stream_to_blocks(fresh_emulator: Emulator) -> None:
    for _ in range(2):
        fresh_emulator.add_reply(Reply(thinking="A greeting.", text="Hello!"))
    llm = make(fresh_emulator, "messages", thinking=1024, max_tokens=2048)
    full = aggregate(llm.stream("hello"))
    invoked = llm.invoke("hello")
    assert [b["type"] for b in full.content_blocks] == ["reasoning", "text"]
    assert [b["type"] for b in full.content_blocks] == [b["type"] for b in invoked.content_blocks]
    assert full.text == invoked.text == "Hello!"
    assert full.content[0]["signature"] == invoked.content[0]["signature"]  # type: ignore[index]
