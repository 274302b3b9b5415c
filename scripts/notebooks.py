"""Execute the notebooks' percent-format sources and write (or check) the ``.ipynb`` files.

Every ``notebooks/*.py`` written in jupytext's percent format (``# %%`` cells) is a notebook:
this script reads it with jupytext, runs it top to bottom in a fresh IPython kernel on this
interpreter, against the emulator (``AIMLAPI_*`` variables are removed, so a machine with a key
never reaches the real API), from a temporary working directory (a notebook that reads a
cwd-relative path fails here), and writes ``notebooks/<name>.ipynb`` with its outputs.

    python scripts/notebooks.py                 # `make notebooks`: regenerate every .ipynb
    python scripts/notebooks.py --check NAME    # run NAME.py, compare with the committed .ipynb

``--check`` compares cell sources exactly and outputs after :func:`normalise_text` (ids,
signatures, ports and object addresses vary from run to run; the emulator's answers do not),
and exits 1 with a diff when they differ. ``tests/e2e/test_notebooks.py`` runs it per notebook.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import jupytext
import nbformat
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def sources() -> list[Path]:
    """Every percent-format notebook source in ``notebooks/``, sorted by name."""
    return sorted(
        path
        for path in NOTEBOOKS.glob("*.py")
        if any(line.startswith("# %%") for line in path.read_text(encoding="utf-8").splitlines())
    )


class _ThisPythonKernel(KernelSpecManager):
    """Every kernel name resolves to ipykernel on this interpreter: no kernelspec install, and
    never a kernel registered by some other Python on the machine."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return KernelSpec(
            argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            display_name=f"Python ({sys.executable})",
            language="python",
        )


def execute(source: Path) -> nbformat.NotebookNode:
    """Run ``source`` and return the notebook with its outputs (raises on a failing cell)."""
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient

    nb = jupytext.read(source)
    stem = source.stem
    for i, cell in enumerate(nb.cells):
        cell.id = f"{stem[:50]}-{i:02d}"  # stable ids: regenerated notebooks diff cleanly
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("AIMLAPI_")}
    try:
        with tempfile.TemporaryDirectory(prefix="notebook-") as tmp:
            km = AsyncKernelManager(
                kernel_name="python3",
                kernel_spec_manager=_ThisPythonKernel(),
                # Unix sockets in a temporary folder: no TCP ports, nothing left behind.
                transport="ipc",
                ip=str(Path(tmp) / "ipc"),
                connection_file=str(Path(tmp) / "kernel.json"),
            )
            NotebookClient(
                nb,
                km=km,
                timeout=120,  # per cell: a hang guard, not a speed assertion
                record_timing=False,
                resources={"metadata": {"path": tmp}},  # cwd: not the repository
                extra_arguments=["--InteractiveShell.colors=nocolor"],
            ).execute()
    finally:
        os.environ.update(saved)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = _merged_streams([o for o in cell.outputs if not _is_stderr(o)])
    nb.metadata = {
        "jupytext": {"formats": "ipynb,py:percent"},
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    nbformat.validate(nb)
    return nb


def _is_stderr(output: nbformat.NotebookNode) -> bool:
    """Progress bars, library log lines and warnings (Ray's, tqdm's): not the cell's result,
    and they carry this machine's paths. Kept out of the committed notebooks and the check."""
    return output.get("output_type") == "stream" and output.get("name") == "stderr"


def _merged_streams(outputs: list[nbformat.NotebookNode]) -> list[nbformat.NotebookNode]:
    """Consecutive stdout records as one: how a kernel splits a stream varies between runs."""
    merged: list[nbformat.NotebookNode] = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and output.get("output_type") == previous.get("output_type") == "stream"
            and output.get("name") == previous.get("name")
        ):
            previous["text"] += output["text"]
        else:
            merged.append(output)
    return merged


# Values that differ between runs of the same notebook against the emulator.
_VARYING = [
    (re.compile(r"(127\.0\.0\.1|localhost):\d+"), r"\1:PORT"),
    (re.compile(r"0x[0-9a-f]{6,}"), "0xADDR"),
    # Wall-clock durations ("1000 answers in 3.9 s"): the machine's speed, not the library's.
    # The spaces before one go too: a right-aligned column ("{secs:>8.1f} s") pads 9.9 s with
    # one more space than 10.0 s, and a loaded machine crosses that line.
    (re.compile(r" *\b\d+(?:\.\d+)? s\b"), " N s"),
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "UUID"),
    # Message, tool-call, batch and request ids, signatures: long tokens mixing letters with
    # digits or with a lower-to-upper case change (the gateway's batch ids, "kgTRCVoAz4GwrH...",
    # may hold no digit at all).
    (
        re.compile(
            r"(?=[A-Za-z0-9_+/=-]*(?:\d|[a-z][A-Z]))(?=[A-Za-z0-9_+/=-]*[A-Za-z])"
            r"[A-Za-z0-9_+/=-]{16,}"
        ),
        "ID",
    ),
]


def normalise_text(text: str) -> str:
    for pattern, replacement in _VARYING:
        text = pattern.sub(replacement, text)
    return text


def _outputs(nb: nbformat.NotebookNode) -> list[str]:
    """Each code cell's outputs (stdout, results, errors) as normalised, non-blank lines (how a
    kernel splits a stream into output records, and blank lines between them, vary between
    runs)."""
    lines: list[str] = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        texts = []
        for output in cell.get("outputs", []):
            if _is_stderr(output):
                continue
            text: Any = output.get("text") or output.get("data", {}).get("text/plain", "")
            if output.get("output_type") == "error":
                text = f"{output.get('ename')}: {output.get('evalue')}"
            texts.append("".join(text) if isinstance(text, list) else str(text))
        body = normalise_text("".join(texts))
        lines += [f"[{i}] {line.rstrip()}" for line in body.splitlines() if line.strip()]
    return lines


def check(source: Path) -> list[str]:
    """Problems found when ``source`` is run and compared with its committed notebook."""
    committed_path = source.with_suffix(".ipynb")
    if not committed_path.exists():
        return [f"{committed_path.name} is missing: run `make notebooks`"]
    committed = nbformat.read(committed_path, as_version=4)
    fresh = execute(source)
    problems = []
    if [c.source for c in committed.cells] != [c.source for c in fresh.cells]:
        problems.append(
            f"{committed_path.name}'s cells differ from {source.name}: `make notebooks`"
        )
    diff = list(
        difflib.unified_diff(
            _outputs(committed), _outputs(fresh), "committed", "this run", lineterm=""
        )
    )
    if diff:
        problems.append("outputs differ:\n" + "\n".join(diff))
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="notebook names (default: all)")
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    chosen = sources()
    if args.names:
        wanted = {Path(n).stem for n in args.names}
        chosen = [s for s in chosen if s.stem in wanted]
        if len(chosen) != len(wanted):
            parser.error(f"no such notebook source among {[s.name for s in sources()]}")
    failed = False
    for source in chosen:
        if args.check:
            problems = check(source)
            for problem in problems:
                print(f"notebooks/{source.name}: {problem}", file=sys.stderr)
            failed |= bool(problems)
        else:
            nbformat.write(execute(source), source.with_suffix(".ipynb"))
            print(f"wrote notebooks/{source.stem}.ipynb")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
