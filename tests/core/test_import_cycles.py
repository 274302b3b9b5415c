"""The imports inside ``aimlapi_core`` run one way: no cycle, found by reading every module's ast.

Every ``import`` / ``from ... import`` counts, wherever it stands: at module level, inside a
function (a deferred import is still a dependency, only hidden) and under ``if TYPE_CHECKING:``
(a type-only cycle still means two modules each know the other). The one edge not counted is
the implicit one from a submodule to its package's ``__init__``: Python runs the package first
by design, and no module of ours imports names from its own package's ``__init__`` (that would
show up as an explicit edge and be caught).
"""

from __future__ import annotations

import ast
from pathlib import Path

import aimlapi_core

ROOT = Path(aimlapi_core.__file__).parent
PACKAGE = "aimlapi_core"


def _module_name(path: Path) -> str:
    parts = [PACKAGE, *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The module of ours that ``name`` (a module or a name inside one) refers to."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        package = name if is_package else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    module = ".".join([*base, node.module] if node.module else base)
                else:
                    module = node.module or ""
                # `from pkg import mod` names a submodule, `from mod import name` a module's
                # name: either way the longest prefix that is one of our modules.
                targets = [f"{module}.{alias.name}" for alias in node.names]
            for target in targets:
                found = _resolve(target, modules) if target.startswith(PACKAGE) else None
                if found is not None and found != name:
                    graph[name].add(found)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a path ``[a, b, ..., a]``, or ``None``."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)) is not None:
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)) is not None:
            return cycle
    return None


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in graph[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_the_walker_sees_the_imports_it_must() -> None:
    graph = import_graph()
    # A module-level relative import, a parent-relative one and a package import.
    assert "aimlapi_core._types" in graph["aimlapi_core._accumulate"]
    assert "aimlapi_core._json" in graph["aimlapi_core.wire._common"]
    assert "aimlapi_core.wire" in graph["aimlapi_core._client"]
    assert "aimlapi_core.wire.chat_completions" in graph["aimlapi_core.wire"]
    assert len(graph) >= 20  # every module was read, the wire subpackage included


def test_the_cycle_finder_finds_cycles() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"c"}}) == ["c", "c"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_no_import_cycle_inside_the_core() -> None:
    assert find_cycle(import_graph()) is None


def test_the_accumulator_is_independent_of_the_wire_layer() -> None:
    # Neutral events in, a neutral result out: which dialect produced them is not its business.
    graph = import_graph()
    wire = {m for m in graph if m == "aimlapi_core.wire" or m.startswith("aimlapi_core.wire.")}
    assert reachable(graph, "aimlapi_core._accumulate") & wire == set()


def test_the_wire_modules_never_import_their_registry() -> None:
    graph = import_graph()
    for name, targets in graph.items():
        if name.startswith("aimlapi_core.wire."):
            assert "aimlapi_core.wire" not in targets, name
