"""Every ```python block of docs/citations.md runs as written against a fresh emulator, the way
README blocks do (tests/e2e/test_readme.py: its own subprocess, only ``AIMLAPI_API_KEY`` and
``AIMLAPI_BASE_URL`` pointing at the emulator, tracebacks naming the page's lines)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_readme import _RUNNER, Block, python_blocks

from aimlapi_emulator import Emulator

DOC = Path(__file__).resolve().parents[2] / "docs" / "citations.md"
BLOCKS = python_blocks(DOC.read_text(encoding="utf-8"))


def test_the_guide_has_its_examples() -> None:
    assert len(BLOCKS) >= 8


@pytest.mark.parametrize("block", BLOCKS, ids=[f"citations.md:{b.line}" for b in BLOCKS])
def test_citations_guide_block_runs(block: Block, fresh_emulator: Emulator) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIMLAPI_")}
    env |= {"AIMLAPI_API_KEY": fresh_emulator.api_key, "AIMLAPI_BASE_URL": fresh_emulator.base_url}
    proc = subprocess.run(
        [sys.executable, "-c", _RUNNER, str(DOC)],
        input="\n" * (block.line - 1) + block.code,
        capture_output=True,
        text=True,
        env=env,
        cwd=DOC.parent,
        timeout=300,  # a hang guard, not a speed assertion
        check=False,
    )
    assert proc.returncode == 0, (
        f"docs/citations.md block at line {block.line} failed (exit {proc.returncode}):\n"
        f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"
    )
    assert proc.stdout.strip(), f"docs/citations.md block at line {block.line} printed nothing"
