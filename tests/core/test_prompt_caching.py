"""Automatic prompt caching (``ChatRequest.prompt_caching``): where the encoder puts the
breakpoints on each dialect, within four and the model's minimum length, and what it does where
a model cannot cache (docs/wire.md "Prompt caching")."""

from __future__ import annotations

import copy
import json
import warnings
from typing import Any

import pytest

from aimlapi_core import (
    ChatRequest,
    Message,
    PromptCaching,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    ToolSpec,
)
from aimlapi_core._rules import prompt_caching_setting
from aimlapi_core.errors import InvalidRequestError, UnsupportedContentError
from aimlapi_core.wire import get_dialect
from aimlapi_core.wire.batches import encode_params

FIVE_MIN = {"type": "ephemeral", "ttl": "5m"}
LONG = "Follow the house rules for every answer. " * 300  # ~3,500 tokens by the estimate
TOOL = ToolSpec(
    name="search_docs",
    description="Search the documentation. " * 200,
    input_schema={"type": "object", "properties": {"q": {"type": "string"}}},
)
SMALL_TOOL = ToolSpec(name="ping", description="Ping.")
# One documented model that caches on each endpoint, and the 4.x default that cannot on chat.
CACHING = {"messages": "claude-sonnet-4-20250514", "chat_completions": "anthropic/claude-sonnet-5"}


def loop_messages() -> list[Message]:
    """An agent loop two turns in: question, tool call, tool result."""
    return [
        Message(role="user", parts=[TextPart(text="Find the retry policy.")]),
        Message(
            role="assistant",
            parts=[ToolCallPart(id="toolu_1", name="search_docs", arguments={"q": "retry"})],
        ),
        Message(
            role="user",
            parts=[ToolResultPart(tool_call_id="toolu_1", content=[TextPart(text="Two.")])],
        ),
    ]


def request(api: str, **changes: Any) -> ChatRequest:
    fields: dict[str, Any] = {
        "model": CACHING[api],
        "messages": loop_messages(),
        "system": [TextPart(text=LONG)],
        "tools": [SMALL_TOOL, TOOL],
        "max_tokens": 256,
        "prompt_caching": PromptCaching(),
    }
    return ChatRequest(**{**fields, **changes})


def body(api: str, req: ChatRequest) -> dict[str, Any]:
    return get_dialect(api).encode(req, stream=False)


def hints(payload: dict[str, Any]) -> list[str]:
    """The blocks of the body that carry cache_control, as sorted paths (messages, system,
    tools: the places a breakpoint can go)."""
    system = payload.get("system")
    places = (
        [(f".system[{i}]", b) for i, b in enumerate(system)] if isinstance(system, list) else []
    )
    places += [(f".tools[{i}]", tool) for i, tool in enumerate(payload.get("tools", []))]
    for i, message in enumerate(payload["messages"]):
        if isinstance(message["content"], list):
            places += [
                (f".messages[{i}].content[{j}]", b) for j, b in enumerate(message["content"])
            ]
    return sorted(path for path, block in places if "cache_control" in block)


@pytest.mark.parametrize("api", ["messages", "chat_completions"])
def test_auto_marks_last_tool_system_and_tail(api: str) -> None:
    sent = body(api, request(api))
    assert hints(sent) == [".messages[2].content[0]", ".system[0]", ".tools[1]"]
    assert sent["messages"][2]["content"][0]["type"] == "tool_result"
    assert sent["system"][0]["cache_control"] == FIVE_MIN
    assert sent["tools"][1]["cache_control"] == FIVE_MIN
    assert "cache_control" not in sent["tools"][0]  # one breakpoint caches the whole tool set


@pytest.mark.parametrize("api", ["messages", "chat_completions"])
def test_the_tail_is_the_last_block_that_can_carry_a_hint(api: str) -> None:
    messages = [
        *loop_messages(),
        Message(role="assistant", parts=[ToolCallPart(id="toolu_2", name="ping", arguments={})]),
    ]
    sent = body(api, request(api, messages=messages))
    # A tool_use block has no cache hint in the neutral model: the tool result before it is
    # the tail.
    assert ".messages[2].content[0]" in hints(sent)
    assert len(hints(sent)) == 3


