"""LangChain's own standard suites (langchain-tests 1.1.9), for both wire dialects.

The integration suite runs against the loopback emulator, with every capability the API has
turned on. The suites' internet downloads are served locally (see conftest.py).
"""

from __future__ import annotations

import os
from typing import Any, Literal
from unittest import mock

import httpx
import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.load import dumpd, load
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
from langchain_tests.integration_tests import ChatModelIntegrationTests
from langchain_tests.unit_tests import ChatModelUnitTests
from syrupy.assertion import SnapshotAssertion

from aimlapi_core.errors import UnsupportedContentError
from aimlapi_emulator import Emulator
from langchain_aimlapi import ChatAIMLAPI

Detail = Literal[
    "audio_input", "audio_output", "reasoning_output", "cache_read_input", "cache_creation_input"
]
Details = list[Detail]


class _Capabilities:
    """Every capability the API documents is on (docs/wire.md "Content parts", "Tools"); shared by
    the unit and integration suites of both dialects."""

    @property
    def has_tool_choice(self) -> bool:
        return True

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def supports_image_inputs(self) -> bool:
        return True

    @property
    def supports_image_urls(self) -> bool:
        return True

    @property
    def supports_image_tool_message(self) -> bool:
        return True

    @property
    def supports_anthropic_inputs(self) -> bool:
        return True

    @property
    def supports_pdf_inputs(self) -> bool:
        return True

    @property
    def supports_pdf_tool_message(self) -> bool:
        return True

    @property
    def model_override_value(self) -> str:
        return "claude-haiku-4-5-20251001"  # Claude 3.5 Haiku is deprecated: it warns


class _Unit(_Capabilities, ChatModelUnitTests):
    api: str

    @property
    def chat_model_class(self) -> type[ChatAIMLAPI]:
        return ChatAIMLAPI

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "claude-sonnet-4-20250514", "api": self.api}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"AIMLAPI_API_KEY": "sk-from-env"},
            {"model": "claude-sonnet-4-20250514", "api": self.api},
            {"api_key": "sk-from-env", "api": self.api},
        )

    @pytest.mark.xfail(
        strict=True,
        raises=ValueError,
        reason=(
            "not an API limit: langchain-tests (1.1.3 to 1.1.9, as tested) loads with "
            "allowed_objects='all', which langchain-core (1.4 to 1.8, as tested) expands to the "
            "classes in its own serialization mapping only, "
            "so no third-party chat model can load ('Deserialization of ... is not allowed'). "
            "test_serdes_with_explicit_allowlist runs every assertion with "
            "allowed_objects=[ChatAIMLAPI]."
        ),
    )
    @pytest.mark.filterwarnings("ignore::langchain_core._api.beta_decorator.LangChainBetaWarning")
    def test_serdes(self, model: BaseChatModel, snapshot: SnapshotAssertion) -> None:
        super().test_serdes(model, snapshot)

    @pytest.mark.filterwarnings("ignore::langchain_core._api.beta_decorator.LangChainBetaWarning")
    def test_serdes_with_explicit_allowlist(
        self, model: BaseChatModel, snapshot: SnapshotAssertion
    ) -> None:
        env_params, _, _ = self.init_from_env_params
        with mock.patch.dict(os.environ, env_params):
            ser = dumpd(model)
            assert ser == snapshot(name="serialized")
            assert "test" not in str(ser)  # the key given to the model is not serialized
            loaded = load(
                dumpd(model),
                valid_namespaces=model.get_lc_namespace()[:1],
                allowed_objects=[ChatAIMLAPI],
                secrets_from_env=True,
            )
        assert isinstance(loaded, ChatAIMLAPI)
        assert loaded.model_dump() == {**model.model_dump(), "api_key": loaded.api_key}
        assert loaded.api_key is not None
        assert loaded.api_key.get_secret_value() == "sk-from-env"


class TestChatCompletionsUnit(_Unit):
    api = "chat_completions"


