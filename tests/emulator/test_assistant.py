"""The scripted assistant: deterministic tool calls, answers, limits and usage."""

from __future__ import annotations

import base64
import json
from typing import Any

from emulator_support import Api, sse_data, sse_events, user

from aimlapi_emulator import Reply

WEATHER = {
    "name": "get_weather",
    "description": "Current weather",
    "input_schema": {
        "type": "object",
        "properties": {
            "location": {"type": "string"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            "days": {"type": "integer"},
        },
        "required": ["location", "unit", "days"],
    },
}
TIME = {"name": "get_time", "input_schema": {"type": "object", "properties": {}}}
ADD = {
    "name": "add",
    "input_schema": {
        "type": "object",
        "properties": {
            "a": {"type": "number"},
            "b": {"type": "number"},
            "label": {"type": "string"},
            "exact": {"type": "boolean"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "options": {
                "type": "object",
                "properties": {"precision": {"type": "integer", "minimum": 2}},
                "required": ["precision"],
            },
        },
        "required": ["a", "b", "label", "exact", "tags", "options"],
    },
}


def _calls(body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    calls = body["choices"][0]["message"].get("tool_calls", [])
    return [(c["function"]["name"], json.loads(c["function"]["arguments"])) for c in calls]


def test_a_mentioned_tool_is_called_with_arguments_from_the_text(api: Api):
    body = api.chat(
        messages=user("Use get_weather for Paris in fahrenheit for 3 days"),
        tools=[WEATHER, TIME],
        max_tokens=300,
    ).json()
    assert _calls(body) == [("get_weather", {"location": "Paris", "unit": "fahrenheit", "days": 3})]
    assert body["choices"][0]["finish_reason"] == "tool_use"
    call = body["choices"][0]["message"]["tool_calls"][0]
    assert call["type"] == "function"
    assert call["id"].startswith("toolu_")


def test_every_schema_type_is_honoured(api: Api):
    body = api.chat(
        messages=user('Please add 2.5 and 4, label it "total"'), tools=[ADD], max_tokens=300
    ).json()
    [(name, args)] = _calls(body)
    assert name == "add"
    assert args == {
        "a": 2.5,
        "b": 4,
        "label": "total",
        "exact": False,
        "tags": [args["tags"][0]],
        "options": {"precision": 2},
    }
    assert isinstance(args["tags"][0], str)


def test_several_mentioned_tools_are_called_in_parallel_unless_disabled(api: Api):
    ask = user("Call get_weather for Rome and get_time too")
    body = api.chat(messages=ask, tools=[WEATHER, TIME], max_tokens=300).json()
    assert [name for name, _ in _calls(body)] == ["get_weather", "get_time"]
    assert _calls(body)[1][1] == {}  # a tool without arguments gets {}
    single = api.chat(
        messages=ask,
        tools=[WEATHER, TIME],
        tool_choice={"type": "auto", "disable_parallel_tool_use": True},
        max_tokens=300,
    ).json()
    assert [name for name, _ in _calls(single)] == ["get_weather"]


def test_tool_choice_forces_any_or_a_named_tool_and_none_forbids(api: Api):
    ask = user("What should I wear?")
    auto = api.chat(messages=ask, tools=[WEATHER, TIME], max_tokens=300).json()
    assert _calls(auto) == []
    assert auto["choices"][0]["finish_reason"] == "end_turn"
    anyone = api.chat(
        messages=ask, tools=[WEATHER, TIME], tool_choice={"type": "any"}, max_tokens=300
    ).json()
    assert [n for n, _ in _calls(anyone)] == ["get_weather"]
    named = api.chat(
        messages=ask,
        tools=[WEATHER, TIME],
        tool_choice={"type": "tool", "name": "get_time"},
        max_tokens=300,
    ).json()
    assert [n for n, _ in _calls(named)] == ["get_time"]
    assert named["choices"][0]["message"]["content"] == ""  # forced: no preamble text
    none = api.chat(
        messages=user("use get_time"), tools=[TIME], tool_choice={"type": "none"}, max_tokens=300
    ).json()
    assert _calls(none) == []


def test_tool_results_are_quoted_in_a_text_answer(api: Api):
    first = api.messages(messages=user("use get_weather for Oslo"), tools=[WEATHER]).json()
    tool_use = next(b for b in first["content"] if b["type"] == "tool_use")
    history = [
        *user("use get_weather for Oslo"),
        {"role": "assistant", "content": first["content"]},
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": tool_use["id"], "content": "-3°C"}],
        },
    ]
    answer = api.messages(messages=history, tools=[WEATHER]).json()
    assert answer["stop_reason"] == "end_turn"
    assert [b["type"] for b in answer["content"]] == ["text"]
    assert "get_weather returned “-3°C”" in answer["content"][0]["text"]


def test_a_json_instruction_with_a_schema_gets_json_of_that_schema(api: Api):
    def text(prompt: str, **kw: Any) -> str:
        body = api.chat(messages=user(prompt), max_tokens=500, **kw).json()
        return str(body["choices"][0]["message"]["content"])

    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
        "required": ["name", "age"],
    }
    reply = text('Extract "Ada", aged 36', system=f"Reply with JSON matching {json.dumps(schema)}")
    assert json.loads(reply) == {"name": "Ada", "age": 36}
    assert text("Describe the moon") == text("Describe the moon")  # deterministic
    assert "Describe the moon" in text("Describe the moon")


def test_max_tokens_truncates_and_says_so(fresh_api: Api):
    fresh_api.emu.add_reply(Reply(text="1, 2, 3, 4, 5, 6"))
    body = fresh_api.chat(messages=user("count to 6"), max_tokens=5).json()
    assert body["choices"][0]["message"]["content"] == "1, 2, 3"
    assert body["choices"][0]["finish_reason"] == "max_tokens"
    assert body["usage"]["completion_tokens"] == 5


def test_stop_sequences_cut_the_answer(fresh_api: Api):
    for _ in range(2):
        fresh_api.emu.add_reply("1, 2, 3, 4, 5, 6, 7, 8, 9, 10")
    body = fresh_api.messages(messages=user("count to 10"), stop_sequences=["7", "5"]).json()
    assert body["content"][0]["text"] == "1, 2, 3, 4, "
    assert body["stop_reason"] == "stop_sequence"
    assert body["stop_sequence"] == "5"
    chat = fresh_api.chat(messages=user("count to 10"), stop_sequences=["5"], max_tokens=100)
    assert chat.json()["choices"][0]["finish_reason"] == "stop_sequence"


def test_images_and_documents_are_acknowledged(api: Api):
    png = base64.b64encode(b"\x89PNG" + bytes(60)).decode()
    content = [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": png}},
        {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "hi"}},
        {"type": "text", "text": "What is this?"},
    ]
    text = api.messages(messages=[{"role": "user", "content": content}]).json()["content"][0]
    assert text["text"].startswith(
        "I received 1 image (image/png, 64 bytes). I received 1 document (text/plain, 2 bytes)."
    )


