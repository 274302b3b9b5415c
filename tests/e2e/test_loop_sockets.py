"""Sockets closed when the event loop that opened them ends: one model used from several
``asyncio.run()`` calls (a script, a notebook cell, a sync web handler) leaves no connection
open for the garbage collector to find, so no ``ResourceWarning`` ("unclosed transport").
"""

from __future__ import annotations

import asyncio
import gc
import warnings
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from llama_index.core.llms import ChatMessage

from aimlapi_core import AsyncAIMLAPIClient, ChatRequest, Message, TextPart
from aimlapi_emulator import Emulator
from langchain_aimlapi import AIMLAPIEmbeddings, ChatAIMLAPI
from llama_index_aimlapi import AIMLAPI

KEY = "sk-loop-sockets-0123456789"
RUNS = 3


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(api_key=KEY) as emulator:
        yield emulator


def _request() -> ChatRequest:
    return ChatRequest(
        model="claude-sonnet-4-20250514",
        max_tokens=16,
        messages=[Message(role="user", parts=[TextPart(text="hi")])],
    )


def uses(base: str) -> dict[str, Callable[[], Callable[[], Awaitable[Any]]]]:
    """name -> a factory of (one model, and the coroutine function each asyncio.run awaits)."""

    def core() -> Callable[[], Awaitable[Any]]:
        client = AsyncAIMLAPIClient(api_key=KEY, base_url=base)
        return lambda: client.create(_request())

    def core_stream() -> Callable[[], Awaitable[Any]]:
        client = AsyncAIMLAPIClient(api_key=KEY, base_url=base)

        async def stream() -> Any:
            async with client.stream(_request()) as events:
                return [e async for e in events]

        return stream

    def langchain() -> Callable[[], Awaitable[Any]]:
        model = ChatAIMLAPI(api_key=KEY, base_url=base, max_tokens=16)
        return lambda: model.ainvoke([HumanMessage("hi")])

    def langchain_embeddings() -> Callable[[], Awaitable[Any]]:
        model = AIMLAPIEmbeddings(api_key=KEY, base_url=base)
        return lambda: model.aembed_query("hi")

    def llama_index() -> Callable[[], Awaitable[Any]]:
        model = AIMLAPI(api_key=KEY, base_url=base, max_tokens=16)
        return lambda: model.achat([ChatMessage(role="user", content="hi")])

    return {
        "core create": core,
        "core stream": core_stream,
        "ChatAIMLAPI.ainvoke": langchain,
        "AIMLAPIEmbeddings.aembed_query": langchain_embeddings,
        "AIMLAPI.achat": llama_index,
    }


@pytest.mark.parametrize("name", list(uses("")))
def test_repeated_asyncio_run_leaves_no_socket_for_the_collector(emu: Emulator, name: str) -> None:
    call = uses(emu.base_url)[name]()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        for _ in range(RUNS):
            asyncio.run(call())
        del call
        gc.collect()
    unclosed = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert unclosed == []