class TestMessagesUnit(_Unit):
    api = "messages"


class _Integration(_Capabilities, ChatModelIntegrationTests):
    api: str
    emu: Emulator
    http: httpx.Client
    ahttp: httpx.AsyncClient

    @pytest.fixture(autouse=True)
    def _on_emulator(
        self,
        emulator: Emulator,
        emulator_api_key: str,
        local_suite_files: tuple[httpx.Client, httpx.AsyncClient],
    ) -> None:
        self.emu = emulator
        self.key = emulator_api_key
        self.http, self.ahttp = local_suite_files

    @property
    def chat_model_class(self) -> type[ChatAIMLAPI]:
        return ChatAIMLAPI

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {
            "model": "claude-sonnet-4-20250514",
            "api": self.api,
            "api_key": self.key,
            "base_url": self.emu.base_url,
            "http_client": self.http,
            "http_async_client": self.ahttp,
        }

    def _invoke(self, model: ChatAIMLAPI, prompt: Any, stream: bool) -> AIMessage:
        if not stream:
            return model.invoke(prompt)
        full: AIMessageChunk | None = None
        for chunk in model.stream(prompt):
            full = chunk if full is None else full + chunk
        assert full is not None
        return full


class TestChatCompletionsIntegration(_Integration):
    api = "chat_completions"

    @property
    def supports_pdf_tool_message(self) -> bool:
        # API limit: the /chat/completions Claude spec (docs/schemas/claude-4-sonnet.json) allows
        # only text and image parts inside a tool_result; the core refuses a document there before
        # any I/O (tested in tests/langchain/test_e2e_requests.py). /messages allows documents.
        return False

    @property
    def supported_usage_metadata_details(self) -> dict[Literal["invoke", "stream"], Details]:
        # /chat/completions carries completion_tokens_details.reasoning_tokens (docs/wire.md).
        return {"invoke": ["reasoning_output"], "stream": ["reasoning_output"]}

    def invoke_with_reasoning_output(self, *, stream: bool = False) -> AIMessage:
        model = self.chat_model_class(**{**self.chat_model_params, "thinking": 1024})
        return self._invoke(model, "Think, then say hi.", stream)

    @pytest.mark.xfail(
        strict=True,
        raises=UnsupportedContentError,
        reason=(
            "API limit: the suite's model, Claude Sonnet 4, has a /chat/completions schema "
            "(docs/schemas/claude-4-sonnet.json) that allows cache_control nowhere (system is a "
            "string; blocks have additionalProperties: false) and the suite's Anthropic-format "
            "conversation carries one. The core refuses it before any I/O, pointing at "
            "api='messages' and at a model whose chat schema allows it (the 5-series and -latest "
            "ids: tests/e2e/test_per_model_features.py), instead of silently dropping the cache "
            "hint; TestMessagesIntegration runs this test unchanged and passes."
        ),
    )
    def test_anthropic_inputs(self, model: BaseChatModel) -> None:
        super().test_anthropic_inputs(model)


class TestMessagesIntegration(_Integration):
    api = "messages"

    @property
    def supported_usage_metadata_details(self) -> dict[Literal["invoke", "stream"], Details]:
        # /messages usage carries cache_read_input_tokens / cache_creation_input_tokens.
        both: Details = ["cache_read_input", "cache_creation_input"]
        return {"invoke": both, "stream": both}

    def _cached_prompt(self) -> list[Any]:
        return [
            HumanMessage(
                [{"type": "text", "text": "context " * 600, "cache_control": {"type": "ephemeral"}}]
            )
        ]

    def invoke_with_cache_read_input(self, *, stream: bool = False) -> AIMessage:
        model = self.chat_model_class(**self.chat_model_params)
        return self._invoke(model, self._cached_prompt(), stream)

    def invoke_with_cache_creation_input(self, *, stream: bool = False) -> AIMessage:
        model = self.chat_model_class(**self.chat_model_params)
        return self._invoke(model, self._cached_prompt(), stream)