def test_thinking_comes_first_in_both_dialects(api: Api):
    thinking = {"type": "enabled", "budget_tokens": 1024}
    chat = api.chat(messages=user("Hello"), thinking=thinking, max_tokens=2000).json()
    message = chat["choices"][0]["message"]
    assert message["reasoning_content"].startswith("The user wrote:")
    reasoning = chat["usage"]["completion_tokens_details"]["reasoning_tokens"]
    assert 0 < reasoning < chat["usage"]["completion_tokens"]
    stream = sse_data(
        api.chat(messages=user("Hello"), thinking=thinking, max_tokens=2000, stream=True)
    )
    streamed = "".join(
        c["choices"][0].get("delta", {}).get("reasoning_content", "") for c in stream
    )
    assert streamed == message["reasoning_content"]
    body = api.messages(messages=user("Hello"), thinking=thinking, max_tokens=2000).json()
    assert [b["type"] for b in body["content"]] == ["thinking", "text"]


def test_streamed_tool_arguments_arrive_in_fragments_keyed_by_index(api: Api):
    ask = user("Call get_weather for Rome and get_time too")
    chunks = sse_data(api.chat(messages=ask, tools=[WEATHER, TIME], max_tokens=300, stream=True))
    parts = [c["choices"][0]["delta"]["tool_calls"][0] for c in chunks[:-1]
             if "tool_calls" in c["choices"][0]["delta"]]  # fmt: skip
    firsts = [p for p in parts if "id" in p]
    assert [(p["index"], p["function"]["name"]) for p in firsts] == [
        (0, "get_weather"),
        (1, "get_time"),
    ]
    assert all("id" not in p and "name" not in p["function"] for p in parts if p not in firsts)
    weather_args = "".join(p["function"]["arguments"] for p in parts if p["index"] == 0)
    assert len([p for p in parts if p["index"] == 0]) > 2
    assert json.loads(weather_args)["location"] == "Rome"
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"
    events = sse_events(api.messages(messages=ask, tools=[WEATHER, TIME], stream=True))
    partial = "".join(
        d["delta"].get("partial_json", "") for n, d in events
        if n == "content_block_delta" and d["index"] == 1
    )  # fmt: skip
    assert json.loads(partial)["location"] == "Rome"


