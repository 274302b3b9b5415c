"""`make dist-check`: the built distribution installs and works, as a user would get it.

1. The wheel in ``dist/`` with each extra (none, ``langchain``, ``llama-index``, ``emulator``,
   ``all``) goes into its own clean venv (uv, from the package index), and a call is made from
   that venv against an emulator on loopback; the extras ``demo`` and ``notebooks`` are resolved
   (``--dry-run``). The sdist is built into a wheel and installed with no extra.
2. Every ``pip install`` command of the "Install" sections of README.md and
   docs/getting-started.md runs as written, each in a clean venv made by ``python -m venv``
   with the pip that ships with the interpreter (pip 23.2 on Python 3.11: no upgrade, as a
   newcomer has it), followed by a LangChain call against the emulator.
3. ``".[langchain,llama-index]" "langchain>=1.5" "langchain-core>=1.8"`` resolves together.

Usage: ``python scripts/check_dist.py dist`` (run from anywhere; exits 1 on the first failure).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from aimlapi_emulator import Emulator

ROOT = Path(__file__).resolve().parents[1]
UV = shutil.which("uv", path=str(Path(sys.executable).parent)) or "uv"

CORE_CALL = """
from aimlapi_core import AIMLAPIClient, ChatRequest, Message, TextPart
with AIMLAPIClient() as client:
    result = client.create(ChatRequest(model="claude-sonnet-4", max_tokens=64,
        messages=[Message(role="user", parts=[TextPart(text="Hello")])]))
print("core:", result.text[:40])
"""
LANGCHAIN_CALL = """
from langchain_aimlapi import ChatAIMLAPI
print("langchain:", ChatAIMLAPI(max_tokens=64).invoke("Hello").text[:40])
"""
LLAMA_INDEX_CALL = """
from llama_index_aimlapi import AIMLAPI
print("llama-index:", AIMLAPI(max_tokens=64).complete("Hello").text[:40])
"""
EMULATOR_CALL = """
import httpx
from aimlapi_emulator import Emulator
with Emulator() as emu:
    r = httpx.post(emu.base_url + "/chat/completions",
        headers={"Authorization": f"Bearer {emu.api_key}"},
        json={"model": "claude-sonnet-4", "max_tokens": 64,
              "messages": [{"role": "user", "content": "Hello"}]})
    r.raise_for_status()
    print("emulator:", r.json()["choices"][0]["message"]["content"][:40])
"""
ABSENT = "import importlib.util as u; assert u.find_spec({name!r}) is None, {name!r}\n"

# extra -> (code run in the venv, import packages that must NOT be installed with it)
EXTRAS: dict[str, tuple[str, list[str]]] = {
    "": (CORE_CALL, ["langchain_core", "llama_index", "starlette"]),
    "langchain": (LANGCHAIN_CALL, ["llama_index", "starlette"]),
    "llama-index": (LLAMA_INDEX_CALL, ["langchain_core", "starlette"]),
    "emulator": (EMULATOR_CALL, ["langchain_core", "llama_index"]),
    "all": (CORE_CALL + LANGCHAIN_CALL + LLAMA_INDEX_CALL + EMULATOR_CALL, []),
}
RESOLVE_ONLY = ["demo", "notebooks"]


def run(cmd: list[str] | str, **kwargs: object) -> str:
    shell = isinstance(cmd, str)
    shown = cmd if shell else " ".join(map(str, cmd))
    print(f"$ {shown}", flush=True)
    proc = subprocess.run(cmd, shell=shell, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]
    if proc.returncode != 0:
        print(proc.stdout[-4000:], proc.stderr[-4000:], sep="\n", file=sys.stderr)
        raise SystemExit(f"FAILED ({proc.returncode}): {shown}")
    return str(proc.stdout)


def venv(where: Path) -> Path:
    run([UV, "venv", "--quiet", "--python", sys.executable, str(where)])
    return where / "bin" / "python"


def venv_with_its_own_pip(where: Path) -> Path:
    """A venv as ``python3 -m venv`` makes it: the pip bundled with the interpreter (ensurepip),
    not upgraded, so a command that needs a newer pip fails here as it would for a user."""
    run([sys.executable, "-m", "venv", str(where)])
    python = where / "bin" / "python"
    print(run([str(python), "-m", "pip", "--version"]).strip())
    return python


def call(python: Path, code: str, emu: Emulator) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIMLAPI_")}
    env |= {"AIMLAPI_API_KEY": emu.api_key, "AIMLAPI_BASE_URL": emu.base_url}
    before = len(emu.requests)
    # From a temporary folder: the checkout's own packages must not shadow the installed ones.
    with tempfile.TemporaryDirectory() as cwd:
        print(run([str(python), "-c", code], env=env, cwd=cwd).rstrip())
    if "Emulator()" not in code and len(emu.requests) == before:
        raise SystemExit("FAILED: the call sent no request to the emulator")


# The pages whose "## Install" section a newcomer copies commands from.
INSTALL_PAGES = ("README.md", "docs/getting-started.md")


def documented_install_commands() -> list[str]:
    """Every ``pip install`` line of the pages' Install sections (comments dropped)."""
    commands = []
    for page in INSTALL_PAGES:
        text = (ROOT / page).read_text(encoding="utf-8")
        section = text.split("\n## Install", 1)[1].split("\n## ", 1)[0]
        blocks = re.findall(r"```sh\n(.*?)```", section, re.DOTALL)
        if not blocks:
            raise SystemExit(f"FAILED: {page}'s Install section has no ```sh block")
        for line in "".join(blocks).splitlines():
            for part in line.split(" #", 1)[0].split("&&"):
                command = part.strip()
                if command.startswith("pip install ") and command not in commands:
                    commands.append(command)
    return commands


def main(dist: str) -> int:
    started = time.monotonic()
    dist_dir = Path(dist).resolve()
    (wheel,) = dist_dir.glob("*.whl")
    (sdist,) = dist_dir.glob("*.tar.gz")
    with tempfile.TemporaryDirectory(prefix="dist-check-") as tmp, Emulator() as emu:
        base = Path(tmp)
        for extra, (code, absent) in EXTRAS.items():
            python = venv(base / (extra or "core"))
            spec = f"{wheel}[{extra}]" if extra else str(wheel)
            run([UV, "pip", "install", "--quiet", "--python", str(python), spec])
            call(python, "".join(ABSENT.format(name=n) for n in absent) + code, emu)
        for extra in RESOLVE_ONLY:
            python = venv(base / extra)
            run([UV, "pip", "install", "--dry-run", "--python", str(python), f"{wheel}[{extra}]"])

        python = venv(base / "sdist")
        run([UV, "pip", "install", "--quiet", "--python", str(python), str(sdist)])
        call(python, CORE_CALL, emu)

        python = venv(base / "newest")
        newest = ["langchain>=1.5", "langchain-core>=1.8"]
        spec = f"{ROOT}[langchain,llama-index]"
        run([UV, "pip", "install", "--dry-run", "--python", str(python), spec, *newest])

        # `make dist` (in the wheel command's block) is what made dist/: done.
        for i, command in enumerate(documented_install_commands()):
            python = venv_with_its_own_pip(base / f"documented-{i}")
            run(f"{python} -m {command} --quiet", cwd=ROOT)
            call(python, LANGCHAIN_CALL, emu)
    print(f"dist-check: all passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
