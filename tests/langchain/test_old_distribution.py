"""Importing langchain_aimlapi warns when the older langchain-aimlapi distribution is installed.

The old distribution is faked by its metadata alone (a ``.dist-info`` folder on ``sys.path`` of
a fresh interpreter), which is exactly what ``importlib.metadata`` reads.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CODE = (
    "import warnings\n"
    "warnings.simplefilter('always')\n"
    "with warnings.catch_warnings(record=True) as caught:\n"
    "    import langchain_aimlapi\n"
    "for w in caught:\n"
    "    print(type(w.message).__name__, '|', w.message, '|', w.filename)\n"
)


def _run(extra_path: Path | None) -> str:
    env = dict(os.environ)
    if extra_path is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(extra_path), env.get("PYTHONPATH")]))
    proc = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_warns_naming_the_old_distribution_and_the_fix(tmp_path: Path) -> None:
    info = tmp_path / "langchain_aimlapi-0.1.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.4\nName: langchain-aimlapi\nVersion: 0.1.3\n", encoding="utf-8"
    )
    out = _run(tmp_path)
    lines = [line for line in out.splitlines() if "ConflictingDistributionWarning" in line]
    assert len(lines) == 1, out
    assert "langchain-aimlapi 0.1.3 is installed" in lines[0]
    assert "pip uninstall -y langchain-aimlapi" in lines[0]
    assert "Migrating from langchain-aimlapi 0.1.x" in lines[0]


def test_silent_without_it() -> None:
    assert "ConflictingDistributionWarning" not in _run(None)
