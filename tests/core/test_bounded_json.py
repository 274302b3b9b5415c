"""Every whole-body reader is bounded: a body nested deeper than the parser can go, a number
too long to read or bytes that are not UTF-8 become :class:`ResponseValidationError` (or, on an
error status, that status's error with the body kept as text), never a bare ``RecursionError``.

A hostile server here is an ``httpx.MockTransport`` answering every request with one body.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from langchain_core.messages import HumanMessage
from llama_index.core.llms import ChatMessage

from aimlapi_core import AIMLAPIClient, AsyncAIMLAPIClient, ChatRequest, Message, TextPart
from aimlapi_core.errors import (
    AIMLAPIError,
    BadRequestError,
    InternalServerError,
    ResponseValidationError,
)
from langchain_aimlapi import AIMLAPIEmbeddings, ChatAIMLAPI
from llama_index_aimlapi import AIMLAPI, AIMLAPIEmbedding

KEY = "sk-bounded-json-0123456789abcdef"
DEEP = b"[" * 2000 + b"]" * 2000  # 4 KB: past the interpreter's recursion limit
DEEP_OBJECT = b'{"a":' * 2000 + b"1" + b"}" * 2000
LONG_NUMBER = b'{"data": [{"index": 0, "embedding": [' + b"9" * 5000 + b"]}]}"
NOT_UTF8 = b'{"data": "caf\xff"}'
HOSTILE = {"deep array": DEEP, "deep object": DEEP_OBJECT, "long number": LONG_NUMBER}


def _request() -> ChatRequest:
    return ChatRequest(
        model="claude-sonnet-4-20250514",
        max_tokens=16,
        messages=[Message(role="user", parts=[TextPart(text="hi")])],
    )


def _transport(body: bytes, status: int = 200) -> httpx.MockTransport:
    return httpx.MockTransport(
        lambda request: httpx.Response(
            status, content=body, headers={"content-type": "application/json"}
        )
    )


def _sync(body: bytes, status: int = 200, api: str = "chat_completions") -> AIMLAPIClient:
    http = httpx.Client(transport=_transport(body, status))
    return AIMLAPIClient(api_key=KEY, api=api, http_client=http, max_retries=0)


def _async(body: bytes, status: int = 200, api: str = "chat_completions") -> AsyncAIMLAPIClient:
    http = httpx.AsyncClient(transport=_transport(body, status))
    return AsyncAIMLAPIClient(api_key=KEY, api=api, http_client=http, max_retries=0)


def _stream_text(client: AIMLAPIClient) -> str:
    with client.stream(_request()) as stream:
        list(stream)
        return stream.get_final_result().text


CALLS: dict[str, Callable[[bytes, int], Any]] = {
    "create chat_completions": lambda b, s: _sync(b, s).create(_request()),
    "create messages": lambda b, s: _sync(b, s, "messages").create(_request()),
    "stream answered with one body": lambda b, s: _stream_text(_sync(b, s)),
    "acreate messages": lambda b, s: asyncio.run(_async(b, s, "messages").create(_request())),
    "embed": lambda b, s: _sync(b, s).embed(["a"]),
    "aembed": lambda b, s: asyncio.run(_async(b, s).embed(["a"])),
    "list_models": lambda b, s: _sync(b, s).list_models(),
    "batches.retrieve": lambda b, s: _sync(b, s).batches.retrieve("batch-1"),
    "batches.create": lambda b, s: _sync(b, s).batches.create([_request()]),
    "ChatAIMLAPI.invoke": lambda b, s: ChatAIMLAPI(
        api_key=KEY, max_retries=0, http_client=httpx.Client(transport=_transport(b, s))
    ).invoke([HumanMessage("hi")]),
    "AIMLAPI.chat": lambda b, s: AIMLAPI(
        api_key=KEY, max_retries=0, http_client=httpx.Client(transport=_transport(b, s))
    ).chat([ChatMessage(role="user", content="hi")]),
    "AIMLAPIEmbeddings.embed_query": lambda b, s: AIMLAPIEmbeddings(
        api_key=KEY, max_retries=0, http_client=httpx.Client(transport=_transport(b, s))
    ).embed_query("hi"),
    "AIMLAPIEmbedding.get_text_embedding": lambda b, s: AIMLAPIEmbedding(
        api_key=KEY, max_retries=0, http_client=httpx.Client(transport=_transport(b, s))
    ).get_text_embedding("hi"),
}


@pytest.mark.parametrize("body", HOSTILE.values(), ids=list(HOSTILE))
@pytest.mark.parametrize("call", CALLS.values(), ids=list(CALLS))
def test_a_hostile_success_body_is_a_response_validation_error(
    call: Callable[[bytes, int], Any], body: bytes
) -> None:
    with pytest.raises(ResponseValidationError):
        call(body, 200)


@pytest.mark.parametrize(("status", "error"), [(400, BadRequestError), (500, InternalServerError)])
@pytest.mark.parametrize("call", CALLS.values(), ids=list(CALLS))
def test_a_deep_error_body_keeps_its_status_error(
    call: Callable[[bytes, int], Any], status: int, error: type[AIMLAPIError]
) -> None:
    with pytest.raises(error) as caught:
        call(DEEP, status)
    assert caught.value.status_code == status  # type: ignore[attr-defined]
    assert caught.value.body == DEEP.decode()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "call",
    [CALLS["create chat_completions"], CALLS["embed"], CALLS["list_models"]],
    ids=["create", "embed", "list_models"],
)
def test_a_body_that_is_not_utf8_is_a_response_validation_error(
    call: Callable[[bytes, int], Any],
) -> None:
    with pytest.raises(ResponseValidationError, match="UTF-8"):
        call(NOT_UTF8, 200)


def test_tool_arguments_nested_too_deep_are_a_response_validation_error() -> None:
    """Tool-call arguments are JSON text inside the answer, read once the call is complete
    (whole or at the end of a stream): the same bounded read."""
    deep = "[" * 3000 + "]" * 3000
    body = {
        "id": "c",
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "message": {
                    "tool_calls": [
                        {
                            "id": "t",
                            "type": "function",
                            "function": {"name": "f", "arguments": deep},
                        }
                    ]
                },
            }
        ],
    }
    with pytest.raises(ResponseValidationError, match="'f'"):
        _sync(json.dumps(body).encode()).create(_request())
    chunks = [
        {"id": "c", "choices": [{"index": 0, "delta": {"tool_calls": [
            {"index": 0, "id": "t", "function": {"name": "f", "arguments": deep}}]}}]},
        {"id": "c", "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]},
    ]  # fmt: skip
    sse = b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks)
    http = httpx.Client(
        transport=httpx.MockTransport(
            lambda r: httpx.Response(
                200, content=sse, headers={"content-type": "text/event-stream"}
            )
        )
    )
    # The chat stream format these chunks are in (no api=: the model's default is /messages).
    client = AIMLAPIClient(api_key=KEY, http_client=http, max_retries=0, api="chat_completions")
    with client.stream(_request()) as stream:
        list(stream)
        with pytest.raises(ResponseValidationError, match="'f'"):
            stream.get_final_result()  # the arguments are read once the call is complete
