"""The key in nothing the adapters hand to a framework (the adapters' side of the secrets sweep):
LangChain's dumpd/dumps, LangSmith params, callback payloads; LlamaIndex's to_dict/to_json,
every instrumentation event and callback payload. The model is used first (whole, streamed,
with tools), so the core clients exist while everything is captured."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.load import dumpd, dumps
from langchain_core.tools import tool
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.callbacks import CallbackManager
from llama_index.core.callbacks.base_handler import BaseCallbackHandler as LlamaCallbackHandler
from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.events import BaseEvent

from langchain_aimlapi import ChatAIMLAPI
from llama_index_aimlapi import AIMLAPI

APIS = ["chat_completions", "messages"]


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return "sunny"


class Capture(BaseCallbackHandler):
    """Every LangChain callback's arguments, as text."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def _keep(self, *args: Any, **kwargs: Any) -> None:
        self.seen.append(repr(args) + repr(kwargs))

    on_chat_model_start = on_llm_start = on_llm_new_token = on_llm_end = _keep  # type: ignore[assignment]
    on_llm_error = on_chain_start = on_chain_end = _keep  # type: ignore[assignment]


@pytest.mark.parametrize("api", APIS)
def test_langchain_key_in_no_serialization_param_or_callback(
    emulator, emulator_api_key, api
) -> None:
    capture = Capture()
    llm = ChatAIMLAPI(
        api=api, api_key=emulator_api_key, base_url=emulator.base_url, callbacks=[capture]
    )
    try:
        llm.invoke("hello")
        list(llm.stream("hello"))
        llm.bind_tools([get_weather]).invoke("weather in Oslo?")
        texts = [
            dumps(llm),
            repr(dumpd(llm)),
            repr(llm),
            str(llm),
            repr(llm._get_ls_params()),
            repr(llm._identifying_params),
            repr(llm.asdict()) if hasattr(llm, "asdict") else "",
            repr(llm.model_dump()),
            repr(llm.to_json()),
            *capture.seen,
        ]
    finally:
        llm.close()
    assert len(capture.seen) >= 6  # start/end of three calls, plus tokens
    assert any("invocation_params" in s for s in capture.seen)
    assert any("hello" in s for s in capture.seen)  # the capture sees what was sent
    leaks = [text[:80] for text in texts if emulator_api_key in text]
    assert leaks == []


class EventCapture(BaseEventHandler):
    events: list[BaseEvent] = []

    @classmethod
    def class_name(cls) -> str:
        return "EventCapture"

    def handle(self, event: BaseEvent, **kwargs: Any) -> None:
        self.events.append(event)


class PayloadCapture(LlamaCallbackHandler):
    def __init__(self) -> None:
        super().__init__(event_starts_to_ignore=[], event_ends_to_ignore=[])
        self.payloads: list[str] = []

    def on_event_start(self, event_type, payload=None, event_id="", parent_id="", **kw):  # type: ignore[no-untyped-def]
        self.payloads.append(repr(payload))
        return event_id

    def on_event_end(self, event_type, payload=None, event_id="", **kw):  # type: ignore[no-untyped-def]
        self.payloads.append(repr(payload))

    def start_trace(self, trace_id=None) -> None:  # type: ignore[no-untyped-def]
        pass

    def end_trace(self, trace_id=None, trace_map=None) -> None:  # type: ignore[no-untyped-def]
        pass


@pytest.mark.parametrize("api", APIS)
async def test_llama_index_key_in_no_serialization_event_or_callback_payload(
    emulator, emulator_api_key, api
) -> None:
    events = EventCapture(events=[])
    root = get_dispatcher()
    root.add_event_handler(events)
    payloads = PayloadCapture()
    llm = AIMLAPI(
        api=api,
        api_key=emulator_api_key,
        base_url=emulator.base_url,
        callback_manager=CallbackManager([payloads]),
    )
    try:
        llm.complete("hello")
        list(llm.stream_chat([ChatMessage(content="hello")]))
        await llm.achat([ChatMessage(content="hello")])
        texts = [
            llm.to_json(),
            repr(llm.to_dict()),
            repr(llm),
            str(llm),
            repr(llm.model_dump()),
            *(repr(e) + repr(e.model_dump()) for e in events.events),
            *payloads.payloads,
        ]
    finally:
        root.event_handlers.remove(events)
        llm.close()
        await llm.aclose()
    assert len(events.events) >= 6
    assert len(payloads.payloads) >= 6
    assert any("hello" in text for text in texts[5:])  # the captures see what was sent
    leaks = [text[:80] for text in texts if emulator_api_key in text]
    assert leaks == []
