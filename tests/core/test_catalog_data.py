"""The catalogue is generated from the docs' schemas, is current, and says what the docs say."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from aimlapi_core.catalog import capabilities, lookup, model_ids, model_info

ROOT = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_catalog", ROOT / "scripts/build_catalog.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_catalogue_and_model_table_are_current() -> None:
    script = _script()
    catalog = script.build()
    assert (ROOT / "aimlapi_core/catalog.json").read_text() == script.render(catalog), (
        "aimlapi_core/catalog.json is stale: run `make catalog`"
    )
    page = (ROOT / "docs/models.md").read_text()
    assert page == script.page_with_table(page, catalog), (
        "the model table in docs/models.md is stale: run `make catalog`"
    )


def _schema_model_ids() -> set[str]:
    ids: set[str] = set()
    for path in (ROOT / "docs/schemas").glob("*.json"):
        body = json.loads(path.read_text())
        for variant in body.get("anyOf") or [body]:
            ids.update(variant["properties"]["model"].get("enum", []))
    return ids


def test_every_id_in_a_schema_is_in_the_catalogue() -> None:
    assert _schema_model_ids() <= set(model_ids())
    assert all(lookup(i) is not None for i in model_ids())


@pytest.mark.parametrize(
    ("model_id", "canonical"),
    [
        ("claude-sonnet-4-20250514", "anthropic/claude-sonnet-4"),
        ("claude-sonnet-4", "anthropic/claude-sonnet-4"),
        ("claude-3-7-sonnet-latest", "anthropic/claude-3.7-sonnet"),
        ("claude-3-5-sonnet-20240620", "anthropic/claude-3.5-sonnet"),
        ("anthropic/claude-opus-4.5", "anthropic/claude-opus-4-5"),
        ("anthropic/claude-sonnet-4-6-20260218", "anthropic/claude-sonnet-4.6"),
        ("claude-fable-5", "anthropic/claude-fable-5"),
    ],
)
def test_aliases_name_their_model(model_id: str, canonical: str) -> None:
    info = lookup(model_id)
    assert info is not None
    assert (info.id, info.canonical) == (model_id, canonical)


@pytest.mark.parametrize(
    "model_id", ["claude-sonnet-9", "gpt-4o", "", "anthropic/claude-opus-4.8-fast.8-fast"]
)
def test_undocumented_ids_are_not_looked_up(model_id: str) -> None:
    # The last is a typo on the Opus 4.8 (Fast) page (judgement "page-typo").
    assert lookup(model_id) is None
    assert capabilities(model_id, "messages") is None


@pytest.mark.parametrize(
    ("model_id", "context", "output"),
    [
        # Page prose: "1M token context window" (Sonnet 5); schema default max_tokens 128000.
        ("anthropic/claude-sonnet-5", 1_000_000, 128_000),
        # The model table's -latest row: 1,000,000 (judgement "context-window").
        ("anthropic/claude-sonnet-latest", 1_000_000, 128_000),
        ("anthropic/claude-opus-4-7", 1_000_000, 128_000),  # "1M-token ..., 128k output tokens"
        ("anthropic/claude-fable-5", 1_000_000, 128_000),
        ("anthropic/claude-opus-4.8-fast", 1_000_000, 128_000),  # Opus 4.8's page prose
        ("anthropic/claude-haiku-latest", 1_000_000, 64_000),  # judgement "haiku-latest-copy"
        ("claude-opus-4-1", 200_000, 32_000),
        ("claude-3-haiku-latest", 200_000, 4096),  # not documented: falls back to Claude 3 Haiku
    ],
)
def test_limits_follow_the_pages(model_id: str, context: int, output: int) -> None:
    info = model_info(model_id)
    assert (info.context_window, info.max_output_tokens) == (context, output)


def test_capabilities_differ_per_model_and_dialect_as_the_schemas_do() -> None:
    s5 = lookup("anthropic/claude-sonnet-5")
    s45 = lookup("claude-sonnet-4-5")
    s37 = lookup("claude-3-7-sonnet-20250219")
    h3 = lookup("anthropic/claude-3-haiku")
    assert s5 is not None
    assert s45 is not None
    assert s37 is not None
    assert h3 is not None
    chat, msg = s5.on("chat_completions"), s5.on("messages")
    assert chat is not None
    assert msg is not None
    assert chat.thinking == ("adaptive", "enabled")
    assert chat.cache_control
    assert chat.documents
    assert "web_search_20250305" in chat.server_tools
    assert chat.system_citations
    # Sonnet 4.5: only enabled thinking and no cache_control on chat; adaptive on /messages.
    assert s45.chat_completions is not None
    assert s45.messages is not None
    assert s45.chat_completions.thinking == ("enabled",)
    assert not s45.chat_completions.cache_control
    assert not s45.chat_completions.server_tools
    assert s45.messages.thinking == ("adaptive", "enabled")
    assert s45.messages.cache_control
    # Claude 3.7 on chat: no document block, no redacted_thinking (claude-3-7-sonnet.json).
    assert s37.chat_completions is not None
    assert not s37.chat_completions.documents
    assert not s37.chat_completions.redacted_thinking
    assert s37.chat_completions.thinking == ("enabled",)
    # Claude 3 Haiku's /messages schema is the 2026 template; it still does not think.
    assert not h3.supports_thinking


def test_the_swapped_tools_schema_is_read_by_its_descriptions() -> None:
    script = _script()
    body = json.loads((ROOT / "docs/schemas/claude-4-sonnet.json").read_text())
    assert script.is_swapped(body)
    fixed = script.corrected(body)
    assert "input_schema" in fixed["properties"]["tools"]["items"]["properties"]
    assert not script.is_swapped(
        json.loads((ROOT / "docs/schemas/claude-sonnet-5.json").read_text())
    )
