"""The error-message table of docs/errors.md: every row is what its case raised, run here.

The cases (scripts/error_table.py) make the mistakes users make; each must raise an error of
the library's own family (``aimlapi_core.errors``) whose row is on the page exactly, and the
page holds no row for a case that no longer exists.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

from aimlapi_core.errors import AIMLAPIError

ROOT = Path(__file__).resolve().parents[2]


def _load_script() -> Any:
    spec = importlib.util.spec_from_file_location("error_table", ROOT / "scripts/error_table.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


script = _load_script()


def _page_rows() -> list[str]:
    page = script.PAGE.read_text(encoding="utf-8")
    table = page[page.index(script.BEGIN) + len(script.BEGIN) : page.index(script.END)]
    return table.strip().splitlines()[2:]


@pytest.mark.parametrize("case", script.CASES, ids=[c.trigger.__name__ for c in script.CASES])
def test_the_page_shows_what_the_case_raises(case: Any) -> None:
    exc = script.raised(case)
    assert isinstance(exc, AIMLAPIError), f"{case.situation}: {type(exc)} is not the family's"
    assert script.row(case, exc) in _page_rows(), "run scripts/error_table.py"


def test_the_page_has_one_row_per_case() -> None:
    rows = _page_rows()
    assert len(rows) == len(script.CASES)
    for case, line in zip(script.CASES, rows, strict=True):
        assert line.startswith(f"| {case.situation} |")
