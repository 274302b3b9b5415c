"""The notebooks run top to bottom against the emulator, and are committed as build.py makes them.

Each notebook executes with nbclient in a child process (``python test_notebooks.py IN OUT``,
see ``main``), in a fresh IPython kernel started from this interpreter (the project's .venv),
whatever kernels the machine has registered. The child process keeps jupyter_client's ZeroMQ
sockets and event loop away from pytest (its unclosed-socket ResourceWarnings would be errors
here). ``AIMLAPI_*`` variables are removed from the child's environment, so the notebooks start
their own emulator and never reach the real API from CI, even on a machine that has a key.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager

NOTEBOOKS_DIR = Path(__file__).resolve().parents[2] / "notebooks"


def _load_build() -> Any:
    spec = importlib.util.spec_from_file_location("notebooks_build", NOTEBOOKS_DIR / "build.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _load_build()
NAMES = sorted(build.NOTEBOOKS)


class _ThisPythonKernel(KernelSpecManager):
    """Every kernel name resolves to ipykernel on this interpreter: no kernelspec install, and
    never a kernel registered by some other Python on the machine."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return KernelSpec(
            argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            display_name=f"Python ({sys.executable})",
            language="python",
            resource_dir=str(NOTEBOOKS_DIR),
        )


def test_every_notebook_is_listed() -> None:
    assert sorted(p.name for p in NOTEBOOKS_DIR.glob("*.ipynb")) == NAMES
    assert len(NAMES) == 3


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_matches_build_and_has_no_outputs(name: str) -> None:
    committed = (NOTEBOOKS_DIR / name).read_text(encoding="utf-8")
    assert committed == build.render(name), (
        f"notebooks/{name} differs from notebooks/build.py: edit build.py, then run "
        "`.venv/bin/python notebooks/build.py`"
    )
    nb = nbformat.reads(committed, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == []
            assert cell.execution_count is None


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_against_the_emulator(name: str, tmp_path: Path) -> None:
    executed = tmp_path / name
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIMLAPI_")}
    proc = subprocess.run(
        [sys.executable, __file__, str(NOTEBOOKS_DIR / name), str(executed)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,  # a hang guard, not a speed assertion
        check=False,
    )
    assert proc.returncode == 0, f"notebooks/{name} failed:\n{proc.stdout}\n{proc.stderr}"

    nb = nbformat.read(executed, as_version=4)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code_cells), "not every cell ran"
    assert "running against the local emulator" in _stdout(code_cells[0])
    assert "emulator stopped" in _stdout(code_cells[-1])


def _stdout(cell: Any) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stdout")


def main(source: str, target: str) -> int:
    """Execute notebook ``source`` (cwd: its folder, as Jupyter would) and save it to ``target``.

    Exits 1 with the failing cell and its traceback when a cell raises.
    """
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(source, as_version=4)
    with tempfile.TemporaryDirectory(prefix="nbkernel-") as tmp:
        km = AsyncKernelManager(
            kernel_name="python3",
            kernel_spec_manager=_ThisPythonKernel(),
            # Unix sockets in a temporary folder: no TCP ports, nothing left behind.
            transport="ipc",
            ip=str(Path(tmp) / "ipc"),
            connection_file=str(Path(tmp) / "kernel.json"),
        )
        client = NotebookClient(
            nb,
            km=km,
            timeout=120,  # per cell: a hang guard, not a speed assertion
            resources={"metadata": {"path": str(Path(source).parent)}},
            extra_arguments=["--InteractiveShell.colors=nocolor"],  # plain tracebacks in logs
        )
        try:
            client.execute()
        except CellExecutionError as err:
            print(f"{source}: a cell failed\n{err}", file=sys.stderr)
            return 1
        finally:
            nbformat.write(nb, target)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
