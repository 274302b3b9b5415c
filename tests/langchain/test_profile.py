"""ChatAIMLAPI.profile: LangChain's capability record, filled from the core's catalogue."""

from __future__ import annotations

import pytest

from aimlapi_core import model_info
from langchain_aimlapi import ChatAIMLAPI


@pytest.mark.parametrize(
    "model",
    [
        "claude-sonnet-4-20250514",
        "anthropic/claude-sonnet-4.5",
        "claude-3-7-sonnet-20250219",
        "claude-opus-4-1",
        "not-a-known-model",
    ],
)
def test_profile_sizes_come_from_the_catalogue_for_any_spelling(model: str) -> None:
    profile = ChatAIMLAPI(model=model).profile
    assert profile is not None
    info = model_info(model)
    assert profile["max_input_tokens"] == info.context_window
    assert profile["max_output_tokens"] == info.max_output_tokens
    assert profile["reasoning_output"] is info.supports_thinking
    assert profile["tool_calling"] is True


def test_profile_follows_the_dialect_where_the_api_differs() -> None:
    # The /chat/completions specs allow only text and images inside a tool result.
    assert ChatAIMLAPI(api="chat_completions").profile["pdf_tool_message"] is False  # type: ignore[index]
    assert ChatAIMLAPI(api="messages").profile["pdf_tool_message"] is True  # type: ignore[index]


def test_a_profile_given_by_the_user_wins() -> None:
    assert ChatAIMLAPI(profile={"max_input_tokens": 1000}).profile == {"max_input_tokens": 1000}
