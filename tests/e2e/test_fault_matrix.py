"""The fault matrix: every fault × the 12 call surfaces × both dialects (embeddings and batches:
test_fault_matrix_batches_embeddings.py).

The emulator misbehaves one way per row (its fault plan, `aimlapi_emulator/_faults.py`): error
statuses with and without `Retry-After`, a wrapped upstream 400, error bodies with a 2xx status,
`finish_reason: "error"` next to `choices`, wrong-shaped JSON, an HTML page echoing the request's
Authorization header, a gzip label on a plain body, invalid UTF-8, cut and malformed streams,
SSE error events. Each surface either returns exactly the answer it returns without the fault
(no silent mismatch: the streamed deltas and the final text both equal the baseline) or raises
the expected error of the library's family — never anything else — and the key is in no error.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import pytest_asyncio
from langchain_core.messages import HumanMessage
from llama_index.core.llms import ChatMessage
from matrix_support import key_in

from aimlapi_core import (
    AIMLAPIClient,
    AsyncAIMLAPIClient,
    ChatRequest,
    Message,
    TextDelta,
    TextPart,
)
from aimlapi_core.errors import (
    AIMLAPIError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    RateLimitError,
    ResponseValidationError,
    StreamError,
)
from aimlapi_emulator import Emulator, Fault
from langchain_aimlapi import ChatAIMLAPI
from llama_index_aimlapi import AIMLAPI

KEY = "sk-matrix-secret-7c6b5a4f3e2d1c0b"
PROMPT = "Say hello to the fault matrix."
OK = "ok"
FAST = 0.01  # Retry-After of the retried faults: retries without slowing the suite


@dataclass
class Row:
    name: str
    fault: dict[str, Any]
    whole: Any  # OK or the expected error class for create/invoke/chat
    stream: Any  # ... for the streaming surfaces
    apis: tuple[str, ...] = ("chat_completions", "messages")
    max_requests: int | None = None  # e.g. 1: raised at once, never retried
    extra: list[dict[str, Any]] = field(default_factory=list)


def _cc_event(obj: Any) -> str:
    return "data: " + json.dumps(obj)


def _msg_event(obj: dict[str, Any]) -> str:
    return f"event: {obj['type']}\ndata: " + json.dumps(obj)


HTML = "<html><body><pre>Authorization: %AUTHORIZATION%</pre></body></html>"
ERROR = {"message": "upstream provider disconnected", "type": "api_error"}

ROWS: list[Row] = [
    # --- statuses
    Row("429 once, Retry-After honoured", {"status": 429, "retry_after": FAST}, OK, OK),
    Row(
        "503 problem+json once", {"status": 503, "envelope": "problem", "retry_after": FAST}, OK, OK
    ),
    Row(
        "500 three times",
        {"status": 500, "times": 3, "retry_after": FAST},
        InternalServerError,
        InternalServerError,
        max_requests=3,
    ),
    Row(
        "upstream 400 wrapped in 500",
        {"upstream_400": True},
        BadRequestError,
        BadRequestError,
        max_requests=1,
    ),
    Row(
        "429 Retry-After 120 (over the cap)",
        {"status": 429, "retry_after": 120},
        RateLimitError,
        RateLimitError,
        max_requests=1,
    ),
    Row(
        "401 echoing the key",
        {"status": 401, "message": f"Invalid key {KEY}"},
        AuthenticationError,
        AuthenticationError,
        max_requests=1,
    ),
    # --- whole bodies
    Row(
        "malformed JSON", {"malformed_json": True}, ResponseValidationError, ResponseValidationError
    ),
    Row("2xx error envelope", {"body": json.dumps({"error": ERROR})}, InternalServerError, OK),
    Row(
        "2xx html echoing the key",
        {"body": HTML, "content_type": "text/html"},
        ResponseValidationError,
        OK,
    ),
    Row(
        "gzip label on a plain body",
        {"content_encoding": "gzip"},
        ResponseValidationError,
        ResponseValidationError,
    ),
    Row(
        "finish_reason error next to choices (whole)",
        {
            "body": json.dumps(
                {
                    "id": "x",
                    "choices": [
                        {"index": 0, "finish_reason": "error", "message": {"content": "Half"}}
                    ],
                    "error": ERROR,
                }
            )
        },
        InternalServerError,
        OK,
        apis=("chat_completions",),
    ),
    Row(
        "stop_reason error next to content (whole)",
        {
            "body": json.dumps(
                {
                    "type": "message",
                    "content": [{"type": "text", "text": "Half"}],
                    "stop_reason": "error",
                    "error": ERROR,
                }
            )
        },
        InternalServerError,
        OK,
        apis=("messages",),
    ),
    Row(
        "choices [[1]]",
        {"body": '{"choices": [[1]]}'},
        ResponseValidationError,
        OK,
        apis=("chat_completions",),
    ),
    Row(
        "choices as an object",
        {"body": '{"choices": {"0": {}}}'},
        ResponseValidationError,
        OK,
        apis=("chat_completions",),
    ),
    Row(
        "usage 7",
        {
            "body": json.dumps(
                {
                    "id": "x",
                    "choices": [
                        {"index": 0, "finish_reason": "stop", "message": {"content": "hi"}}
                    ],
                    "usage": 7,
                }
            )
        },
        ResponseValidationError,
        OK,
        apis=("chat_completions",),
    ),
    Row(
        "non-string text block",
        {
            "body": json.dumps(
                {
                    "type": "message",
                    "content": [{"type": "text", "text": 5}],
                    "stop_reason": "end_turn",
                }
            )
        },
        ResponseValidationError,
        OK,
        apis=("messages",),
    ),
    Row(
        "invalid UTF-8 (whole)",
        {
            "body": (
                '{"id":"x","choices":[{"index":0,"finish_reason":"stop",'
                '"message":{"content":"caf\udcff"}}]}'
            )
        },
        ResponseValidationError,
        OK,
        apis=("chat_completions",),
    ),
    # --- streams
    Row("stream cut after 2 events", {"cut_after": 2}, OK, StreamError),
    Row("legacy wrapped stream", {"legacy_stream": True}, OK, OK, apis=("chat_completions",)),
    Row("[DONE] marker", {"done_marker": True}, OK, OK, apis=("chat_completions",)),
    Row(
        "chunk with finish_reason error and an error object",
        {
            "stream_events": [
                _cc_event(
                    {
                        "choices": [{"index": 0, "delta": {}, "finish_reason": "error"}],
                        "error": ERROR,
                    }
                )
            ]
        },
        OK,
        StreamError,
        apis=("chat_completions",),
    ),
    Row(
        "message_delta with stop_reason error",
        {
            "stream_events": [
                _msg_event(
                    {"type": "message_delta", "delta": {"stop_reason": "error"}, "error": ERROR}
                )
            ]
        },
        OK,
        StreamError,
        apis=("messages",),
    ),
    Row(
        "chunk choices [[1]]",
        {"stream_events": [_cc_event({"choices": [[1]]})]},
        OK,
        ResponseValidationError,
        apis=("chat_completions",),
    ),
    Row(
        "chunk usage 7",
        {"stream_events": [_cc_event({"usage": 7})]},
        OK,
        ResponseValidationError,
        apis=("chat_completions",),
    ),
    Row(
        "chunk tool call with a list index",
        {
            "stream_events": [
                _cc_event({"choices": [{"index": 0, "delta": {"tool_calls": [{"index": [1]}]}}]})
            ]
        },
        OK,
        ResponseValidationError,
        apis=("chat_completions",),
    ),
    Row(
        "message_start with a list",
        {
            "stream_events": [_msg_event({"type": "message_start", "message": [1]})],
            "stream_after": 0,
        },
        OK,
        ResponseValidationError,
        apis=("messages",),
    ),
    Row(
        "content_block_delta with a list index",
        {
            "stream_events": [
                _msg_event(
                    {
                        "type": "content_block_delta",
                        "index": [0],
                        "delta": {"type": "text_delta", "text": "x"},
                    }
                )
            ],
            "stream_after": 2,
        },
        OK,
        ResponseValidationError,
        apis=("messages",),
    ),
    Row(
        "SSE error event (overloaded)",
        {
            "stream_events": [
                _msg_event(
                    {
                        "type": "error",
                        "error": {"type": "overloaded_error", "message": "Overloaded"},
                    }
                )
            ],
            "stream_after": 2,
        },
        OK,
        StreamError,
    ),
    Row(
        "SSE event echoing the key",
        {"stream_events": ['event: error\ndata: {"error":{"message":"bad %AUTHORIZATION%"}}']},
        OK,
        StreamError,
    ),
    Row(
        "invalid UTF-8 in a delta",
        {"stream_events": ['data: {"choices":[{"index":0,"delta":{"content":"caf\udcff"}}]}']},
        OK,
        ResponseValidationError,
        apis=("chat_completions",),
    ),
    Row(
        "invalid UTF-8 in a text_delta",
        {
            "stream_events": [
                (
                    'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,'
                    '"delta":{"type":"text_delta","text":"caf\udcff"}}'
                )
            ],
            "stream_after": 2,
        },
        OK,
        ResponseValidationError,
        apis=("messages",),
    ),
    Row(
        "stream answered with an HTML page",
        {"stream_events": [HTML], "stream_after": 0, "content_type": "text/html"},
        OK,
        # What a whole answer's web page raises too: "the base URL may be wrong" (_web_page.py).
        ResponseValidationError,
    ),
]


# --------------------------------------------------------------------------- the 12 surfaces


def _req() -> ChatRequest:
    return ChatRequest(
        model="claude-sonnet-4-20250514",
        max_tokens=64,
        messages=[Message(role="user", parts=[TextPart(text=PROMPT)])],
    )


Outcome = tuple[str, str]  # (final text, streamed deltas joined; == final for whole surfaces)


class Models:
    """One client / model per (kind, dialect), reused by every row: building an httpx client
    (its TLS context) costs ~0.1 s, far more than a call to the emulator."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.made: dict[tuple[str, str], Any] = {}

    def get(self, kind: str, api: str) -> Any:
        if (kind, api) not in self.made:
            base = self.emu.base_url
            make: dict[str, Callable[[], Any]] = {
                "core": lambda: AIMLAPIClient(api_key=KEY, base_url=base, api=api),
                "acore": lambda: AsyncAIMLAPIClient(api_key=KEY, base_url=base, api=api),
                "lc": lambda: ChatAIMLAPI(api_key=KEY, base_url=base, api=api, max_tokens=64),
                "li": lambda: AIMLAPI(api_key=KEY, base_url=base, api=api, max_tokens=64),
            }
            self.made[kind, api] = make[kind]()
        return self.made[kind, api]

    async def close(self) -> None:
        for (kind, _), obj in self.made.items():
            if kind == "acore":
                await obj.close()
            elif kind in ("lc", "li"):
                obj.close()
                await obj.aclose()
            else:
                obj.close()


