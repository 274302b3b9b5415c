"""The install commands the docs give are the ones `make dist-check` runs, in a form the pip of
a fresh `python3 -m venv` accepts, and the extras table names every extra a user installs."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from typing import Any

import tomllib

ROOT = Path(__file__).resolve().parents[2]
# Extras for working on this repository, not for users: `make test`, `make bench`, `make docs`.
DEVELOPER_EXTRAS = {"test", "bench", "docs"}


def _check_dist() -> Any:
    path = ROOT / "scripts" / "check_dist.py"
    spec = importlib.util.spec_from_file_location("check_dist", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_dist_check_runs_every_documented_install_form() -> None:
    commands = _check_dist().documented_install_commands()
    assert all(c.startswith("pip install ") for c in commands)
    forms = {"-e ": "checkout", "dist/": "wheel", "git+file://": "git"}
    assert {name for key, name in forms.items() if any(key in c for c in commands)} == set(
        forms.values()
    )


def test_no_command_uses_a_form_the_pip_of_a_fresh_venv_refuses() -> None:
    # pip 23.2 (Python 3.11's ensurepip) reads "git+file:///path" as a path: "Invalid
    # requirement ... It looks like a path". A host (file://localhost/path) reads as a URL.
    for page in ("README.md", "docs/getting-started.md"):
        text = (ROOT / page).read_text(encoding="utf-8")
        assert not re.search(r"^\s*pip install .*git\+file:///", text, re.MULTILINE), page


def test_the_extras_table_names_every_extra_a_user_installs() -> None:
    extras = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    )
    page = (ROOT / "docs" / "getting-started.md").read_text(encoding="utf-8")
    table = page.split("### Which extra", 1)[1].split("\n\n## ", 1)[0]
    named = set(re.findall(r"^\| `([a-z-]+)` \|", table, re.MULTILINE))
    assert named == extras - DEVELOPER_EXTRAS