def test_forced_tool_choice_calls_a_tool_even_after_tool_results(api: Api):
    """With tool_choice any/tool the real API always answers with tool_use (Anthropic tool-use
    docs) — also right after tool results; `any` moves on to a tool not called yet."""
    first = api.chat(
        messages=user("Use get_time please"), tools=[TIME, WEATHER], max_tokens=300
    ).json()
    (call,) = first["choices"][0]["message"]["tool_calls"]
    history = [
        *user("Use get_time please"),
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": call["id"], "name": "get_time", "input": {}}],
        },
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": call["id"], "content": "12:00"}],
        },
    ]
    forced_any = api.chat(
        messages=history, tools=[TIME, WEATHER], tool_choice={"type": "any"}, max_tokens=300
    ).json()
    assert [name for name, _ in _calls(forced_any)] == ["get_weather"]
    forced_tool = api.chat(
        messages=history,
        tools=[TIME, WEATHER],
        tool_choice={"type": "tool", "name": "get_time"},
        max_tokens=300,
    ).json()
    assert [name for name, _ in _calls(forced_tool)] == ["get_time"]
    auto = api.chat(messages=history, tools=[TIME, WEATHER], max_tokens=300).json()
    assert _calls(auto) == []
    assert "12:00" in auto["choices"][0]["message"]["content"]


def test_retrieval_prompts_get_the_best_matching_context_sentence(api: Api):
    # The shape of LlamaIndex's default text-QA prompt.
    prompt = (
        "Context information is below.\n---------------------\n"
        "# The Lighthouse\nThe lighthouse was built in 1871 from local granite stone.\n"
        "The last resident keeper, Agnes Morrow, retired in 1968.\n"
        "The lighthouse lamp can be seen 22 nautical miles out.\n---------------------\n"
        "Given the context information and not prior knowledge, answer the query.\n"
        "Query: Who was the last keeper of the lighthouse?\nAnswer: "
    )
    body = api.chat(messages=user(prompt), max_tokens=300).json()
    assert body["choices"][0]["message"]["content"] == (
        "According to the context: The last resident keeper, Agnes Morrow, retired in 1968."
    )
    # A chat engine puts the context in the system prompt and asks a plain question.
    body = api.chat(
        messages=user("What can be seen 22 nautical miles out?"),
        system="Notes. The lighthouse lamp can be seen 22 nautical miles out. Boats sail.",
        max_tokens=300,
    ).json()
    assert body["choices"][0]["message"]["content"] == (
        "According to the context: The lighthouse lamp can be seen 22 nautical miles out."
    )


def test_parallel_calls_each_take_the_values_from_the_text(api: Api):
    place = {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    }
    tools = [
        {"name": "get_weather", "input_schema": place},
        {"name": "get_local_time", "input_schema": place},
    ]
    body = api.chat(
        messages=user('Use get_weather and get_local_time for "Lisbon".'),
        tools=tools,
        max_tokens=300,
    ).json()
    assert _calls(body) == [
        ("get_weather", {"city": "Lisbon"}),
        ("get_local_time", {"city": "Lisbon"}),
    ]


def _after_results(text: str, tools: list[dict[str, Any]], result: str) -> list[dict[str, Any]]:
    """A conversation whose last turn is the result of the one tool call the first turn made."""
    return [
        *user(text),
        {
            "role": "assistant",
            "content": [
                {"type": "tool_use", "id": "toolu_a", "name": tools[0]["name"], "input": {}}
            ],
        },
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "toolu_a", "content": result}],
        },
    ]


def test_single_quoted_values_are_taken_but_apostrophes_are_not(api: Api):
    place = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
    tool = {"name": "lookup", "input_schema": place}
    body = api.chat(
        messages=user("What's in lookup for 'Oslo harbour'?"), tools=[tool], max_tokens=300
    ).json()
    assert _calls(body) == [("lookup", {"name": "Oslo harbour"})]


def test_after_tool_results_a_json_instruction_gets_json_filled_from_the_results(api: Api):
    report = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "celsius": {"type": "integer"}},
        "required": ["city", "celsius"],
    }
    tool = {"name": "get_weather", "input_schema": {"type": "object", "properties": {}}}
    body = api.chat(
        messages=_after_results("get_weather please", [tool], "18 degrees in Oslo"),
        system="Reply with only a JSON object matching this JSON schema: " + json.dumps(report),
        tools=[tool],
        max_tokens=300,
    ).json()
    assert json.loads(body["choices"][0]["message"]["content"]) == {"city": "Oslo", "celsius": 18}


