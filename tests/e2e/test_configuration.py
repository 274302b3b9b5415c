"""Both adapters check their configuration at construction, with the same types and words.

ChatAnthropic and ChatOpenAI warn about unknown keywords; these two raise, before any request,
naming the field that was probably meant — and say how to pass an extra field on purpose.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from llama_index.core.llms import ChatMessage

from aimlapi_core.errors import InvalidRequestError, UnknownArgumentError
from aimlapi_emulator import Emulator
from langchain_aimlapi import ChatAIMLAPI
from llama_index_aimlapi import AIMLAPI

ADAPTERS = [ChatAIMLAPI, AIMLAPI]


@pytest.mark.parametrize("adapter", ADAPTERS)
@pytest.mark.parametrize(
    ("kwargs", "meant"),
    [
        ({"temprature": 0.2}, "temperature"),
        ({"max_token": 10}, "max_tokens"),
        ({"top_kk": 3}, "top_k"),
    ],
)
def test_a_misspelled_field_names_the_field_meant(
    adapter: type, kwargs: dict[str, Any], meant: str
) -> None:
    with pytest.raises(UnknownArgumentError, match=f"did you mean '{meant}'") as info:
        adapter(**kwargs)
    assert isinstance(info.value, TypeError)  # what Python raises for an unexpected keyword
    assert repr(next(iter(kwargs))) in str(info.value)


@pytest.mark.parametrize(
    ("adapter", "passthrough"), [(ChatAIMLAPI, "model_kwargs"), (AIMLAPI, "additional_kwargs")]
)
def test_a_foreign_field_points_at_the_explicit_passthrough(
    adapter: type, passthrough: str
) -> None:
    with pytest.raises(UnknownArgumentError, match=passthrough) as info:
        adapter(frequency_penalty=0.5)
    assert "did you mean" not in str(info.value)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"temperature": 2},
        {"top_p": -0.1},
        {"top_k": 0},
        {"max_tokens": 0},
        {"thinking": 100},
        {"thinking": 2048, "max_tokens": 1024},
        {"thinking": 2048, "temperature": 0.5},
        {"thinking": "lots"},
        {"thinking": {"type": "enable"}},
        {"timeout": 0},
        {"max_retries": -1},
        {"max_tokens": "many"},
    ],
)
def test_the_same_mistake_raises_the_same_error_in_both_adapters(kwargs: dict[str, Any]) -> None:
    messages = []
    for adapter in ADAPTERS:
        with pytest.raises(InvalidRequestError) as info:
            adapter(**kwargs)
        assert type(info.value) is InvalidRequestError
        messages.append(str(info.value).replace(adapter.__name__, "<adapter>"))
    assert messages[0] == messages[1]


def test_an_unknown_per_call_keyword_is_refused_in_both(emulator: Emulator) -> None:
    llm = ChatAIMLAPI(api_key=emulator.api_key, base_url=emulator.base_url)
    with pytest.raises(UnknownArgumentError, match=r"'temprature' .did you mean 'temperature'"):
        llm.invoke([HumanMessage("hi")], temprature=0.1)
    index_llm = AIMLAPI(api_key=emulator.api_key, base_url=emulator.base_url)
    with pytest.raises(UnknownArgumentError, match=r"'temprature' .did you mean 'temperature'"):
        index_llm.chat([ChatMessage(role="user", content="hi")], temprature=0.1)


def test_extra_fields_go_through_explicitly(fresh_emulator: Emulator) -> None:
    ChatAIMLAPI(
        api_key=fresh_emulator.api_key,
        base_url=fresh_emulator.base_url,
        model_kwargs={"metadata": {"user_id": "u1"}},
    ).invoke("hi")
    AIMLAPI(
        api_key=fresh_emulator.api_key,
        base_url=fresh_emulator.base_url,
        additional_kwargs={"metadata": {"user_id": "u2"}},
    ).complete("hi")
    sent = [r.json["metadata"] for r in fresh_emulator.requests]
    assert sent == [{"user_id": "u1"}, {"user_id": "u2"}]


def test_aliases_and_framework_fields_are_still_accepted() -> None:
    lc = ChatAIMLAPI(model_name="claude-3-5-haiku", stop_sequences=["END"], tags=["t"])
    assert (lc.model, lc.stop, lc.tags) == ("claude-3-5-haiku", ["END"], ["t"])
    li = AIMLAPI(model="claude-3-5-haiku", api_key="k", system_prompt="Be brief.")
    assert (li.model, li.system_prompt) == ("claude-3-5-haiku", "Be brief.")
