"""Malformed caller inputs raise the library's own typed errors naming what was wrong, before
any request; and hypothesis strategies over both adapters' converters assert
that nothing but the library's own errors escapes (`make fuzz` runs them with 2,500 examples)."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from llama_index.core.base.llms.types import (
    ChatMessage,
    ImageBlock,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)

from aimlapi_core.errors import AIMLAPIError, InvalidRequestError, UnsupportedContentError
from langchain_aimlapi import ChatAIMLAPI
from llama_index_aimlapi import AIMLAPI

# Nothing listens here: a request that escaped validation would fail with a connection error,
# which is an AIMLAPIError too, so every case also asserts on the type and the words.
NOWHERE = "http://127.0.0.1:9/v1"


def chat(api: str = "messages") -> ChatAIMLAPI:
    return ChatAIMLAPI(api=api, api_key="k", base_url=NOWHERE, max_retries=0)


def llm(api: str = "messages") -> AIMLAPI:
    return AIMLAPI(api=api, api_key="k", base_url=NOWHERE, max_retries=0)


TOOL = {"name": "f", "description": "d", "input_schema": {"type": "object"}}
HI = HumanMessage("hi")

LANGCHAIN_CASES: list[tuple[str, list[Any], dict[str, Any], type[AIMLAPIError], str]] = [
    (
        "tool_use without name",
        [HI, AIMessage(content=[{"type": "tool_use", "id": "x", "input": {}}])],
        {},
        UnsupportedContentError,
        "tool_use block needs 'name'",
    ),
    (
        "redacted_thinking without data",
        [HI, AIMessage(content=[{"type": "redacted_thinking"}])],
        {},
        UnsupportedContentError,
        "redacted_thinking block needs 'data'",
    ),
    (
        "tool_result content 5",
        [HumanMessage(content=[{"type": "tool_result", "tool_use_id": "x", "content": 5}])],
        {},
        UnsupportedContentError,
        "tool_result content must be a string or a list",
    ),
    (
        "tool_use arguments not an object",
        [HI, AIMessage(content=[{"type": "tool_use", "id": "x", "name": "f", "input": 7}])],
        {},
        UnsupportedContentError,
        "tool-call arguments must be a JSON object",
    ),
    (
        "cache_control a string (found by fuzzing)",
        [HumanMessage(content=[{"type": "text", "text": "hi", "cache_control": "0"}])],
        {},
        UnsupportedContentError,
        "cache_control on",
    ),
    (
        "tool_choice function without a name",
        [HI],
        {"tools": [TOOL], "tool_choice": {"type": "function"}},
        InvalidRequestError,
        "tool_choice {'type': 'function'} is not understood",
    ),
]


@pytest.mark.parametrize(
    ("messages", "kwargs", "error", "words"),
    [case[1:] for case in LANGCHAIN_CASES],
    ids=[case[0] for case in LANGCHAIN_CASES],
)
def test_langchain_malformed_inputs_raise_typed_errors_naming_the_problem(
    messages: list[Any], kwargs: dict[str, Any], error: type[AIMLAPIError], words: str
) -> None:
    with pytest.raises(error) as info:
        chat().invoke(messages, **kwargs)
    assert words in str(info.value)


def _assistant(**additional_kwargs: Any) -> ChatMessage:
    return ChatMessage(role="assistant", content="", additional_kwargs=additional_kwargs)


def _call(arguments: Any) -> dict[str, Any]:
    return {"id": "c1", "type": "function", "function": {"name": "f", "arguments": arguments}}


LLAMA_CASES: list[tuple[str, list[ChatMessage], dict[str, Any], type[AIMLAPIError], str]] = [
    (
        "tool call arguments 5",
        [ChatMessage(content="hi"), _assistant(tool_calls=[_call(5)])],
        {},
        UnsupportedContentError,
        "tool-call arguments must be a JSON object or a string",
    ),
    (
        "tool call arguments a JSON list",
        [ChatMessage(content="hi"), _assistant(tool_calls=[_call("[1]")])],
        {},
        UnsupportedContentError,
        "tool-call arguments must be a JSON object, got list",
    ),
    (
        "tool_calls not a list",
        [ChatMessage(content="hi"), _assistant(tool_calls=5)],
        {},
        UnsupportedContentError,
        "additional_kwargs['tool_calls'] must be a list",
    ),
    (
        "function not a dict",
        [ChatMessage(content="hi"), _assistant(tool_calls=[{"id": "c", "function": 3}])],
        {},
        UnsupportedContentError,
        "expected {'id', 'function'",
    ),
    (
        "tool_choice function without a name",
        [ChatMessage(content="hi")],
        {"tool_choice": {"type": "function"}},
        InvalidRequestError,
        "is not understood",
    ),
]


@pytest.mark.parametrize(
    ("messages", "kwargs", "error", "words"),
    [case[1:] for case in LLAMA_CASES],
    ids=[case[0] for case in LLAMA_CASES],
)
def test_llama_index_malformed_inputs_raise_typed_errors_naming_the_problem(
    messages: list[ChatMessage], kwargs: dict[str, Any], error: type[AIMLAPIError], words: str
) -> None:
    with pytest.raises(error) as info:
        llm().chat(messages, **kwargs)
    assert words in str(info.value)


def test_a_3000_deep_tool_schema_is_refused_by_name_in_both_adapters() -> None:
    node: dict[str, Any] = {"type": "string"}
    for _ in range(3_000):
        node = {"type": "object", "properties": {"n": node}}
    deep = {"name": "deep", "description": "d", "input_schema": node}
    with pytest.raises(UnsupportedContentError, match=r"'deep'.*nested deeper than"):
        chat().bind_tools([deep])
    from llama_index.core.tools import FunctionTool

    tool = FunctionTool.from_defaults(fn=lambda: None, name="deep", description="d")
    tool.metadata.fn_schema = None
    tool.metadata.get_parameters_dict = lambda: node  # type: ignore[method-assign]
    with pytest.raises(UnsupportedContentError, match=r"'deep'.*nested deeper than"):
        llm().chat_with_tools([tool], user_msg="hi")


# --------------------------------------------------------------------------- fuzzing
# Values of every JSON-ish shape in the places blocks and calls hold them; the converters must
# either build a request or raise an AIMLAPIError (never KeyError, TypeError, AttributeError...).

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
BLOCK_TYPES = [
    "text",
    "image",
    "image_url",
    "file",
    "document",
    "tool_result",
    "tool_use",
    "tool_call",
    "thinking",
    "reasoning",
    "redacted_thinking",
    "non_standard",
    "tool_call_chunk",
    "audio",
]
FIELDS = [
    "text",
    "data",
    "name",
    "id",
    "input",
    "args",
    "content",
    "tool_use_id",
    "thinking",
    "signature",
    "source",
    "url",
    "mime_type",
    "source_type",
    "image_url",
    "partial_json",
    "value",
    "is_error",
    "base64",
    "cache_control",
    "file",
]
blocks = st.one_of(
    st.text(max_size=8),
    st.fixed_dictionaries(
        {"type": st.sampled_from(BLOCK_TYPES)},
        optional=dict.fromkeys(FIELDS, json_values),
    ),
    json_values,
)
contents = st.one_of(st.text(max_size=8), st.lists(blocks, max_size=3))


def _langchain_messages(draw: Any) -> list[Any]:
    kind = draw(st.sampled_from(["human", "ai", "tool", "system"]))
    content = draw(contents)
    if kind == "human":
        return [HumanMessage(content=content)]
    if kind == "system":
        return [SystemMessage(content=content), HI]
    if kind == "tool":
        return [
            HI,
            AIMessage(content="", tool_calls=[{"id": "c1", "name": "f", "args": {}}]),
            ToolMessage(content=content, tool_call_id="c1"),
        ]
    return [HI, AIMessage(content=content)]


@st.composite
def langchain_conversations(draw: Any) -> list[Any]:
    messages: list[Any] = []
    for _ in range(draw(st.integers(1, 3))):
        try:
            messages += _langchain_messages(draw)
        except (ValueError, TypeError):  # LangChain's own constructors refused the shape
            messages.append(HI)
    return messages


@pytest.mark.fuzz
@pytest.mark.parametrize("api", ["chat_completions", "messages"])
@given(conversation=langchain_conversations(), choice=json_values)
def test_fuzz_langchain_converter_raises_only_library_errors(
    api: str, conversation: list[Any], choice: Any
) -> None:
    model = chat(api)
    for kwargs in ({}, {"tools": [TOOL], "tool_choice": choice}):
        with contextlib.suppress(AIMLAPIError):
            model._sync_core().dialect.encode(
                model._request(conversation, None, kwargs), stream=False
            )


llama_blocks = st.one_of(
    st.builds(TextBlock, text=st.text(max_size=8)),
    st.builds(ThinkingBlock, content=st.text(max_size=8) | st.none()),
    st.builds(
        ToolCallBlock,
        tool_call_id=st.text(max_size=4) | st.none(),
        tool_name=st.text(max_size=6),
        tool_kwargs=st.dictionaries(st.text(max_size=4), scalars, max_size=2) | st.text(max_size=8),
    ),
    st.builds(
        ImageBlock, url=st.sampled_from(["data:image/png;base64,iVBO", "data:x,1", "data:,"])
    ),
)


@st.composite
def llama_messages(draw: Any) -> ChatMessage:
    role = draw(st.sampled_from(["user", "assistant", "system", "tool"]))
    extra = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "tool_calls": json_values
                | st.lists(
                    st.fixed_dictionaries(
                        {
                            "id": json_values,
                            "function": json_values
                            | st.fixed_dictionaries(
                                {"name": json_values, "arguments": json_values}
                            ),
                        }
                    )
                ),
                "tool_call_id": json_values,
                "thinking_signature": json_values,
                "redacted_thinking": json_values,
            },
        )
    )
    return ChatMessage(
        role=role, blocks=draw(st.lists(llama_blocks, max_size=3)), additional_kwargs=extra
    )


@pytest.mark.fuzz
@pytest.mark.parametrize("api", ["chat_completions", "messages"])
@given(messages=st.lists(llama_messages(), min_size=1, max_size=3), choice=json_values)
def test_fuzz_llama_index_converter_raises_only_library_errors(
    api: str, messages: list[ChatMessage], choice: Any
) -> None:
    model = llm(api)
    for kwargs in ({}, {"tool_choice": choice}):
        with contextlib.suppress(AIMLAPIError):
            model._sync_core().dialect.encode(model._request(messages, kwargs), stream=False)
