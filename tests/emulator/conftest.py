"""`api` (the session emulator) and `fresh_api` (a new emulator), driven with plain httpx."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

# emulator_support sits beside this file; make it importable under any pytest import mode.
sys.path.insert(0, str(Path(__file__).parent))
from emulator_support import Api

from aimlapi_emulator import Emulator


@pytest.fixture
def api(emulator: Emulator) -> Iterator[Api]:
    with httpx.Client(timeout=10) as client:
        yield Api(emulator, client)


@pytest.fixture
def fresh_api(fresh_emulator: Emulator) -> Iterator[Api]:
    with httpx.Client(timeout=10) as client:
        yield Api(fresh_emulator, client)
