"""What the docs' code blocks are, and how one runs: shared by tests/e2e/test_doc_snippets.py
(every page) and the pages with a test of their own (tests/e2e/test_docs_batches.py).

The pages are README.md and every ``docs/*.md`` (a page added later is picked up by the glob).
A fenced block is run according to its language:

- ``python`` (or ``py``): a script. It runs in its own Python subprocess with only
  ``AIMLAPI_API_KEY`` and ``AIMLAPI_BASE_URL`` pointing at a fresh emulator, as a reader who
  exported those two would run it; if it defines top-level ``test_*`` functions it is a test
  file, and runs under pytest.
- ``pycon``: an interactive session, checked with doctest.
- anything else (``sh``, ``text``, ``json``...): shown, not run. A sketch that is not meant
  to run is fenced ``text``, never ``python``.

Every ``python`` and ``pycon`` block starts with a line saying what it needs installed,
``# needs: aimlapi-integrations[langchain]`` (no brackets: the core alone); the imports are
checked against it (:func:`needed_extras`).
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[2]
RUN = ("python", "py", "pycon")
# ```lang [attributes]\n ... ``` at the start of a line (not indented: no nested fences here).
_FENCE = re.compile(r"^```([A-Za-z0-9_+-]*)[^\n]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
_NEEDS = re.compile(r"^# needs: aimlapi-integrations(?:\[([a-z0-9,-]+)\])?[ \t]*$")
# Runs a block from stdin; compile() gives tracebacks the page's path and line numbers.
RUNNER = (
    "import sys; src = sys.stdin.read(); "
    "exec(compile(src, sys.argv[1], 'exec'), {'__name__': '__main__'})"
)

# The top-level module a block imports -> the extra that brings it (None: the core's own
# dependencies). A module in neither this table nor the standard library fails the check.
EXTRA_OF_MODULE: dict[str, str | None] = {
    "aimlapi_core": None,
    "httpx": None,
    "pydantic": None,
    "pytest": None,  # a test-file block runs under the reader's own pytest
    "langchain_aimlapi": "langchain",
    "langchain_core": "langchain",
    "langchain": "agents",
    "langgraph": "agents",
    "llama_index_aimlapi": "llama-index",
    "llama_index": "llama-index",
    "aimlapi_emulator": "emulator",
    "ray": "ray",
    "tqdm": "ray",
}


@dataclass(frozen=True)
class Block:
    page: str  # path from the repository root
    line: int  # page line of the block's first code line
    lang: str
    code: str

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"

    @property
    def is_test_file(self) -> bool:
        functions = (ast.FunctionDef, ast.AsyncFunctionDef)
        return any(
            isinstance(node, functions) and node.name.startswith("test_")
            for node in ast.parse(self.code).body
        )


def pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def blocks(text: str, page: str) -> list[Block]:
    return [
        Block(page, text.count("\n", 0, m.start(2)) + 1, m.group(1), m.group(2))
        for m in _FENCE.finditer(text)
    ]


def runnable_blocks(path: Path) -> list[Block]:
    page = path.relative_to(ROOT).as_posix()
    return [b for b in blocks(path.read_text(encoding="utf-8"), page) if b.lang in RUN]


def padded(block: Block) -> str:
    """The block's code preceded by blank lines, so line numbers are the page's."""
    return "\n" * (block.line - 1) + block.code


# --------------------------------------------------------------------------- the needs: line


def declared_extras(block: Block) -> set[str] | None:
    """The extras the block's first line names (empty: the core alone), or None without one."""
    first = block.code.split("\n", 1)[0]
    match = _NEEDS.match(first)
    if match is None:
        return None
    return set(filter(None, (match.group(1) or "").split(",")))


def imported_modules(block: Block) -> set[str]:
    source = block.code
    if block.lang == "pycon":
        source = "\n".join(
            line[4:] for line in source.splitlines() if line.startswith((">>> ", "... "))
        )
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module.split(".")[0])
    return modules


def needed_extras(block: Block) -> set[str]:
    """The extras the block's imports need; raises ValueError for a module of unknown origin."""
    needed = set()
    for module in imported_modules(block):
        if module in EXTRA_OF_MODULE:
            extra = EXTRA_OF_MODULE[module]
            if extra is not None:
                needed.add(extra)
        elif module not in sys.stdlib_module_names:
            raise ValueError(f"{block.id} imports {module!r}: add it to EXTRA_OF_MODULE")
    return needed


def extras_brought_by() -> dict[str, set[str]]:
    """pyproject.toml's extras -> every extra each brings (itself, and those it names)."""
    table = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    direct = {
        name: {
            extra
            for dep in deps
            if dep.startswith("aimlapi-integrations[")
            for extra in dep.split("[", 1)[1].rstrip("]").split(",")
        }
        for name, deps in table["optional-dependencies"].items()
    }

    def closure(name: str) -> set[str]:
        return {name}.union(*(closure(e) for e in direct[name]))

    return {name: closure(name) for name in direct}


def needs_problem(block: Block) -> str | None:
    """Why the block's ``# needs:`` line is wrong, or None: it must name exactly the extras its
    imports need, none brought by another it names (``agents`` brings ``langchain``)."""
    declared = declared_extras(block)
    needed = needed_extras(block)
    wanted = "[" + ",".join(sorted(needed)) + "]" if needed else ""
    if declared is None:
        return f"{block.id}: first line must be '# needs: aimlapi-integrations{wanted}'"
    brought = extras_brought_by()
    unknown = declared - brought.keys()
    if unknown:
        return f"{block.id}: no such extra {sorted(unknown)} in pyproject.toml"
    covered = set().union(*(brought[e] for e in declared)) if declared else set()
    if not needed <= covered:
        return f"{block.id}: imports need {sorted(needed - covered)}, not in its needs: line"
    for extra in declared:
        others = set().union(*(brought[e] for e in declared - {extra}))
        if extra in others or not brought[extra] & needed:
            return f"{block.id}: '{extra}' in its needs: line is not needed"
    return None