def core_create(m: Models, api: str) -> Outcome:
    text = m.get("core", api).create(_req()).text
    return text, text


def core_stream(m: Models, api: str) -> Outcome:
    with m.get("core", api).stream(_req()) as stream:
        deltas = "".join(e.text for e in stream if isinstance(e, TextDelta))
        return stream.get_final_result().text, deltas


async def core_acreate(m: Models, api: str) -> Outcome:
    text = (await m.get("acore", api).create(_req())).text
    return text, text


async def core_astream(m: Models, api: str) -> Outcome:
    async with m.get("acore", api).stream(_req()) as stream:
        deltas = "".join([e.text async for e in stream if isinstance(e, TextDelta)])
        return (await stream.get_final_result()).text, deltas


def lc_invoke(m: Models, api: str) -> Outcome:
    text = m.get("lc", api).invoke([HumanMessage(PROMPT)]).text
    return text, text


def lc_stream(m: Models, api: str) -> Outcome:
    joined = "".join(c.text for c in m.get("lc", api).stream([HumanMessage(PROMPT)]))
    return joined, joined


async def lc_ainvoke(m: Models, api: str) -> Outcome:
    text = (await m.get("lc", api).ainvoke([HumanMessage(PROMPT)])).text
    return text, text


async def lc_astream(m: Models, api: str) -> Outcome:
    chunks = [c async for c in m.get("lc", api).astream([HumanMessage(PROMPT)])]
    joined = "".join(c.text for c in chunks)
    return joined, joined


