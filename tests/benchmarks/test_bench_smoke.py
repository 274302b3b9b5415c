"""Every benchmark script runs with tiny counts and prints a table, so none can rot unseen.

Only that they run: no figure is asserted (timings on a shared machine prove nothing). The
scripts need the bench extra (the peers, matplotlib), which ``make bench`` installs and
``make test`` does not; without it these tests skip and say so.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
SCRIPTS = sorted(p for p in BENCH.glob("*.py") if not p.name.startswith("_"))
# One module per package of the bench extra (pyproject.toml [project.optional-dependencies]).
BENCH_EXTRA = (
    "langchain_anthropic",
    "langchain_openai",
    "llama_index.llms.openai_like",
    "matplotlib",
)
TABLE = re.compile(r"^\|.+\|\n\|(?:---\|)+\n\|.+\|$", re.M)


def _missing() -> list[str]:
    missing = []
    for module in BENCH_EXTRA:
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            missing.append(module)
    return missing


pytestmark = pytest.mark.skipif(
    bool(_missing()),
    reason=f"the bench extra is not installed (no {', '.join(_missing())}): `make bench` "
    "installs it (pip install -e '.[bench]')",
)


def _run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *argv], cwd=BENCH, capture_output=True, text=True, timeout=300
    )


def test_the_convention_finds_the_scripts() -> None:
    names = {p.stem for p in SCRIPTS}
    assert {"overhead", "answer_size", "concurrency"} <= names


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_benchmark_runs_quick_and_prints_a_table(script: Path, tmp_path: Path) -> None:
    result = _run([str(script), "--quick", "--out", str(tmp_path)])
    # The convention every script follows: benchmarks/README.md "Writing a benchmark".
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert TABLE.search(result.stdout), f"no markdown table in:\n{result.stdout[-2000:]}"
    # Tiny counts judge nothing: no verdict, met or not (benchmarks/README.md).
    verdicts = re.findall(r"[✓✗]|NOT met", result.stdout)
    assert not verdicts, f"a --quick run printed verdicts {verdicts}:\n{result.stdout[-2000:]}"


def test_runner_collects_results_into_one_page(tmp_path: Path) -> None:
    result = _run(["_run_all.py", "--quick", "--only", "concurrency", "--out", str(tmp_path)])
    assert result.returncode == 0, result.stderr[-3000:]
    page = (tmp_path / "README.md").read_text()
    assert (tmp_path / "concurrency.md").read_text().strip() in page
    assert TABLE.search(page)