def test_ttl_one_hour_goes_on_every_breakpoint() -> None:
    sent = body("messages", request("messages", prompt_caching=PromptCaching(ttl="1h")))
    assert sent["system"][0]["cache_control"] == {"type": "ephemeral", "ttl": "1h"}
    assert sent["tools"][1]["cache_control"] == {"type": "ephemeral", "ttl": "1h"}
    assert sent["messages"][2]["content"][0]["cache_control"] == {"type": "ephemeral", "ttl": "1h"}


def test_a_prefix_below_the_models_minimum_gets_no_breakpoint() -> None:
    short = request("messages", system=[TextPart(text="Be brief.")], tools=[SMALL_TOOL])
    sent = body("messages", short)
    assert hints(sent) == []
    assert sent["system"] == "Be brief."  # unmarked: still the plain string


def test_the_minimum_is_the_models() -> None:
    # ~1,700 tokens in all: over Sonnet 4's 1,024, under Haiku 4.5's 4,096.
    mid = TextPart(text="Rules. " * 800)
    sonnet = body("messages", request("messages", system=[mid], tools=[]))
    haiku = body("messages", request("messages", system=[mid], tools=[], model="claude-haiku-4-5"))
    assert hints(sonnet) == [".messages[2].content[0]", ".system[0]"]
    assert hints(haiku) == []


def test_a_short_tool_set_is_not_marked_but_the_longer_prefixes_are() -> None:
    sent = body("messages", request("messages", tools=[SMALL_TOOL]))
    assert hints(sent) == [".messages[2].content[0]", ".system[0]"]


def test_the_callers_own_breakpoints_count_toward_four() -> None:
    messages = loop_messages()
    messages[0].parts[0].cache_control = {"type": "ephemeral"}
    tools = [ToolSpec(name="a", description="A.", cache_control={"type": "ephemeral"}), TOOL]
    system = [TextPart(text="Intro.", cache_control={"type": "ephemeral"}), TextPart(text=LONG)]
    sent = body("messages", request("messages", messages=messages, tools=tools, system=system))
    # Three of the caller's; one free: the tail, which caches the most.
    assert len(hints(sent)) == 4
    assert ".messages[2].content[0]" in hints(sent)
    assert "cache_control" not in sent["system"][1]
    assert "cache_control" not in sent["tools"][1]


def test_four_by_hand_leave_none_free() -> None:
    system = [TextPart(text=f"Part {i}. {LONG}", cache_control={"type": "ephemeral"}) for i in "ab"]
    tools = [
        ToolSpec(name="a", description="A.", cache_control={"type": "ephemeral"}),
        ToolSpec(name="b", description="B.", cache_control={"type": "ephemeral"}),
    ]
    sent = body("messages", request("messages", system=system, tools=tools))
    assert len(hints(sent)) == 4
    assert ".messages[2].content[0]" not in hints(sent)


def test_a_fifth_breakpoint_by_hand_is_refused_before_any_request() -> None:
    system = [TextPart(text=f"Part {i}.", cache_control={"type": "ephemeral"}) for i in "abc"]
    tools = [
        ToolSpec(name="a", description="A.", cache_control={"type": "ephemeral"}),
        ToolSpec(name="b", description="B.", cache_control={"type": "ephemeral"}),
    ]
    req = request("messages", system=system, tools=tools, prompt_caching=None)
    with pytest.raises(InvalidRequestError, match=r"5 cache_control breakpoints.*at most 4"):
        body("messages", req)