def li_chat(m: Models, api: str) -> Outcome:
    text = m.get("li", api).chat([ChatMessage(role="user", content=PROMPT)]).message.content or ""
    return text, text


def li_stream_chat(m: Models, api: str) -> Outcome:
    responses = list(m.get("li", api).stream_chat([ChatMessage(role="user", content=PROMPT)]))
    deltas = "".join(r.delta or "" for r in responses)
    return (responses[-1].message.content or "") if responses else "", deltas


async def li_achat(m: Models, api: str) -> Outcome:
    response = await m.get("li", api).achat([ChatMessage(role="user", content=PROMPT)])
    text = response.message.content or ""
    return text, text


async def li_astream_chat(m: Models, api: str) -> Outcome:
    gen = await m.get("li", api).astream_chat([ChatMessage(role="user", content=PROMPT)])
    responses = [r async for r in gen]
    deltas = "".join(r.delta or "" for r in responses)
    return (responses[-1].message.content or "") if responses else "", deltas


Surface = Callable[[Models, str], "Outcome | Awaitable[Outcome]"]
SURFACES: dict[str, tuple[Surface, bool]] = {  # name -> (run, streams)
    "core.create": (core_create, False),
    "core.stream": (core_stream, True),
    "core.acreate": (core_acreate, False),
    "core.astream": (core_astream, True),
    "ChatAIMLAPI.invoke": (lc_invoke, False),
    "ChatAIMLAPI.stream": (lc_stream, True),
    "ChatAIMLAPI.ainvoke": (lc_ainvoke, False),
    "ChatAIMLAPI.astream": (lc_astream, True),
    "AIMLAPI.chat": (li_chat, False),
    "AIMLAPI.stream_chat": (li_stream_chat, True),
    "AIMLAPI.achat": (li_achat, False),
    "AIMLAPI.astream_chat": (li_astream_chat, True),
}


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(api_key=KEY) as emulator:
        yield emulator


