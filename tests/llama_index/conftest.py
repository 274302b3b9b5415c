"""Fixtures for the LlamaIndex adapter: an ``AIMLAPI`` bound to the shared emulator, per dialect.

``llm_factory`` clears the emulator's request log, so ``emulator.requests`` holds exactly what
the test sent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from aimlapi_emulator import Emulator
from llama_index_aimlapi import AIMLAPI

APIS = ["chat_completions", "messages"]


@pytest.fixture(params=APIS)
def api(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def llm_factory(
    emulator: Emulator, emulator_api_key: str, api: str
) -> AsyncIterator[Callable[..., AIMLAPI]]:
    """Builds ``AIMLAPI`` instances on the emulator and closes their pools afterwards."""
    emulator.clear_requests()
    made: list[AIMLAPI] = []

    def make(**kwargs: Any) -> AIMLAPI:
        kwargs.setdefault("api", api)
        kwargs.setdefault("api_key", emulator_api_key)
        kwargs.setdefault("base_url", emulator.base_url)
        made.append(AIMLAPI(**kwargs))
        return made[-1]

    yield make
    for llm in made:
        llm.close()
        await llm.aclose()


@pytest.fixture
def llm(llm_factory: Callable[..., AIMLAPI]) -> AIMLAPI:
    return llm_factory()