def test_an_already_marked_block_is_not_marked_again() -> None:
    system = [TextPart(text=LONG, cache_control={"type": "ephemeral"})]
    sent = body("messages", request("messages", system=system))
    assert sent["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert len(hints(sent)) == 3


def test_no_breakpoint_goes_where_the_ttl_order_would_break() -> None:
    # The API takes 1-hour breakpoints before 5-minute ones. The caller's 1-hour system prompt
    # keeps the policy's 5-minute one off the tools before it; the tail after it is fine.
    system = [TextPart(text=LONG, cache_control={"type": "ephemeral", "ttl": "1h"})]
    sent = body("messages", request("messages", system=system))
    assert hints(sent) == [".messages[2].content[0]", ".system[0]"]
    # The caller's 5-minute last tool keeps the policy's 1-hour ones off everything after it.
    tools = [SMALL_TOOL, ToolSpec(name="a", description="A.", cache_control={"type": "ephemeral"})]
    one_hour = request("messages", tools=tools, prompt_caching=PromptCaching(ttl="1h"))
    assert hints(body("messages", one_hour)) == [".tools[1]"]


def test_the_callers_request_is_not_changed() -> None:
    req = request("messages")
    before = copy.deepcopy(req)
    body("messages", req)
    assert req == before
    assert all(p.cache_control is None for m in req.messages for p in m.parts if hasattr(p, "text"))


def test_an_undocumented_id_is_marked_the_server_decides() -> None:
    sent = body("chat_completions", request("chat_completions", model="claude-sonnet-9"))
    assert len(hints(sent)) == 3


# --------------------------------------------------------------------------- unsupported


def unsupported(behavior: str) -> ChatRequest:
    policy = PromptCaching(unsupported_model_behavior=behavior)  # type: ignore[arg-type]
    return request("chat_completions", model="claude-sonnet-4-20250514", prompt_caching=policy)


def test_unsupported_ignore_sends_without_breakpoints_silently() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sent = body("chat_completions", unsupported("ignore"))
    assert hints(sent) == []


def test_unsupported_warn_says_so_once_and_sends_without_breakpoints() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        first = body("chat_completions", unsupported("warn"))
        second = body("chat_completions", unsupported("warn"))
    assert hints(first) == hints(second) == []
    assert len(caught) == 1
    message = str(caught[0].message)
    assert "claude-sonnet-4-20250514" in message
    assert "api='messages'" in message  # the fix


def test_unsupported_raise_refuses_before_any_request() -> None:
    with pytest.raises(UnsupportedContentError, match=r"prompt_caching: .*api='messages'"):
        body("chat_completions", unsupported("raise"))


def test_the_same_model_caches_on_messages() -> None:
    req = unsupported("raise")
    assert len(hints(body("messages", req))) == 3


def test_a_batch_request_carries_no_breakpoints() -> None:
    req = ChatRequest(
        model="claude-sonnet-4-20250514",
        messages=[Message(role="user", parts=[TextPart(text="Hi")])],
        system=[TextPart(text=LONG)],
        max_tokens=64,
        prompt_caching=PromptCaching(),
    )
    params = encode_params(req, "a")
    assert "cache_control" not in json.dumps(params)


# --------------------------------------------------------------------------- the setting


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("auto", PromptCaching()),
        ({"type": "auto"}, PromptCaching()),
        ({"type": "auto", "ttl": "1h"}, PromptCaching(ttl="1h")),
        (
            {"type": "auto", "unsupported_model_behavior": "raise"},
            PromptCaching(unsupported_model_behavior="raise"),
        ),
    ],
)
def test_setting_forms(value: object, expected: PromptCaching | None) -> None:
    assert prompt_caching_setting(value) == expected


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("on", "must be None, 'auto'"),
        (True, "must be None, 'auto'"),
        ({"ttl": "1h"}, "must be None, 'auto'"),
        ({"type": "auto", "ttl": "10m"}, "ttl must be '5m' or '1h'"),
        ({"type": "auto", "unsupported_model_behavior": "skip"}, "'ignore', 'warn' or 'raise'"),
        ({"type": "auto", "tll": "1h"}, r"unknown key\(s\) \['tll'\]"),
    ],
)
def test_setting_refusals(value: object, words: str) -> None:
    with pytest.raises(InvalidRequestError, match=words):
        prompt_caching_setting(value)


def test_the_system_prompts_last_sent_block_is_marked() -> None:
    # Two equal blocks, then an empty one (never sent): the second is the last one sent.
    system = [TextPart(text=LONG), TextPart(text=LONG), TextPart(text="")]
    sent = body("messages", request("messages", system=system))
    assert [".system[1]" in hints(sent), ".system[0]" in hints(sent)] == [True, False]


def test_the_callers_one_hour_hint_after_a_five_minute_one_is_refused() -> None:
    tools = [
        ToolSpec(name="a", description="A.", cache_control={"type": "ephemeral"}),
        ToolSpec(name="b", description="B.", cache_control={"type": "ephemeral", "ttl": "1h"}),
    ]
    req = request("messages", tools=tools, prompt_caching=None)
    with pytest.raises(InvalidRequestError, match="ttl '1h' comes after one with ttl '5m'"):
        body("messages", req)
    tools.reverse()  # the documented order
    assert len(hints(body("messages", req))) == 2
