"""What the LangChain end-to-end tests share: models bound to an emulator, closed after each test
(by the autouse fixture in conftest.py) so that no pooled socket outlives its test."""

from __future__ import annotations

from typing import Any

from aimlapi_emulator import Emulator
from langchain_aimlapi import ChatAIMLAPI

OPEN: list[ChatAIMLAPI] = []


def make(emu: Emulator, api: str, **kwargs: Any) -> ChatAIMLAPI:
    llm = ChatAIMLAPI(api_key=emu.api_key, base_url=emu.base_url, api=api, **kwargs)
    OPEN.append(llm)
    return llm
