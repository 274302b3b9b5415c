"""Who imports whom in our four packages, read from every module's ast (nothing is imported).

Two graphs. The *runtime* graph has every import that can execute: at module level and inside
functions (a deferred import is still a dependency, only hidden). The *full* graph adds the
imports under ``if TYPE_CHECKING:``, which never run but still say who knows whom.

Not counted: the implicit edge from a submodule to its package's ``__init__``. Python runs the
package first by design, and a module importing names from its own package's ``__init__``
shows up as an explicit edge (and is caught).
"""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Iterable
from pathlib import Path

PACKAGES = ("aimlapi_core", "aimlapi_emulator", "langchain_aimlapi", "llama_index_aimlapi")


def package_root(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    assert spec is not None, package
    assert spec.origin is not None, package
    return Path(spec.origin).parent


def modules(packages: Iterable[str] = PACKAGES) -> dict[str, Path]:
    """Every module of ``packages``: dotted name -> file."""
    found: dict[str, Path] = {}
    for package in packages:
        root = package_root(package)
        for path in sorted(root.rglob("*.py")):
            parts = [package, *path.relative_to(root).with_suffix("").parts]
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _is_type_checking(node: ast.AST) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(tree: ast.AST, *, type_checking: bool) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement in ``tree``, at any depth (``TYPE_CHECKING`` bodies if asked)."""
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


def targets(node: ast.Import | ast.ImportFrom, package: str) -> list[str]:
    """The dotted names one import reaches from a module of ``package``: ``import a.b`` gives
    ``a.b``; ``from a import b`` gives ``a.b`` (a submodule or a name of ``a``: either way the
    longest prefix that is a module is the one imported); relative imports made absolute."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = package.split(".")
        base = base[: len(base) - (node.level - 1)]
        source = ".".join([*base, node.module] if node.module else base)
    else:
        source = node.module or ""
    return [f"{source}.{alias.name}" for alias in node.names]


def imported_names(path: Path, module: str, *, type_checking: bool = True) -> list[str]:
    """Every dotted name the imports of ``module`` (read from ``path``) reach, at any depth."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return [
        t for node in imports(tree, type_checking=type_checking) for t in targets(node, package)
    ]


def resolve(name: str, known: dict[str, Path]) -> str | None:
    """The module of ours that ``name`` (a module or a name inside one) refers to."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def import_graph(
    packages: Iterable[str] = PACKAGES, *, type_checking: bool = False
) -> dict[str, set[str]]:
    known = modules(packages)
    graph: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        for target in imported_names(path, name, type_checking=type_checking):
            found = resolve(target, known)
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


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every group of modules that import each other (directly or around a loop), sorted: the
    strongly connected components of more than one module, or of one importing itself."""
    reach = {node: reachable(graph, node) for node in graph}
    groups = {
        tuple(sorted({node} | {other for other in reach[node] if node in reach[other]}))
        for node in graph
        if node in reach[node]
    }
    return sorted(list(group) for group in groups)


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in graph[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen
