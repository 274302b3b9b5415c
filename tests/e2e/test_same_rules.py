"""The same mistake through ChatAIMLAPI and AIMLAPI: the same error class and the same words,
raised before any request — both adapters call the core's rules (aimlapi_core/_rules/)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from langchain_core.tools import tool
from langchain_support import make
from llama_index.core.base.llms.types import ChatMessage, ImageBlock, TextBlock
from llama_index.core.tools import FunctionTool

from aimlapi_core.errors import AIMLAPIError, InvalidRequestError, UnsupportedContentError
from aimlapi_emulator import Emulator
from llama_index_aimlapi import AIMLAPI


@tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def _add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


ADD = FunctionTool.from_defaults(fn=_add, name="add")
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
USER = [ChatMessage(role="user", content="add 2 and 3")]


def _image(url: str) -> tuple[HumanMessage, ChatMessage]:
    return (
        HumanMessage([{"type": "text", "text": "see"}, {"type": "image_url", "image_url": url}]),
        ChatMessage(role="user", blocks=[TextBlock(text="see"), ImageBlock(url=url)]),
    )


BMP = "data:image/bmp;base64," + base64.b64encode(b"BM....").decode()
BAD_B64 = "data:image/png;base64,%%%"

# (name, LangChain call, LlamaIndex call); each gets (emulator) and must raise.
Case = tuple[str, Callable[[Any], Any], Callable[[Any], Any]]
CASES: list[Case] = [
    (
        "choice names an unknown tool",
        lambda lc: lc.bind_tools([add], tool_choice="nope"),
        lambda li: li.chat_with_tools([ADD], chat_history=USER, tool_choice="nope"),
    ),
    (
        # Per call (not bound: a bound one is resolved, test below), thinking refuses it.
        "forced choice with thinking",
        lambda lc: lc.model_copy(update={"thinking": 2048}).invoke(
            "hi", tools=[add], tool_choice="any"
        ),
        lambda li: li.chat(USER, tools=[ADD], tool_choice="any", thinking=2048),
    ),
    (
        "forced choice without tools",
        lambda lc: lc.invoke("hi", tool_choice="required"),
        lambda li: li.chat(USER, tool_choice="required"),
    ),
    (
        "unknown choice spelling",
        lambda lc: lc.bind_tools([add], tool_choice=3),
        lambda li: li.chat_with_tools([ADD], chat_history=USER, tool_choice=3),
    ),
    (
        "bad thinking setting",
        lambda lc: lc.invoke("hi", thinking="lots"),
        lambda li: li.chat(USER, thinking="lots"),
    ),
    (
        "image media type",
        lambda lc: lc.invoke([_image(BMP)[0]]),
        lambda li: li.chat([_image(BMP)[1]]),
    ),
    (
        "data URI that is not base64",
        lambda lc: lc.invoke([_image(BAD_B64)[0]]),
        lambda li: li.chat([_image(BAD_B64)[1]]),
    ),
]


def _error(call: Callable[[], Any]) -> AIMLAPIError:
    with pytest.raises(AIMLAPIError) as info:
        call()
    return info.value


def _words(error: Exception) -> str:
    # Content errors start with where the block sits, in each framework's own terms.
    text = str(error)
    return text.split(": ", 1)[1] if isinstance(error, UnsupportedContentError) else text


@pytest.mark.parametrize(("name", "langchain_call", "llama_call"), CASES, ids=[c[0] for c in CASES])
def test_same_mistake_same_error(
    fresh_emulator: Emulator, name: str, langchain_call: Any, llama_call: Any
) -> None:
    lc = make(fresh_emulator, "messages")
    li = AIMLAPI(api="messages", api_key=fresh_emulator.api_key, base_url=fresh_emulator.base_url)
    try:
        if name == "bad thinking setting":
            # A per-call thinking= is not a ChatAIMLAPI keyword; its constructor field is.
            with pytest.raises(ValueError, match="thinking must be a token budget") as info:
                lc.model_validate({"thinking": "lots"})
            lc_error: Exception = info.value
            assert isinstance(lc_error.errors()[0]["ctx"]["error"], InvalidRequestError)  # type: ignore[attr-defined]
            lc_words = str(lc_error.errors()[0]["ctx"]["error"])  # type: ignore[attr-defined]
        else:
            lc_error = _error(lambda: langchain_call(lc))
            lc_words = _words(lc_error)
        li_error = _error(lambda: llama_call(li))
        if name != "bad thinking setting":
            assert type(lc_error) is type(li_error)
        assert lc_words == _words(li_error)
        assert fresh_emulator.requests == []
    finally:
        li.close()


def test_percent_encoded_data_uris_are_sent_by_both(fresh_emulator: Emulator) -> None:
    uri = "data:image/png," + "".join(f"%{b:02X}" for b in PNG)
    lc_message, li_message = _image(uri)
    make(fresh_emulator, "chat_completions").invoke([lc_message])
    li = AIMLAPI(api_key=fresh_emulator.api_key, base_url=fresh_emulator.base_url)
    try:
        li.chat([li_message])
    finally:
        li.close()
    first, second = (r.json["messages"][0]["content"][1] for r in fresh_emulator.requests)
    assert (
        first
        == second
        == {
            "type": "image",
            "source": {
                "type": "base64",
                "media_type": "image/png",
                "data": base64.b64encode(PNG).decode(),
            },
        }
    )


def test_a_bound_forced_choice_with_thinking_is_resolved_alike(fresh_emulator: Emulator) -> None:
    """bind_tools / chat_with_tools with a forced choice while thinking is on (the API refuses
    it): both offer the tools with 'auto' and ask for the call in the system prompt, in the
    core's words (rules.call_instruction)."""
    from aimlapi_emulator import Reply

    call = Reply(tool_calls=[{"name": "add", "input": {"a": 2, "b": 3}}], thinking="Adding.")
    fresh_emulator.set_replies([call, call])
    lc = make(fresh_emulator, "messages", thinking=2048, max_tokens=4096)
    li = AIMLAPI(
        api="messages",
        thinking=2048,
        max_tokens=4096,
        api_key=fresh_emulator.api_key,
        base_url=fresh_emulator.base_url,
    )
    try:
        lc.bind_tools([add], tool_choice="any").invoke("add 2 and 3")
        li.chat_with_tools([ADD], chat_history=USER, tool_choice="any")
    finally:
        li.close()
    first, second = (r.json for r in fresh_emulator.requests)
    # (LlamaIndex's allow_parallel_tool_calls defaults to False: it adds its flag.)
    assert first["tool_choice"]["type"] == second["tool_choice"]["type"] == "auto"
    assert first["system"] == second["system"]
    assert "Answer by calling the tool `add`" in first["system"]
