"""Every ```python block of docs/caching.md runs as written against a fresh emulator, as
test_readme.py runs README.md's (the same extraction and runner)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_readme import _RUNNER, Block, python_blocks

from aimlapi_emulator import Emulator

PAGE = Path(__file__).resolve().parents[2] / "docs" / "caching.md"
BLOCKS = python_blocks(PAGE.read_text(encoding="utf-8"))


def test_the_page_has_its_blocks() -> None:
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize("block", BLOCKS, ids=[f"caching.md:{b.line}" for b in BLOCKS])
def test_block_runs(block: Block, fresh_emulator: Emulator) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIMLAPI_")}
    env |= {"AIMLAPI_API_KEY": fresh_emulator.api_key, "AIMLAPI_BASE_URL": fresh_emulator.base_url}
    proc = subprocess.run(
        [sys.executable, "-c", _RUNNER, str(PAGE)],
        input="\n" * (block.line - 1) + block.code,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,  # a hang guard, not a speed assertion
        check=False,
    )
    assert proc.returncode == 0, f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"
    assert proc.stdout.strip()
    assert fresh_emulator.requests
