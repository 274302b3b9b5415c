"""The documentation site builds with no warning (`make docs`: mkdocs --strict), has a
reference entry for every public name, and the README's links into it resolve.

MkDocs checks the site's own links and anchors (mkdocs.yml ``validation``); the README is read
on GitHub, outside the site, so its links are checked here against the files and the built
pages' anchors.
"""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

pytest.importorskip(
    "mkdocs", reason="needs the docs extra (make test installs it; make test-oldest does not)"
)

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_MODULES = [
    "aimlapi_core",
    "aimlapi_core.errors",
    "aimlapi_core.catalog",
    "aimlapi_core.tokens",
    "langchain_aimlapi",
    "llama_index_aimlapi",
    "aimlapi_emulator",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=os.environ | {"NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{proc.stderr[-6000:]}"
    assert "WARNING" not in proc.stderr, proc.stderr
    return out


def _inventory(site: Path) -> set[str]:
    """Every object the API reference documents (mkdocstrings' objects.inv)."""
    raw = (site / "objects.inv").read_bytes().split(b"\n", 4)[4]  # after the 4 header lines
    return {line.split(" ", 1)[0] for line in zlib.decompress(raw).decode().splitlines()}


@pytest.mark.parametrize("module", PUBLIC_MODULES)
def test_every_public_name_has_a_reference_entry(site: Path, module: str) -> None:
    documented = _inventory(site)
    names = importlib.import_module(module).__all__
    assert names, module
    missing = [n for n in names if f"{module}.{n}" not in documented]
    assert not missing, f"{module}: no reference entry for {missing} (docs/reference/)"


def test_the_notebooks_and_plots_are_in_the_site(site: Path) -> None:
    for notebook in (ROOT / "notebooks").glob("*.ipynb"):
        assert (site / "notebooks" / notebook.stem / "index.html").is_file(), notebook.name
    for plot in (ROOT / "benchmarks" / "results").glob("*.png"):
        assert (site / "performance" / plot.name).is_file(), plot.name
    assert not (site / "aimlapi-docs").exists()  # the verbatim copies are data, not pages
    assert not (site / "schemas").exists()


_LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_the_readme_links_resolve(site: Path) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    links = [link for link in _LINK.findall(text) if "://" not in link]
    assert links
    for link in links:
        path, _, anchor = link.partition("#")
        assert (ROOT / path).exists(), f"README.md links to {link}: no such file"
        if anchor:
            assert path.startswith("docs/"), link
            assert path.endswith(".md"), link
            page = site / path.removeprefix("docs/").removesuffix(".md").removesuffix("index")
            html = (page / "index.html").read_text(encoding="utf-8")
            assert f'id="{anchor}"' in html, f"README.md links to {link}: no such anchor"
