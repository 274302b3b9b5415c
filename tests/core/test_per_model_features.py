"""The per-model features on the wire: adaptive thinking, caching on chat, server tools,
citations, search results and raw blocks — what is sent, refused before I/O, and read back
(whole and streamed alike)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from aimlapi_core import (
    AIMLAPIClient,
    ChatRequest,
    Message,
    RawPart,
    ServerToolCallPart,
    ServerToolResultPart,
    ServerToolSpec,
    TextPart,
    ThinkingPart,
)
from aimlapi_core import _rules as rules
from aimlapi_core._accumulate import accumulate, events_of
from aimlapi_core._sse import SSEDecoder
from aimlapi_core.errors import InvalidRequestError, UnsupportedContentError
from aimlapi_core.wire import get_dialect

FIVE = ["anthropic/claude-sonnet-5", "anthropic/claude-opus-5"]
FOUR = "anthropic/claude-sonnet-4.5"
WEB_SEARCH = ServerToolSpec(type="web_search_20250305", name="web_search", options={"max_uses": 3})


def request(model: str, **kw: Any) -> ChatRequest:
    return ChatRequest(
        model=model,
        max_tokens=2048,
        messages=[Message(role="user", parts=[TextPart(text="Hi")])],
        **kw,
    )


def sent(api: str, req: ChatRequest) -> list[dict[str, Any]]:
    """Bodies that reached the transport (none when refused before I/O)."""
    bodies: list[dict[str, Any]] = []

    def handler(r: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(r.content))
        return httpx.Response(200, json={"error": "x"})

    client = AIMLAPIClient(
        api_key="k",
        base_url="http://t/v1",
        api=api,
        max_retries=0,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    try:
        client.create(req)
    except (InvalidRequestError, UnsupportedContentError):
        raise
    except Exception:
        pass
    return bodies


# --------------------------------------------------------------------------- adaptive thinking


@pytest.mark.parametrize("api", ["chat_completions", "messages"])
@pytest.mark.parametrize("model", FIVE)
def test_adaptive_thinking_is_sent_for_five_series(api: str, model: str) -> None:
    (body,) = sent(api, request(model, adaptive_thinking=True, thinking_display="omitted"))
    assert body["thinking"] == {"type": "adaptive", "display": "omitted"}


def test_adaptive_thinking_is_refused_before_io_on_4x_chat() -> None:
    with pytest.raises(InvalidRequestError) as info:
        sent("chat_completions", request(FOUR, adaptive_thinking=True))
    text = str(info.value)
    assert "adaptive thinking" in text
    assert FOUR in text
    assert "api='messages'" in text  # its /messages schema allows it


def test_adaptive_thinking_is_sent_for_4x_on_messages() -> None:
    (body,) = sent("messages", request(FOUR, adaptive_thinking=True))
    assert body["thinking"] == {"type": "adaptive"}


def test_adaptive_and_budget_together_are_refused() -> None:
    with pytest.raises(InvalidRequestError, match="not both"):
        sent("messages", request(FIVE[0], adaptive_thinking=True, thinking_budget=1024))


def test_adaptive_thinking_keeps_the_temperature_rule() -> None:
    with pytest.raises(InvalidRequestError, match="temperature"):
        sent("messages", request(FIVE[0], adaptive_thinking=True, temperature=0.2))


# --------------------------------------------------------------------------- caching on chat


@pytest.mark.parametrize("model", [*FIVE, "anthropic/claude-sonnet-latest"])
def test_cache_control_on_chat_is_sent_where_the_schema_allows(model: str) -> None:
    req = request(model, system=[TextPart(text="long", cache_control={"type": "ephemeral"})])
    (body,) = sent("chat_completions", req)
    assert body["system"] == [
        {"type": "text", "text": "long", "cache_control": {"type": "ephemeral"}}
    ]


def test_cache_control_on_chat_is_refused_for_4x() -> None:
    req = request(FOUR, system=[TextPart(text="long", cache_control={"type": "ephemeral"})])
    with pytest.raises(UnsupportedContentError, match="cache_control") as info:
        sent("chat_completions", req)
    assert "claude-sonnet-5" in str(info.value) or "latest" in str(info.value)


# --------------------------------------------------------------------------- server tools


def test_server_tool_is_passed_through() -> None:
    (body,) = sent("messages", request(FIVE[0], tools=[WEB_SEARCH]))
    assert body["tools"] == [{"type": "web_search_20250305", "name": "web_search", "max_uses": 3}]


def test_unlisted_server_tool_type_is_refused() -> None:
    tool = ServerToolSpec(type="web_search_29990101", name="web_search")
    with pytest.raises(InvalidRequestError, match="web_search_29990101"):
        sent("messages", request(FIVE[0], tools=[tool]))


def test_server_tool_is_refused_on_4x_chat() -> None:
    with pytest.raises(InvalidRequestError, match="server tool"):
        sent("chat_completions", request(FOUR, tools=[WEB_SEARCH]))


SEARCH_RESULTS = [
    {
        "type": "web_search_result",
        "title": "Oslo weather",
        "url": "https://example.com/oslo",
        "encrypted_content": "enc",
        "page_age": "1 day",
    }
]
CITE = {
    "type": "web_search_result_location",
    "cited_text": "Mild, 12C",
    "url": "https://example.com/oslo",
    "title": "Oslo weather",
    "encrypted_index": "ei",
}
MESSAGE = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-5",
    "content": [
        {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search",
         "input": {"query": "Oslo weather"}},
        {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1",
         "content": SEARCH_RESULTS},
        {"type": "text", "text": "It is mild.", "citations": [CITE]},
        {"type": "hologram", "depth": 3},
    ],
    "stop_reason": "end_turn",
    "usage": {"input_tokens": 10, "output_tokens": 5, "cache_read_input_tokens": 4,
              "cache_creation_input_tokens": 2},
}  # fmt: skip
PARTS = [
    ServerToolCallPart(id="srvtoolu_1", name="web_search", arguments={"query": "Oslo weather"}),
    ServerToolResultPart(
        type="web_search_tool_result", tool_call_id="srvtoolu_1", content=SEARCH_RESULTS
    ),
    TextPart(text="It is mild.", citations=[CITE]),
    RawPart(block={"type": "hologram", "depth": 3}),
]


def _sse(events: list[dict[str, Any]]) -> bytes:
    return "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events).encode()


def _stream(api: str, raw: bytes) -> list[Any]:
    decoder = get_dialect(api).stream_decoder()
    sse = SSEDecoder()
    return [e for ev in [*sse.feed(raw), *sse.flush()] for e in decoder.feed(ev)]


def test_messages_answer_with_server_tools_citations_and_a_new_block() -> None:
    result = get_dialect("messages").decode(MESSAGE, {})
    assert result.parts == PARTS
    assert result.usage.cache_read_tokens == 4
    assert result.usage.cache_creation_tokens == 2
    assert result.usage.input_tokens == 16  # reads and writes included
    assert accumulate(events_of(result)).parts == PARTS


def test_messages_stream_with_server_tools_citations_and_a_new_block() -> None:
    c = MESSAGE["content"]
    events = [
        {"type": "message_start", "message": {**MESSAGE, "content": [], "stop_reason": None}},
        {"type": "content_block_start", "index": 0,
         "content_block": {**c[0], "input": {}}},
        {"type": "content_block_delta", "index": 0,
         "delta": {"type": "input_json_delta", "partial_json": '{"query": "Oslo'}},
        {"type": "content_block_delta", "index": 0,
         "delta": {"type": "input_json_delta", "partial_json": ' weather"}'}},
        {"type": "content_block_stop", "index": 0},
        {"type": "content_block_start", "index": 1, "content_block": c[1]},
        {"type": "content_block_stop", "index": 1},
        {"type": "content_block_start", "index": 2,
         "content_block": {"type": "text", "text": "", "citations": []}},
        {"type": "content_block_delta", "index": 2,
         "delta": {"type": "citations_delta", "citation": CITE}},
        {"type": "content_block_delta", "index": 2,
         "delta": {"type": "text_delta", "text": "It is mild."}},
        {"type": "content_block_stop", "index": 2},
        {"type": "content_block_start", "index": 3, "content_block": c[3]},
        {"type": "content_block_stop", "index": 3},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn"},
         "usage": {"output_tokens": 5}},
        {"type": "message_stop"},
    ]  # fmt: skip
    result = accumulate(_stream("messages", _sse(events)))
    assert result.parts == PARTS
    assert result.stop_reason == "end_turn"  # a server tool call does not make it tool_use
    assert result.usage.cache_read_tokens == 4


@pytest.mark.parametrize("api", ["chat_completions", "messages"])
def test_server_tool_turn_is_replayed_as_received(api: str) -> None:
    history = [
        Message(role="user", parts=[TextPart(text="Weather in Oslo?")]),
        Message(role="assistant", parts=list(PARTS)),
        Message(role="user", parts=[TextPart(text="Thanks")]),
    ]
    req = ChatRequest(model=FIVE[0], max_tokens=256, messages=history, tools=[WEB_SEARCH])
    (body,) = sent(api, req)
    assert body["messages"][1]["content"] == MESSAGE["content"]


# --------------------------------------------------------------------------- chat reasoning


def test_chat_reasoning_details_and_reasoning_tokens_whole_and_streamed() -> None:
    body = {
        "id": "c1",
        "model": "anthropic/claude-sonnet-latest",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {
                    "role": "assistant",
                    "content": "42",
                    "reasoning_details": [
                        {"type": "reasoning.text", "text": "Six times seven.", "index": 0}
                    ],
                    "annotations": [
                        {"type": "url_citation",
                         "url_citation": {"url": "https://e.com", "title": "E",
                                          "start_index": 0, "end_index": 2}}
                    ],
                },
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30,
                  "prompt_tokens_details": {"cached_tokens": 6, "cache_write_tokens": 0},
                  "completion_tokens_details": {"reasoning_tokens": 15}},
    }  # fmt: skip
    whole = get_dialect("chat_completions").decode(body, {})
    assert whole.parts[0] == ThinkingPart(thinking="Six times seven.")
    assert whole.parts[1].text == "42"  # type: ignore[union-attr]
    assert whole.parts[1].citations == body["choices"][0]["message"]["annotations"]  # type: ignore[union-attr, index]
    assert whole.usage.reasoning_tokens == 15
    assert whole.usage.cache_read_tokens == 6
    message = body["choices"][0]["message"]  # type: ignore[index]
    chunks = [
        {"id": "c1", "choices": [{"index": 0, "delta": {
            "reasoning_details": message["reasoning_details"]}}]},
        {"choices": [{"index": 0, "delta": {"content": "42",
                                            "annotations": message["annotations"]}}]},
        {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
         "usage": body["usage"]},
    ]  # fmt: skip
    raw = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks).encode()
    streamed = accumulate(_stream("chat_completions", raw))
    assert streamed.parts == whole.parts
    assert streamed.usage == whole.usage


@pytest.mark.parametrize(
    ("api", "model", "replayed"),
    [
        ("chat_completions", FIVE[0], [CITE]),
        ("messages", FOUR, [CITE]),
        ("chat_completions", FOUR, None),  # the 4.x chat schema has no citations on text
    ],
)
def test_an_answers_claude_citations_are_replayed_where_the_schema_takes_them(
    api: str, model: str, replayed: list[dict[str, Any]] | None
) -> None:
    url = {"type": "url_citation", "url_citation": {"url": "https://e.com"}}
    history = [
        Message(role="user", parts=[TextPart(text="Weather?")]),
        Message(role="assistant", parts=[TextPart(text="Mild.", citations=[CITE, url])]),
        Message(role="user", parts=[TextPart(text="Thanks")]),
    ]
    (body,) = sent(api, ChatRequest(model=model, max_tokens=64, messages=history))
    content = body["messages"][1]["content"]
    if replayed is None:
        assert content == "Mild."
    else:
        assert content == [{"type": "text", "text": "Mild.", "citations": replayed}]


# --------------------------------------------------------------------------- thinking=


@pytest.mark.parametrize(
    ("value", "budget", "adaptive", "display"),
    [
        ("adaptive", None, True, None),
        ({"type": "adaptive", "display": "omitted"}, None, True, "omitted"),
        ({"type": "enabled", "budget_tokens": 2048, "display": "summarized"}, 2048, False,
         "summarized"),
        (2048, 2048, False, None),
        ({"type": "disabled"}, None, False, None),
        (None, None, False, None),
    ],
)  # fmt: skip
def test_thinking_setting_reads_every_form(
    value: object, budget: int | None, adaptive: bool, display: str | None
) -> None:
    setting = rules.thinking_setting(value)
    assert (setting.budget, setting.adaptive, setting.display) == (budget, adaptive, display)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ({"type": "adaptive", "display": "full"}, "display must be"),
        ({"type": "adaptive", "budget_tokens": 1024}, "unknown key"),
        ("lots", "thinking must be"),
    ],
)
def test_thinking_setting_refuses_what_no_schema_takes(value: object, words: str) -> None:
    with pytest.raises(InvalidRequestError, match=words):
        rules.thinking_setting(value)
