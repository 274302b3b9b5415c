"""The key in nothing the adapters hand to a framework (the adapters' side of the secrets sweep):
LangChain's dumpd/dumps, LangSmith params, callback payloads; LlamaIndex's to_dict/to_json,
every instrumentation event and callback payload. The model is used first (whole, streamed,
with tools), so the core clients exist while everything is captured."""

from __future__ import annotations

import json
import traceback
from typing import Any

import httpx
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

from aimlapi_core.errors import AIMLAPIError
from aimlapi_emulator import Emulator
from langchain_aimlapi import AIMLAPIEmbeddings, ChatAIMLAPI
from llama_index_aimlapi import AIMLAPI, AIMLAPIEmbedding

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


# --------------------------------------------------------------------------- batch results

BATCH_KEY = "sk-adapter-batch-secret-9a8b7c6d5e"
ECHO_RESULTS = b"".join(
    json.dumps(line).encode() + b"\n"
    for line in [
        {
            "custom_id": "0",
            "result": {
                "type": "errored",
                "error": {
                    "type": "error",
                    "error": {"type": "invalid_request_error", "message": f"bad {BATCH_KEY}"},
                },
            },
        },
        {"custom_id": "1", "result": {"type": f"unknown {BATCH_KEY}"}},
    ]
)


def _echoing(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=ECHO_RESULTS)


def _shown(exc: BaseException) -> str:
    return str(exc) + repr(exc) + repr(vars(exc)) + "".join(traceback.format_exception(exc))


async def test_batch_result_errors_carry_no_key_in_slots_or_raised() -> None:
    lc = ChatAIMLAPI(
        api_key=BATCH_KEY,
        http_client=httpx.Client(transport=httpx.MockTransport(_echoing)),
        http_async_client=httpx.AsyncClient(transport=httpx.MockTransport(_echoing)),
    )
    li = AIMLAPI(
        api_key=BATCH_KEY,
        http_client=httpx.Client(transport=httpx.MockTransport(_echoing)),
        async_http_client=httpx.AsyncClient(transport=httpx.MockTransport(_echoing)),
    )
    for llm in (lc, li):
        slots = llm.batch_resume("b1").results(return_exceptions=True)
        aslots = await llm.batch_resume("b1").aresults(return_exceptions=True)
        for slot in [*slots, *aslots]:
            assert isinstance(slot, AIMLAPIError)
            assert BATCH_KEY not in _shown(slot)
        with pytest.raises(AIMLAPIError) as raised:
            llm.batch_resume("b1").results()
        assert BATCH_KEY not in _shown(raised.value)


# --------------------------------------------------------------------------- default_headers

HEADER_SECRETS = {
    "Authorization": "Bearer sk-proxy-credential-0a1b2c3d4e",
    "proxy-authorization": "Basic cHJveHktdXNlcjpodW50ZXIy",
    "Cookie": "session=cookie-secret-5f6e7d8c",
    "X-Api-Key": "xkey-secret-9d8c7b6a",
    "x-goog-api-key": "goog-secret-1234abcd",
    "X-Upstream-Token": "token-secret-4321dcba",
}
VISIBLE = {"X-Trace": "trace-visible-42"}


def _langchain_texts(model: Any, capture: Capture) -> list[str]:
    return [
        dumps(model),
        repr(dumpd(model)),
        repr(model),
        model.model_dump_json(),
        repr(model.model_dump()),
        repr(model.to_json()),
        *capture.seen,
    ]


def test_langchain_models_never_serialize_a_secret_looking_header() -> None:
    headers = {**HEADER_SECRETS, **VISIBLE}
    capture = Capture()
    with Emulator() as emulator:  # any key: the header's Authorization is what it sees
        chat = ChatAIMLAPI(
            api_key="sk-langchain-header-test-0",
            base_url=emulator.base_url,
            default_headers=headers,
            callbacks=[capture],
        )
        embeddings = AIMLAPIEmbeddings(
            api_key="sk-langchain-header-test-0",
            base_url=emulator.base_url,
            default_headers=headers,
        )
        chat.invoke("hello")  # the callbacks get `serialized`: what tracers upload
        sent = emulator.last_request
    assert sent is not None
    assert sent.headers.get("x-trace") == VISIBLE["X-Trace"]
    assert any("serialized" in seen or "'kwargs'" in seen for seen in capture.seen)
    texts = _langchain_texts(chat, capture) + _langchain_texts(embeddings, Capture())
    leaks = [(name, t[:60]) for t in texts for name, v in HEADER_SECRETS.items() if v in t]
    assert leaks == []
    assert all(VISIBLE["X-Trace"] in t for t in texts[:2])  # the rest is kept
    assert chat.default_headers == headers  # the model itself still sends them
    chat.close()


def test_llama_index_models_never_serialize_a_secret_looking_header() -> None:
    headers = {**HEADER_SECRETS, **VISIBLE}
    for model in (
        AIMLAPI(api_key="sk-unused-llama-key-0", default_headers=headers),
        AIMLAPIEmbedding(api_key="sk-unused-llama-key-0", default_headers=headers),
    ):
        texts = [model.to_json(), repr(model.to_dict()), model.model_dump_json(), repr(model)]
        leaks = [(name, t[:60]) for t in texts for name, v in HEADER_SECRETS.items() if v in t]
        assert leaks == []
        assert VISIBLE["X-Trace"] in texts[0]


def test_an_error_echoing_request_headers_hides_a_key_given_only_in_default_headers() -> None:
    from aimlapi_core import AIMLAPIClient

    real = HEADER_SECRETS["Authorization"]

    def echo(request: httpx.Request) -> httpx.Response:
        shown = "; ".join(f"{k}: {v}" for k, v in request.headers.items())
        return httpx.Response(401, text=f"<pre>{shown}</pre>", headers={"x-echo": shown})

    client = AIMLAPIClient(
        api_key="placeholder",  # the credential a proxy checks is the header's
        default_headers=HEADER_SECRETS,
        http_client=httpx.Client(transport=httpx.MockTransport(echo)),
        max_retries=0,
    )
    with pytest.raises(AIMLAPIError) as caught:
        client.list_models()  # no api key sent: only the default headers
    with pytest.raises(AIMLAPIError) as caught_chat:
        ChatAIMLAPI(
            api_key="placeholder",
            default_headers=HEADER_SECRETS,
            http_client=httpx.Client(transport=httpx.MockTransport(echo)),
            max_retries=0,
        ).invoke("hi")
    for error in (caught.value, caught_chat.value):
        shown = _shown(error)
        assert [n for n, v in HEADER_SECRETS.items() if v in shown] == []
        assert real.split()[1] not in shown
