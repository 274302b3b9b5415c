"""The overall `deadline` option reaches the core from both adapters: a server
dripping a byte at a time, each well within `timeout`, cannot hold a call past it."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest
from langchain_core.messages import HumanMessage
from llama_index.core.llms import ChatMessage

from aimlapi_core.errors import APITimeoutError
from langchain_aimlapi import ChatAIMLAPI
from llama_index_aimlapi import AIMLAPI

KEY = "sk-deadline-test-0a1b2c3d"
BODY = json.dumps(
    {
        "id": "c1",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"content": "fine"}}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1},
    }
).encode()


def drip(body: bytes) -> Iterator[bytes]:
    for i in range(len(body)):
        time.sleep(0.02)
        yield body[i : i + 1]


def dripping_client() -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=drip(BODY), headers={"content-type": "application/json"})

    return httpx.Client(transport=httpx.MockTransport(handler))


def test_chat_aimlapi_deadline() -> None:
    llm = ChatAIMLAPI(
        api_key=KEY,
        base_url="http://gateway.test/v1",
        timeout=5,
        deadline=0.3,
        http_client=dripping_client(),
    )
    with pytest.raises(APITimeoutError, match="deadline"):
        llm.invoke([HumanMessage("hi")])


def test_llama_index_aimlapi_deadline() -> None:
    llm = AIMLAPI(
        api_key=KEY,
        base_url="http://gateway.test/v1",
        timeout=5,
        deadline=0.3,
        http_client=dripping_client(),
    )
    with pytest.raises(APITimeoutError, match="deadline"):
        llm.chat([ChatMessage(role="user", content="hi")])
