"""The ``prompt_caching`` setting on both models: checked at construction with the same words,
kept through pickling and each framework's serialization, and sent the same way after."""

from __future__ import annotations

import pickle
import subprocess
import sys
from typing import Any

import pytest
from langchain_core.load import dumpd, load
from llama_index.core.llms import ChatMessage

from aimlapi_core.errors import InvalidRequestError, UnknownArgumentError
from aimlapi_emulator import Emulator
from langchain_aimlapi import ChatAIMLAPI
from llama_index_aimlapi import AIMLAPI

SETTING = {"type": "auto", "ttl": "1h", "unsupported_model_behavior": "raise"}
LONG = "Answer in the house style, with the rules below. " * 200


@pytest.mark.parametrize("cls", [ChatAIMLAPI, AIMLAPI])
@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("on", "prompt_caching must be None, 'auto'"),
        ({"type": "auto", "ttl": "2h"}, "ttl must be '5m' or '1h'"),
    ],
)
def test_refused_at_construction_with_one_wording(cls: type, value: object, words: str) -> None:
    with pytest.raises(InvalidRequestError, match=words):
        cls(api_key="k", prompt_caching=value)


@pytest.mark.parametrize("cls", [ChatAIMLAPI, AIMLAPI])
def test_a_misspelling_names_the_field(cls: type) -> None:
    with pytest.raises(UnknownArgumentError, match="did you mean 'prompt_caching'"):
        cls(api_key="k", prompt_cashing="auto")


def made(cls: type, emu: Emulator) -> Any:
    return cls(api_key=emu.api_key, base_url=emu.base_url, api="messages", prompt_caching=SETTING)


def sent_hint(emu: Emulator) -> dict[str, str]:
    return emu.last_request.json["system"][0]["cache_control"]


@pytest.mark.filterwarnings("ignore::langchain_core._api.beta_decorator.LangChainBetaWarning")
def test_langchain_model_keeps_it_through_pickle_and_dumpd(fresh_emulator: Emulator) -> None:
    llm = made(ChatAIMLAPI, fresh_emulator)
    again = pickle.loads(pickle.dumps(llm))
    loaded = load(
        dumpd(llm),
        valid_namespaces=["langchain_aimlapi"],
        allowed_objects=[ChatAIMLAPI],
        secrets_map={"AIMLAPI_API_KEY": fresh_emulator.api_key},
    )
    assert again.prompt_caching == loaded.prompt_caching == SETTING
    again.invoke([("system", LONG), ("user", "Hi")])
    assert sent_hint(fresh_emulator) == {"type": "ephemeral", "ttl": "1h"}
    for model in (llm, again, loaded):
        model.close()


def test_llama_index_model_keeps_it_through_pickle_and_to_dict(fresh_emulator: Emulator) -> None:
    llm = made(AIMLAPI, fresh_emulator)
    again = pickle.loads(pickle.dumps(llm))
    assert again.prompt_caching == llm.to_dict()["prompt_caching"] == SETTING
    again.chat([ChatMessage(role="system", content=LONG), ChatMessage(role="user", content="Hi")])
    assert sent_hint(fresh_emulator) == {"type": "ephemeral", "ttl": "1h"}
    llm.close()
    again.close()


def test_importing_the_package_does_not_load_langchain() -> None:
    # The middleware needs `langchain` (the agents extra); a chat model alone must not.
    code = (
        "import sys, langchain_aimlapi\n"
        "assert 'langchain' not in sys.modules, 'langchain loaded'\n"
        "from langchain_aimlapi.middleware import AIMLAPIPromptCachingMiddleware\n"
        "assert 'langchain.agents' in sys.modules\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.stdout.strip() == "ok", result.stderr
