"""structured_predict / astructured_predict / stream_structured_predict / as_structured_llm,
with thinking off (forced tool choice) and on (no forced choice: the API refuses it)."""

from __future__ import annotations

import pytest
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.prompts import PromptTemplate
from pydantic import BaseModel

from aimlapi_emulator import Reply


class Ticket(BaseModel):
    """A ferry ticket."""

    destination: str
    price: int


PROMPT = PromptTemplate('Fill in the Ticket: destination "{place}", price {price} euros.')
WANT = Ticket(destination="Cray Island", price=14)


@pytest.fixture(params=[None, 1024], ids=["no_thinking", "thinking"])
def thinking(request: pytest.FixtureRequest) -> int | None:
    return request.param


def check_choice(sent: dict, thinking: int | None) -> None:
    assert [t["name"] for t in sent["tools"]] == ["Ticket"]
    if thinking is None:
        assert sent["tool_choice"] == {"type": "any", "disable_parallel_tool_use": True}
        assert "thinking" not in sent
    else:
        # Regression: a forced tool choice with thinking on is a 400 from the API.
        assert sent["tool_choice"]["type"] == "auto"
        assert sent["thinking"] == {"type": "enabled", "budget_tokens": 1024}
        assert "calling one of the provided tools" in str(sent["system"])


def test_structured_predict(llm_factory, emulator, thinking) -> None:
    llm = llm_factory(thinking=thinking)
    assert llm.structured_predict(Ticket, PROMPT, place="Cray Island", price=14) == WANT
    check_choice(emulator.requests[-1].json, thinking)


async def test_astructured_predict(llm_factory, emulator, thinking) -> None:
    llm = llm_factory(thinking=thinking)
    got = await llm.astructured_predict(Ticket, PROMPT, place="Cray Island", price=14)
    assert got == WANT
    check_choice(emulator.requests[-1].json, thinking)


def test_stream_structured_predict(llm_factory, emulator, thinking) -> None:
    llm = llm_factory(thinking=thinking)
    partials = list(llm.stream_structured_predict(Ticket, PROMPT, place="Cray Island", price=14))
    assert partials
    assert Ticket.model_validate(partials[-1].model_dump()) == WANT
    assert emulator.requests[-1].json["stream"] is True


async def test_astream_structured_predict(llm_factory, thinking) -> None:
    llm = llm_factory(thinking=thinking)
    stream = await llm.astream_structured_predict(Ticket, PROMPT, place="Cray Island", price=14)
    partials = [p async for p in stream]
    assert Ticket.model_validate(partials[-1].model_dump()) == WANT


# llama_index.core.llms.structured_llm.StructuredLLM.stream_chat calls pydantic's deprecated
# `.json()` on each partial object (llama-index-core 0.14.25, structured_llm.py:90): its warning,
# not ours, and an error under the suite's filterwarnings=error.
@pytest.mark.filterwarnings("ignore:The `json` method is deprecated")
def test_as_structured_llm(llm_factory, emulator, thinking) -> None:
    sllm = llm_factory(thinking=thinking).as_structured_llm(Ticket)
    message = ChatMessage(role="user", content='Ticket to "Cray Island" for 14 euros')
    response = sllm.chat([message])
    assert response.raw == WANT
    check_choice(emulator.requests[-1].json, thinking)
    streamed = list(sllm.stream_chat([message]))
    assert Ticket.model_validate(streamed[-1].raw.model_dump()) == WANT


def test_structured_predict_with_thinking_when_the_prompt_does_not_name_the_schema(
    llm_factory, emulator
) -> None:
    llm = llm_factory(thinking={"type": "enabled", "budget_tokens": 1024}, max_tokens=2048)
    prompt = PromptTemplate('Going to "{place}" costs {price} euros.')
    assert llm.structured_predict(Ticket, prompt, place="Cray Island", price=14) == WANT
    check_choice(emulator.requests[-1].json, 1024)


def test_llm_text_completion_program(llm_factory, emulator) -> None:
    from llama_index.core.program import LLMTextCompletionProgram

    program = LLMTextCompletionProgram.from_defaults(
        output_cls=Ticket,
        prompt_template_str='A ticket to "{place}" for {price} euros, please.',
        llm=llm_factory(),
    )
    assert program(place="Cray Island", price=14) == WANT
    sent = emulator.requests[-1].json
    assert "tools" not in sent  # parsed from the text answer, not a tool call
    assert "JSON schema" in sent["messages"][0]["content"]


def _lazy_model(request) -> Reply:
    """A model that calls the output tool only when told to: a forced choice, or (with thinking
    on, where the API refuses one) the instruction to call a tool. Otherwise it chats."""
    body = request.json
    forced = (body.get("tool_choice") or {}).get("type") in ("any", "tool")
    told = "calling one of the provided tools" in str(body.get("system", ""))
    if forced or told:
        return Reply(tool_calls=[{"name": "Ticket", "input": WANT.model_dump()}])
    return Reply(text="Happy to help with your ferry trip!")


# The streamed structured paths once did not force the tool as the whole path
# does, so a model that chats instead yielded empty objects without any error.
def test_stream_structured_predict_forces_the_tool_like_the_whole_path(
    llm_factory, emulator, thinking
) -> None:
    emulator.set_replies(_lazy_model)
    llm = llm_factory(thinking=thinking)
    partials = list(llm.stream_structured_predict(Ticket, PROMPT, place="Cray Island", price=14))
    assert Ticket.model_validate(partials[-1].model_dump()) == WANT
    assert emulator.requests[-1].json["stream"] is True
    check_choice(emulator.requests[-1].json, thinking)


async def test_astream_structured_predict_forces_the_tool_like_the_whole_path(
    llm_factory, emulator, thinking
) -> None:
    emulator.set_replies(_lazy_model)
    llm = llm_factory(thinking=thinking)
    stream = await llm.astream_structured_predict(Ticket, PROMPT, place="Cray Island", price=14)
    partials = [p async for p in stream]
    assert Ticket.model_validate(partials[-1].model_dump()) == WANT
    check_choice(emulator.requests[-1].json, thinking)


@pytest.mark.filterwarnings("ignore:The `json` method is deprecated")
def test_as_structured_llm_stream_chat_forces_the_tool(llm_factory, emulator, thinking) -> None:
    emulator.set_replies(_lazy_model)
    sllm = llm_factory(thinking=thinking).as_structured_llm(Ticket)
    message = ChatMessage(role="user", content='Ticket to "Cray Island" for 14 euros')
    streamed = list(sllm.stream_chat([message]))
    assert Ticket.model_validate(streamed[-1].raw.model_dump()) == WANT
    check_choice(emulator.requests[-1].json, thinking)