def test_a_forced_call_after_results_takes_values_from_them_and_does_not_repeat_a_tool(api: Api):
    weather = {"name": "get_weather", "input_schema": {"type": "object", "properties": {}}}
    report = {
        "name": "Report",
        "input_schema": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    }
    body = api.chat(
        # The user's words still name get_weather; it was called already, so Report comes next.
        messages=_after_results("get_weather, then report", [weather, report], "sunny in Oslo"),
        tools=[weather, report],
        tool_choice={"type": "any"},
        max_tokens=300,
    ).json()
    assert _calls(body) == [("Report", {"city": "Oslo"})]


def test_a_string_list_takes_every_remaining_quoted_value(api: Api):
    film = {
        "type": "object",
        "properties": {
            "title": {"type": "string"},
            "genres": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["title", "genres"],
    }
    body = api.chat(
        messages=user('Use record_film: "Arrival", a "science fiction" "drama"'),
        tools=[{"name": "record_film", "input_schema": film}],
        max_tokens=300,
    ).json()
    assert _calls(body) == [
        ("record_film", {"title": "Arrival", "genres": ["science fiction", "drama"]})
    ]


def test_every_mention_is_a_call_the_same_tool_twice_included(api: Api):
    place = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    tools = [{"name": "get_weather", "input_schema": place}]
    body = api.chat(
        messages=user("Use get_weather for Paris and get_weather for Rome."),
        tools=tools,
        max_tokens=300,
    ).json()
    assert _calls(body) == [("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Rome"})]
    ids = [c["id"] for c in body["choices"][0]["message"]["tool_calls"]]
    assert len(set(ids)) == 2


def test_a_system_prompt_asking_for_a_tool_call_gets_one(api: Api):
    report = {
        "name": "Report",
        "input_schema": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "celsius": {"type": "integer"}},
            "required": ["city", "celsius"],
        },
    }
    # What the adapters send with thinking on, where tool_choice cannot force the call.
    for system in (
        "Answer by calling the tool `Report` exactly once.",
        "Answer by calling one of the provided tools; do not answer in plain text.",
    ):
        body = api.chat(
            messages=user('It is 18 degrees in "Oslo".'),
            system=system,
            tools=[TIME, report] if "`Report`" in system else [report, TIME],
            max_tokens=300,
        ).json()
        assert _calls(body) == [("Report", {"city": "Oslo", "celsius": 18})]


REACT_SYSTEM = """You are designed to help with a variety of tasks.

## Tools

You have access to the following tools:
> Tool Name: multiply
Tool Description: multiply(a: float, b: float) -> float
Multiply two numbers.
Tool Args: {"properties": {"a": {"title": "A", "type": "number"}, "b": {"title": "B", "type": "number"}}, "required": ["a", "b"], "type": "object"}

## Output Format

```
Thought: The current language of the user is: (user's language). I need to use a tool.
Action: tool name (one of multiply) if using a tool.
Action Input: the input to the tool, in a JSON format representing the kwargs
```
"""  # noqa: E501


def test_react_prompts_get_an_action_then_an_answer(api: Api):
    ask = "Use multiply to compute 12.5 times 4."
    first = api.chat(messages=user(ask), system=REACT_SYSTEM, max_tokens=300).json()
    text = first["choices"][0]["message"]["content"]
    assert text.splitlines()[1:] == ["Action: multiply", 'Action Input: {"a": 12.5, "b": 4}']
    history = [*user(ask), {"role": "assistant", "content": text}, *user("Observation: 50.0")]
    final = api.chat(messages=history, system=REACT_SYSTEM, max_tokens=300).json()
    assert final["choices"][0]["message"]["content"].endswith("\nAnswer: 50.0")


def test_retrieval_weighs_common_words_over_the_topics_name(api: Api):
    prompt = (
        "Context information is below.\n---------------------\n"
        "The Harbor Point Lighthouse was built in 1871 from granite quarried on Cray Island.\n"
        "The last resident keeper, Agnes Morrow, retired in 1968.\n---------------------\n"
        "Query: Who were the last keepers of the Harbor Point Lighthouse?\nAnswer: "
    )
    body = api.chat(messages=user(prompt), max_tokens=300).json()
    assert body["choices"][0]["message"]["content"] == (
        "According to the context: The last resident keeper, Agnes Morrow, retired in 1968."
    )
