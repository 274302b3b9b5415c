"""The error-message table of docs/errors.md: every row is what its case raised, run here.

The cases (scripts/error_table.py) make the mistakes users make; each must raise an error of
the library's own family (``aimlapi_core.errors``) whose row is on the page exactly, and the
page holds no row for a case that no longer exists.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
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
    row, rows = script.row(case, exc), _page_rows()
    if not _page_classes_exist(rows):
        row, rows = _without_also(row), [_without_also(r) for r in rows]
    assert row in rows, "run scripts/error_table.py"


_ALSO = re.compile(r" \(also [^)]*\)")


def _page_classes_exist(rows: list[str]) -> bool:
    """The page is generated on the newest langchain-core; an older one (make test-oldest) lacks
    some of the exception classes its "(also ...)" notes name, and then neither side keeps them."""
    exceptions = importlib.import_module("langchain_core.exceptions")
    notes = "".join(m.group(0) for r in rows for m in _ALSO.finditer(r))
    return all(hasattr(exceptions, name) for name in re.findall(r"`(\w+)`", notes))


def _without_also(row: str) -> str:
    return _ALSO.sub("", row)