# Fresh models (and pools) for each row, in that row's own event loop: a module-scoped loop
# is not handled alike by every pytest-asyncio the test extra allows (0.24 refuses it here).
@pytest_asyncio.fixture
async def models(emu: Emulator) -> AsyncIterator[Models]:
    made = Models(emu)
    yield made
    await made.close()


BASELINES: dict[tuple[str, str], Outcome] = {}


async def run(surface: Surface, models: Models, api: str) -> Outcome:
    outcome = surface(models, api)
    if not isinstance(outcome, tuple):
        outcome = await outcome
    return outcome


def _key_in(exc: BaseException) -> bool:
    return key_in(exc, KEY)


CASES = [(row, api) for row in ROWS for api in row.apis]


@pytest.mark.parametrize(("row", "api"), CASES, ids=[f"{api}-{row.name}" for row, api in CASES])
async def test_fault_matrix(row: Row, api: str, emu: Emulator, models: Models) -> None:
    path = "/chat/completions" if api == "chat_completions" else "/messages"
    problems: list[str] = []
    for name, (surface, streams) in SURFACES.items():
        emu.clear_faults()
        if (name, api) not in BASELINES:  # the same call without a fault
            BASELINES[name, api] = await run(surface, models, api)
        baseline = BASELINES[name, api]
        assert baseline[0]
        assert baseline[0] == baseline[1], (name, baseline)
        emu.clear_requests()
        emu.add_fault(Fault(path=path, **row.fault))
        expected = row.stream if streams else row.whole
        try:
            outcome = await run(surface, models, api)
        except AIMLAPIError as exc:
            if expected is OK or not isinstance(exc, expected):
                problems.append(f"{name}: raised {type(exc).__name__}: {exc}; expected {expected}")
            if _key_in(exc):
                problems.append(f"{name}: the key is in the error")
        except Exception as exc:  # outside the family: the defect this matrix exists for
            problems.append(f"{name}: raised {type(exc).__name__} outside the family: {exc!r}")
        else:
            if expected is not OK:
                problems.append(f"{name}: returned {outcome!r}; expected {expected.__name__}")
            elif outcome != baseline:
                problems.append(f"{name}: silent mismatch {outcome!r} != {baseline!r}")
        posts = [r for r in emu.requests if r.method == "POST"]
        if row.max_requests is not None and len(posts) > row.max_requests:
            problems.append(f"{name}: {len(posts)} requests, at most {row.max_requests} expected")
    emu.clear_faults()
    assert problems == []
