"""The notebooks are documentation: committed with their outputs, free of test scaffolding, and
still producing those outputs against the emulator.

Sources are jupytext percent-format files (``notebooks/*.py``); ``make notebooks`` executes them
(``scripts/notebooks.py``) and writes the ``.ipynb`` files with outputs. Here each source is run
again, in a child process (jupyter_client's ZeroMQ sockets and event loop stay away from
pytest), from a temporary working directory and without ``AIMLAPI_*`` variables, and its
outputs are compared with the committed ones, ids and ports aside. The notebooks themselves
contain no ``assert``: this comparison is the check.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jupytext
import nbformat
import pytest
from doc_snippets import Block, extras_brought_by, needed_extras

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "notebooks.py"


def _load_script() -> Any:
    spec = importlib.util.spec_from_file_location("notebooks_script", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


script = _load_script()
SOURCES = script.sources()
NAMES = [source.stem for source in SOURCES]


def test_every_source_is_found_and_every_notebook_has_a_source() -> None:
    assert len(SOURCES) >= 3
    committed = sorted(path.stem for path in (ROOT / "notebooks").glob("*.ipynb"))
    assert committed == sorted(NAMES), "every notebooks/*.ipynb comes from a notebooks/*.py"


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_has_the_sources_cells_and_outputs(name: str) -> None:
    source = ROOT / "notebooks" / f"{name}.py"
    committed = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    expected = jupytext.read(source)
    assert [(c.cell_type, c.source) for c in committed.cells] == [
        (c.cell_type, c.source) for c in expected.cells
    ], f"notebooks/{name}.ipynb is stale: run `make notebooks`"
    code = [c for c in committed.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code), "not every cell was executed"
    assert sum(len(c.outputs) for c in code) >= len(code) // 2, "outputs missing"
    assert not [o for c in code for o in c.outputs if o.get("output_type") == "error"]


@pytest.mark.parametrize("name", NAMES)
def test_notebook_code_is_free_of_test_scaffolding(name: str) -> None:
    source = ROOT / "notebooks" / f"{name}.py"
    nb = jupytext.read(source)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        # Top-level await is valid in a notebook cell; parse it as the body of a coroutine.
        body = "async def _cell():\n" + "\n".join("    " + line for line in cell.source.split("\n"))
        tree = ast.parse(body)
        asserts = [node for node in ast.walk(tree) if isinstance(node, ast.Assert)]
        assert not asserts, f"notebooks/{name}.py: an assert in a cell:\n{cell.source}"
        assert "AssertionError" not in cell.source
        assert "tests/fixtures" not in cell.source
        assert '"fixtures"' not in cell.source
        assert "Path.cwd()" not in cell.source


@pytest.mark.parametrize("name", NAMES)
def test_the_install_a_notebook_states_brings_everything_it_imports(name: str) -> None:
    source = ROOT / "notebooks" / f"{name}.py"
    nb = jupytext.read(source)
    assert 'pip install -e ".[notebooks]"' in nb.cells[0].source, "the first cell says the install"
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    code = code.replace("await ", "")  # top-level await: valid in a cell, not in a module
    needed = needed_extras(Block(f"notebooks/{name}.py", 1, "python", code))
    assert needed <= extras_brought_by()["notebooks"], f"the notebooks extra lacks {needed}"


# What a committed output must not carry: this machine's paths (a home, a venv, a temporary
# folder, Ray's session logs) or stderr (progress bars, log lines).
_MACHINE_PATH = re.compile(r"/(?:work|home|root|tmp|Users|opt)/|site-packages")


@pytest.mark.parametrize("name", NAMES)
def test_committed_outputs_carry_no_machine_paths_or_stderr(name: str) -> None:
    committed = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    for i, cell in enumerate(committed.cells):
        for output in cell.get("outputs", []):
            assert output.get("name") != "stderr", f"cell {i}: stderr in the committed output"
            text = output.get("text") or "".join(str(v) for v in output.get("data", {}).values())
            found = _MACHINE_PATH.search("".join(text))
            assert found is None, f"cell {i}: a machine path in the output: {text!r}"


# Notebooks that need an optional extra beyond the ones every test run installs.
NEEDS = {"batches_at_scale": "ray"}


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_and_reproduces_its_committed_outputs(name: str) -> None:
    if name in NEEDS:
        pytest.importorskip(NEEDS[name], reason=f"needs the {NEEDS[name]} extra (not installed)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIMLAPI_")}
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--check", name],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT / "tests",  # any folder but notebooks/
        timeout=600,  # a hang guard, not a speed assertion
        check=False,
    )
    assert proc.returncode == 0, f"notebooks/{name}.py:\n{proc.stdout}\n{proc.stderr}"


def test_output_comparison_ignores_ids_ports_and_durations_only() -> None:
    a = "at http://127.0.0.1:40061/v1 id toolu_018f311f9005ba1a418634e4 <obj at 0x7f3f1a8c39c0>"
    b = "at http://127.0.0.1:5123/v1 id toolu_99aa11bb22cc33dd44ee55ff <obj at 0x7f0000000001>"
    assert script.normalise_text(a) == script.normalise_text(b)
    assert script.normalise_text("18°C in Paris") != script.normalise_text("19°C in Paris")
    assert script.normalise_text("usage: 9 tokens") != script.normalise_text("usage: 8 tokens")
    assert script.normalise_text("1000 answers in 3.9 s") == script.normalise_text(
        "1000 answers in 12 s"
    )
    assert script.normalise_text("1000 answers") != script.normalise_text("999 answers")
    # Batch ids as the gateway documents them: 21 letters and digits, sometimes letters only.
    assert script.normalise_text("batch jnpAoroFtcZpLVEZpIDHz") == "batch ID"
    assert script.normalise_text("batch kgTRCVoAz4GwrHWIOFZjg") == "batch ID"
    assert script.normalise_text("internationalisation") == "internationalisation"
