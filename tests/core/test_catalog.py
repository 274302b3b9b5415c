"""Every documented spelling of a Claude id resolves; unknown ids fall back; nothing raises."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aimlapi_core import ModelInfo, model_info

# (id, family, generation, max_output_tokens, supports_thinking). Ids from docs/wire.md "Model ids",
# the model pages in aimlapi-docs/ and the `model` enums of aimlapi-docs/specs/*.json.
SPELLINGS = [
    ("claude-sonnet-4-20250514", "sonnet", "4", 64000, True),
    ("claude-sonnet-4", "sonnet", "4", 64000, True),
    ("anthropic/claude-sonnet-4", "sonnet", "4", 64000, True),
    ("anthropic/claude-sonnet-4.5", "sonnet", "4.5", 64000, True),
    ("claude-sonnet-4-5", "sonnet", "4.5", 64000, True),
    ("claude-sonnet-4-5-20250929", "sonnet", "4.5", 64000, True),
    ("claude-3-7-sonnet-20250219", "sonnet", "3.7", 64000, True),
    ("anthropic/claude-3.7-sonnet", "sonnet", "3.7", 64000, True),
    ("claude-3-7-sonnet-latest", "sonnet", "3.7", 64000, True),
    ("claude-3-5-sonnet-20241022", "sonnet", "3.5", 8192, False),
    ("claude-3-5-sonnet-20240620", "sonnet", "3.5", 8192, False),
    ("claude-3-5-sonnet-latest", "sonnet", "3.5", 8192, False),
    ("anthropic/claude-3.5-sonnet", "sonnet", "3.5", 8192, False),
    ("anthropic/claude-3.5-sonnet-20241022", "sonnet", "3.5", 8192, False),
    ("claude-3-5-haiku-20241022", "haiku", "3.5", 8192, False),
    ("anthropic/claude-3-5-haiku", "haiku", "3.5", 8192, False),
    ("claude-3-5-haiku-latest", "haiku", "3.5", 8192, False),
    ("claude-3-haiku-20240307", "haiku", "3", 4096, False),
    ("anthropic/claude-3-haiku", "haiku", "3", 4096, False),
    ("claude-3-haiku-latest", "haiku", "3", 4096, False),
    ("claude-3-opus-20240229", "opus", "3", 4096, False),
    ("anthropic/claude-3-opus", "opus", "3", 4096, False),
    ("claude-3-opus-latest", "opus", "3", 4096, False),
    ("claude-3-sonnet-20240229", "sonnet", "3", 4096, False),
    ("anthropic/claude-3-sonnet", "sonnet", "3", 4096, False),
    ("claude-3-sonnet-latest", "sonnet", "3", 4096, False),
    ("anthropic/claude-opus-4.1", "opus", "4.1", 32000, True),
    ("claude-opus-4-1", "opus", "4.1", 32000, True),
    ("claude-opus-4-1-20250805", "opus", "4.1", 32000, True),
    ("claude-opus-4-20250514", "opus", "4", 32000, True),
    ("anthropic/claude-opus-4", "opus", "4", 32000, True),
    ("claude-haiku-4-5", "haiku", "4.5", 64000, True),
    ("anthropic/claude-haiku-4.5", "haiku", "4.5", 64000, True),
    ("anthropic/claude-opus-4.5", "opus", "4.5", 64000, True),
    ("  Claude-Sonnet-4-5  ", "sonnet", "4.5", 64000, True),
    # specs/claude-sonnet-latest.json: max_tokens defaults to 128000.
    ("anthropic/claude-sonnet-latest", "sonnet", None, 128000, True),
]


@pytest.mark.parametrize(("model_id", "family", "generation", "output", "thinking"), SPELLINGS)
def test_documented_spellings(
    model_id: str, family: str, generation: str | None, output: int, thinking: bool
) -> None:
    info = model_info(model_id)
    assert (info.family, info.generation) == (family, generation)
    assert (info.max_output_tokens, info.supports_thinking) == (output, thinking)
    # The model table gives the -latest aliases 1,000,000 (judgement "context-window").
    latest = model_id.startswith("anthropic/claude-") and model_id.endswith("-latest")
    assert info.context_window == (1_000_000 if latest else 200_000)
    assert info.supports_tools
    assert info.supports_vision
    assert info.id == model_id


def test_spellings_of_one_model_agree() -> None:
    same = ["claude-sonnet-4-20250514", "claude-sonnet-4", "anthropic/claude-sonnet-4"]
    infos = {(i.family, i.generation, i.max_output_tokens) for i in map(model_info, same)}
    assert len(infos) == 1


@pytest.mark.parametrize(
    ("model_id", "family", "generation", "like"),
    [
        # (claude-sonnet-5 and claude-opus-4.7 were examples here until the docs listed them)
        ("claude-sonnet-6", "sonnet", "6", "anthropic/claude-sonnet-5"),  # newer → newest known
        ("anthropic/claude-opus-4.9", "opus", "4.9", "anthropic/claude-opus-4-8"),
        ("claude-haiku-4-2", "haiku", "4.2", "claude-3-5-haiku"),  # between → the older one
        ("claude-2-sonnet", "sonnet", "2", "claude-3-sonnet"),  # older → oldest known
        ("claude-opus-latest", "opus", "5", "anthropic/claude-opus-5"),  # no generation → newest
    ],
)
def test_unknown_generations_fall_back_within_their_family(
    model_id: str, family: str, generation: str, like: str
) -> None:
    info, ref = model_info(model_id), model_info(like)
    assert (info.family, info.generation) == (family, generation)
    assert info.max_output_tokens == ref.max_output_tokens
    assert info.context_window == ref.context_window


def test_newer_generations_think() -> None:
    assert model_info("claude-haiku-4-2").supports_thinking is True
    assert model_info("claude-3-5-haiku").supports_thinking is False


@pytest.mark.parametrize("model_id", ["", "gpt-4o", "claude", "anthropic/", "///", "claude-9x"])
def test_unknown_ids_get_conservative_defaults(model_id: str) -> None:
    info = model_info(model_id)
    assert info.family == "unknown"
    assert info.generation is None
    assert info.max_output_tokens == 4096
    assert info.supports_thinking is False


@pytest.mark.parametrize("value", [None, 42, b"claude-sonnet-4", ["x"]])
def test_non_strings_never_raise(value: object) -> None:
    assert model_info(value).family == "unknown"


@given(st.text())
def test_never_raises(text: str) -> None:
    assert isinstance(model_info(text), ModelInfo)
