"""The imports inside ``aimlapi_core`` run one way: no cycle, found by reading every module's ast.

Two graphs. The *runtime* graph has every import that can execute: at module level and inside
functions (a deferred import is still a dependency, only hidden); it must have no cycle. The
*full* graph adds the imports under ``if TYPE_CHECKING:``, which never run (a helper typed with
the client that owns it is the usual, harmless case) but still say who knows whom: in it, the
layers below the transport (the wire, the neutral model, the accumulator) must not reach the
client, the stream or the transport at all.

Not counted: the implicit edge from a submodule to its package's ``__init__``. Python runs the
package first by design, and a module importing names from its own package's ``__init__``
shows up as an explicit edge (and is caught).
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


def _is_type_checking(node: ast.AST) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, *, type_checking: bool) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        if _is_type_checking(node) and not type_checking:
            assert isinstance(node, ast.If)
            todo.extend(node.orelse)  # the body never runs; an else branch would
            continue
        todo.extend(ast.iter_child_nodes(node))
    return found


def import_graph(*, type_checking: bool = False) -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        package = name if is_package else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in _imports(tree, type_checking=type_checking):
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
    graph, full = import_graph(), import_graph(type_checking=True)
    # A relative import, an absolute one, a package import, a function-level one.
    assert "aimlapi_core._types" in graph["aimlapi_core._accumulate"]
    assert "aimlapi_core._json" in graph["aimlapi_core.wire._common"]
    assert "aimlapi_core.wire" in graph["aimlapi_core._base_client"]
    assert "aimlapi_core.wire.chat_completions" in graph["aimlapi_core.wire"]
    # TYPE_CHECKING imports only in the full graph (wire/__init__ imports _sse for types only).
    assert "aimlapi_core._sse" not in graph["aimlapi_core.wire"]
    assert "aimlapi_core._sse" in full["aimlapi_core.wire"]
    assert len(graph) >= 20  # every module was read, the wire subpackage included


def test_function_level_and_type_checking_imports_are_told_apart() -> None:
    tree = ast.parse(
        "import typing\n"
        "if typing.TYPE_CHECKING:\n    import a\nelse:\n    import b\n"
        "def f():\n    import c\n"
    )
    runtime = sorted(n.names[0].name for n in _imports(tree, type_checking=False))
    full = sorted(n.names[0].name for n in _imports(tree, type_checking=True))
    assert (runtime, full) == (["b", "c", "typing"], ["a", "b", "c", "typing"])


def test_the_cycle_finder_finds_cycles() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"c"}}) == ["c", "c"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_no_import_cycle_inside_the_core() -> None:
    assert find_cycle(import_graph()) is None


def test_the_layers_below_the_transport_do_not_know_it_even_for_types() -> None:
    full = import_graph(type_checking=True)
    upper = {"aimlapi_core", "aimlapi_core._client", "aimlapi_core._stream"}
    upper |= {"aimlapi_core._base_client", "aimlapi_core._async_client"}
    upper.add("aimlapi_core._exchange")
    lower = [m for m in full if m.startswith("aimlapi_core.wire")]
    lower += [f"aimlapi_core.{m}" for m in ("_accumulate", "_types", "_json", "_sse", "errors")]
    for name in lower:
        assert reachable(full, name) & upper == set(), name


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
