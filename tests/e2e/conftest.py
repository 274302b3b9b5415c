"""End-to-end fixtures: LangChain models made with `langchain_support.make` are closed after
each test."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

# langchain_support sits beside this file; make it importable under any pytest import mode.
sys.path.insert(0, str(Path(__file__).parent))
from langchain_support import OPEN


@pytest.fixture(autouse=True)
async def _close_langchain_models() -> AsyncIterator[None]:
    yield
    while OPEN:
        await OPEN.pop().aclose()
