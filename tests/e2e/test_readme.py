"""Every ```python block in README.md runs as written against a fresh emulator.

Each block runs in its own Python subprocess (so a block's imports, globals and
``asyncio.run`` cannot leak into another block or into pytest's event loop) with only
``AIMLAPI_API_KEY`` / ``AIMLAPI_BASE_URL`` pointing at the emulator — exactly what a reader who
exported those two variables would have. The block is compiled under the file name README.md and
padded to its own line, so a traceback names the README line that broke.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from aimlapi_emulator import Emulator

README = Path(__file__).resolve().parents[2] / "README.md"
_FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
# Runs the block from stdin; compile() gives tracebacks the README's path and line numbers.
_RUNNER = (
    "import sys; src = sys.stdin.read(); "
    "exec(compile(src, sys.argv[1], 'exec'), {'__name__': '__main__'})"
)


@dataclass(frozen=True)
class Block:
    line: int  # README line of the block's first code line
    code: str


def python_blocks(text: str) -> list[Block]:
    return [
        Block(line=text.count("\n", 0, match.start(1)) + 1, code=match.group(1))
        for match in _FENCE.finditer(text)
    ]


BLOCKS = python_blocks(README.read_text(encoding="utf-8"))


def test_readme_has_python_blocks() -> None:
    # Guards the parametrized test below against silently running nothing.
    assert len(BLOCKS) >= 2, f"expected the two quickstarts in {README}, found {len(BLOCKS)}"


def test_block_extraction_keeps_line_numbers() -> None:
    text = "# t\n\n```python\nx = 1\ny = 2\n```\n\n```sh\nls\n```\n```python\nz = 3\n```\n"
    assert python_blocks(text) == [Block(4, "x = 1\ny = 2\n"), Block(12, "z = 3\n")]


@pytest.mark.parametrize("block", BLOCKS, ids=[f"README.md:{b.line}" for b in BLOCKS])
def test_readme_block_runs(block: Block, fresh_emulator: Emulator) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIMLAPI_")}
    env |= {"AIMLAPI_API_KEY": fresh_emulator.api_key, "AIMLAPI_BASE_URL": fresh_emulator.base_url}
    source = "\n" * (block.line - 1) + block.code
    proc = subprocess.run(
        [sys.executable, "-c", _RUNNER, str(README)],
        input=source,
        capture_output=True,
        text=True,
        env=env,
        cwd=README.parent,
        timeout=300,  # a hang guard, not a speed assertion
        check=False,
    )
    assert proc.returncode == 0, (
        f"README.md block at line {block.line} failed (exit {proc.returncode}):\n"
        f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"
    )
    assert proc.stdout.strip(), f"README.md block at line {block.line} printed nothing"
    if "Emulator(" not in block.code:
        # The block must really have talked to the API we pointed it at.
        assert fresh_emulator.requests, (
            f"README.md block at line {block.line} sent no request to AIMLAPI_BASE_URL"
        )
