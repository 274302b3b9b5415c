"""The input rules both adapters and the encoder call (aimlapi_core/_rules/), as tables."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from aimlapi_core._rules import (
    DIALECT_CONTENT,
    DataURI,
    check_tool_names,
    parse_data_uri,
    parse_tool_choice,
    resolve_tool_choice,
    thinking_budget,
    tool_choice_dict,
)
from aimlapi_core._types import ToolChoice
from aimlapi_core.errors import InvalidRequestError, UnsupportedContentError


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("auto", ToolChoice(type="auto")),
        ("any", ToolChoice(type="any")),
        ("required", ToolChoice(type="any")),
        (True, ToolChoice(type="any")),
        ("none", ToolChoice(type="none")),
        (False, ToolChoice(type="none")),
        ("add", ToolChoice(type="tool", name="add")),
        ({"type": "tool", "name": "add"}, ToolChoice(type="tool", name="add")),
        (
            {"type": "any", "disable_parallel_tool_use": True},
            ToolChoice(type="any", disable_parallel_tool_use=True),
        ),
        ({"type": "required"}, ToolChoice(type="any")),
        ({"type": "function", "function": {"name": "add"}}, ToolChoice(type="tool", name="add")),
        (ToolChoice(type="none"), ToolChoice(type="none")),
    ],
)
def test_every_tool_choice_spelling(value: Any, expected: ToolChoice | None) -> None:
    assert parse_tool_choice(value) == expected


@pytest.mark.parametrize(
    "value", [3, {"type": "function"}, {"type": "tool"}, {"type": "sometimes"}, ["auto"]]
)
def test_unknown_tool_choice_spellings_are_refused(value: Any) -> None:
    with pytest.raises(InvalidRequestError, match="is not understood"):
        parse_tool_choice(value)


@pytest.mark.parametrize(
    ("value", "parallel", "expected"),
    [
        (None, None, None),
        (None, False, {"type": "auto", "disable_parallel_tool_use": True}),
        (None, True, {"type": "auto"}),
        ("any", False, {"type": "any", "disable_parallel_tool_use": True}),
        ({"type": "any", "disable_parallel_tool_use": True}, True, {"type": "any"}),
        ("none", False, {"type": "none"}),
        ("add", None, {"type": "tool", "name": "add"}),
    ],
)
def test_parallel_switch(value: Any, parallel: bool | None, expected: Any) -> None:
    choice = resolve_tool_choice(value, ["add"], thinking=False, parallel=parallel)
    assert (None if choice is None else tool_choice_dict(choice)) == expected


@pytest.mark.parametrize(
    ("value", "names", "thinking", "message"),
    [
        ("nope", ["add"], False, "'nope', which is not among the tools offered (add)"),
        ("any", [], False, "needs tools, but no tools were offered"),
        ("any", ["add"], True, "forces a tool call, which the API refuses while thinking is on"),
        ("add", ["add"], True, "forces a tool call"),
    ],
)
def test_choices_the_api_would_refuse(
    value: Any, names: list[str], thinking: bool, message: str
) -> None:
    with pytest.raises(InvalidRequestError) as info:
        resolve_tool_choice(value, names, thinking=thinking)
    assert message in str(info.value)


@pytest.mark.parametrize("value", ["auto", "none"])
def test_unforced_choice_without_tools_is_not_sent(value: str) -> None:
    assert resolve_tool_choice(value, [], thinking=True) is None


@pytest.mark.parametrize(
    ("value", "budget"),
    [
        (None, None),
        (False, None),
        (2048, 2048),
        ({"type": "enabled", "budget_tokens": 1500}, 1500),
        ({"type": "disabled"}, None),
    ],
)
def test_thinking_forms(value: Any, budget: int | None) -> None:
    assert thinking_budget(value) == budget


@pytest.mark.parametrize(
    "value", [True, "lots", {"type": "enable"}, {"budget_tokens": 10}, {"type": "enabled"}]
)
def test_bad_thinking_forms(value: Any) -> None:
    with pytest.raises(InvalidRequestError, match="thinking must be a token budget"):
        thinking_budget(value)


def test_tool_names() -> None:
    check_tool_names(["get_weather", "add-2"])
    with pytest.raises(UnsupportedContentError, match="'bad name' is not accepted"):
        check_tool_names(["bad name"])
    with pytest.raises(UnsupportedContentError, match="is not accepted"):
        check_tool_names(["x" * 65])
    with pytest.raises(InvalidRequestError, match="must be unique; repeated: add"):
        check_tool_names(["add", "sub", "add", "add"])


PNG = b"\x89PNG\r\n\x1a\n\x00"


def test_data_uris_in_both_rfc_2397_forms() -> None:
    b64 = base64.b64encode(PNG).decode()
    assert parse_data_uri(f"data:image/png;base64,{b64}", "x") == DataURI("image/png", b64)
    percent = "data:image/png," + "".join(f"%{b:02X}" for b in PNG)
    assert parse_data_uri(percent, "x") == DataURI("image/png", b64)
    plain = parse_data_uri("data:text/plain,hello%20world", "x")
    assert base64.b64decode(plain.data) == b"hello world"
    assert parse_data_uri("data:,x", "x").media_type is None


@pytest.mark.parametrize(
    ("uri", "message"),
    [("data:image/png;base64,not base64!", "not valid base64"), ("data:image/png", "no comma")],
)
def test_bad_data_uris_name_the_place(uri: str, message: str) -> None:
    with pytest.raises(UnsupportedContentError, match=f"^block 3: .*{message}"):
        parse_data_uri(uri, "block 3")


def test_documents_travel_on_both_dialects_but_tool_result_documents_only_on_messages() -> None:
    chat, messages = DIALECT_CONTENT["chat_completions"], DIALECT_CONTENT["messages"]
    assert not chat.documents_in_tool_results
    assert messages.documents_in_tool_results
    assert not chat.block_cache_control
    assert messages.block_cache_control
