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


@pytest.mark.parametrize("api", ["chat_completions", "messages"])
@pytest.mark.parametrize(
    ("model", "context", "output"),
    [
        # The model pages: "a 1M token context window" (Sonnet 5, Opus 5); Sonnet 4.5's page
        # gives none, so Anthropic's 200k. Max output: the schemas' max_tokens defaults.
        ("anthropic/claude-sonnet-5", 1_000_000, 128_000),
        ("anthropic/claude-opus-5", 1_000_000, 128_000),
        ("claude-sonnet-4-5-20250929", 200_000, 64_000),
    ],
)
def test_profile_context_window_is_the_model_pages(
    model: str, context: int, output: int, api: str
) -> None:
    profile = ChatAIMLAPI(model=model, api=api).profile
    assert profile is not None
    assert (profile["max_input_tokens"], profile["max_output_tokens"]) == (context, output)
    assert profile["reasoning_output"] is True


def test_profile_reads_the_models_schema_per_endpoint() -> None:
    # claude-3-7-sonnet.json (chat) has no document block; /messages takes documents.
    chat = ChatAIMLAPI(model="claude-3-7-sonnet-20250219", api="chat_completions").profile
    messages = ChatAIMLAPI(model="claude-3-7-sonnet-20250219", api="messages").profile
    assert chat is not None
    assert messages is not None
    assert chat["pdf_inputs"] is False
    assert messages["pdf_inputs"] is True
    # Claude 3.5 Sonnet does not think (judgement "copied-thinking" in build_catalog.py).
    assert ChatAIMLAPI(model="claude-3-5-sonnet-latest").profile["reasoning_output"] is False  # type: ignore[index]
