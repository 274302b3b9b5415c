"""Every code block of README.md and docs/*.md runs as written (tests/e2e/doc_snippets.py says
how each kind of block runs), and says what it needs installed.

A new page in docs/ is picked up without any change here. A page whose blocks need an emulator
set up in some particular way has a test of its own, named in DEDICATED.
"""

from __future__ import annotations

import doctest
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from doc_snippets import (
    ROOT,
    RUNNER,
    Block,
    blocks,
    needs_problem,
    padded,
    pages,
    runnable_blocks,
)

from aimlapi_emulator import Emulator

# What calls the API in a block: a model's or a client's request methods, an engine or agent run.
_CALLS = re.compile(
    r"\.(a?invoke|a?complete|a?chat|stream\w*|create|embed\w*|a?query|run|batch\w*|results)\("
)
# page -> the test that runs its blocks (with the emulator that page's examples need).
DEDICATED = {"docs/batches.md": "tests/e2e/test_docs_batches.py"}
ALL = [b for page in pages() for b in runnable_blocks(page)]
HERE = [b for b in ALL if b.page not in DEDICATED]


def test_the_pages_have_blocks_to_run() -> None:
    # Guards the parametrized tests below against silently running nothing.
    by_page = {b.page for b in ALL}
    assert {"README.md", "docs/getting-started.md", "docs/langchain.md"} <= by_page
    # The guides written with their features (they had runners of their own before this one).
    for page, at_least in {
        "docs/citations.md": 8,
        "docs/agents.md": 6,
        "docs/caching.md": 5,
    }.items():
        assert sum(b.page == page for b in ALL) >= at_least, page
    for page, test in DEDICATED.items():
        assert page in by_page
        assert (ROOT / test).is_file()


def test_block_extraction_keeps_line_numbers_and_languages() -> None:
    text = "# t\n\n```python\nx = 1\ny = 2\n```\n\n```sh\nls\n```\n```pycon\n>>> 1\n1\n```\n"
    assert blocks(text, "p.md") == [
        Block("p.md", 4, "python", "x = 1\ny = 2\n"),
        Block("p.md", 9, "sh", "ls\n"),
        Block("p.md", 12, "pycon", ">>> 1\n1\n"),
    ]


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("# needs: aimlapi-integrations\nimport aimlapi_core\n", None),
        ("# needs: aimlapi-integrations[langchain]\nimport langchain_aimlapi\n", None),
        ("# needs: aimlapi-integrations[agents]\nimport langchain.agents, langchain_core\n", None),
        ("import langchain_aimlapi\n", "first line must be"),
        ("# needs: aimlapi-integrations\nimport llama_index_aimlapi\n", "imports need"),
        ("# needs: aimlapi-integrations[langchain,agents]\nimport langchain\n", "not needed"),
        ("# needs: aimlapi-integrations[ray]\nimport json\n", "not needed"),
        ("# needs: aimlapi-integrations[nope]\nimport json\n", "no such extra"),
    ],
)
def test_the_needs_line_is_checked_against_the_imports(code: str, problem: str | None) -> None:
    found = needs_problem(Block("p.md", 1, "python", code))
    assert (found is None) if problem is None else (problem in str(found)), found


@pytest.mark.parametrize("block", ALL, ids=[b.id for b in ALL])
def test_block_says_what_it_needs(block: Block) -> None:
    assert needs_problem(block) is None, needs_problem(block)


def _environment(emu: Emulator) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIMLAPI_")}
    return env | {"AIMLAPI_API_KEY": emu.api_key, "AIMLAPI_BASE_URL": emu.base_url}


def _run_script(block: Block, emu: Emulator) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", RUNNER, block.page],
        input=padded(block),
        capture_output=True,
        text=True,
        env=_environment(emu),
        cwd=ROOT,
        timeout=300,  # a hang guard, not a speed assertion
        check=False,
    )
    assert proc.returncode == 0, (
        f"{block.id} failed (exit {proc.returncode}):\n"
        f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"
    )
    assert proc.stdout.strip(), f"{block.id} printed nothing"
    if _CALLS.search(block.code) and "Emulator(" not in block.code and "except " not in block.code:
        # A block that calls the API must really have talked to the one we pointed it at
        # (unless it shows an error raised before any request, which it catches; or runs an
        # emulator of its own).
        assert emu.requests, f"{block.id} sent no request to AIMLAPI_BASE_URL"


def _run_test_file(block: Block, emu: Emulator, tmp_path: Path) -> None:
    (tmp_path / "test_from_the_docs.py").write_text(padded(block), encoding="utf-8")
    env = {k: v for k, v in _environment(emu).items() if not k.startswith("PYTEST_")}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:asyncio"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, f"{block.id}:\n{proc.stdout}\n{proc.stderr}"
    assert " passed" in proc.stdout, proc.stdout


def _run_session(block: Block) -> None:
    test = doctest.DocTestParser().get_doctest(block.code, {}, block.id, block.page, block.line)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert test.examples, f"{block.id} has no >>> example"
    assert runner.summarize(verbose=False).failed == 0, f"{block.id}: see the doctest output"


@pytest.mark.parametrize("block", HERE, ids=[b.id for b in HERE])
def test_block_runs(block: Block, fresh_emulator: Emulator, tmp_path: Path) -> None:
    if block.lang == "pycon":
        _run_session(block)
    elif block.is_test_file:
        _run_test_file(block, fresh_emulator, tmp_path)
    else:
        _run_script(block, fresh_emulator)
