"""The imports inside our four packages run one way: no cycle, found by reading every module's ast.

The graphs (``import_walk.py``): the *runtime* graph has every import that can execute, at
module level and inside functions (a deferred import is still a dependency, only hidden); the
*full* graph adds the imports under ``if TYPE_CHECKING:``. Neither may have a cycle in any of
``aimlapi_core``, ``aimlapi_emulator``, ``langchain_aimlapi`` and ``llama_index_aimlapi``: a
helper that needs something of its owner types it with a small protocol of what it needs. In
the core, the layers below the transport (the wire, the neutral model, the accumulator) must
not reach the client, the stream or the transport at all.
"""

from __future__ import annotations

import ast

import pytest
from import_walk import PACKAGES, cycles, find_cycle, imports, reachable
from import_walk import import_graph as _graph


def import_graph(*, type_checking: bool = False) -> dict[str, set[str]]:
    """The core's own graph (its modules and the edges between them)."""
    return _graph(("aimlapi_core",), type_checking=type_checking)


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
    runtime = sorted(n.names[0].name for n in imports(tree, type_checking=False))
    full = sorted(n.names[0].name for n in imports(tree, type_checking=True))
    assert (runtime, full) == (["b", "c", "typing"], ["a", "b", "c", "typing"])


def test_the_cycle_finder_finds_cycles() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"c"}}) == ["c", "c"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_no_import_cycle_inside_the_core() -> None:
    assert find_cycle(import_graph()) is None


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_cycle_in_any_package_counting_type_checking_and_deferred_imports(
    package: str,
) -> None:
    full = _graph(PACKAGES, type_checking=True)
    mine = [group for group in cycles(full) if group[0].split(".")[0] == package]
    assert mine == []


def test_the_walker_reads_all_four_packages_and_their_edges_across() -> None:
    full = _graph(PACKAGES, type_checking=True)
    assert {name.split(".")[0] for name in full} == set(PACKAGES)
    assert "aimlapi_core.adapter" in full["langchain_aimlapi.chat_models"]
    assert "aimlapi_core.adapter" in full["llama_index_aimlapi.base"]
    # The adapters' batch handles know their clients, not the chat model that made them.
    assert "langchain_aimlapi.chat_models" not in full["langchain_aimlapi._batch"]
    assert "llama_index_aimlapi.base" not in full["llama_index_aimlapi._batch"]


def test_the_cycle_lister_names_every_group() -> None:
    graph = {"a": {"b"}, "b": {"a"}, "c": {"c"}, "d": {"a"}, "e": {"f"}, "f": set()}
    assert cycles(graph) == [["a", "b"], ["c"]]


def test_the_layers_below_the_transport_do_not_know_it_even_for_types() -> None:
    full = import_graph(type_checking=True)
    upper = {"aimlapi_core", "aimlapi_core._client", "aimlapi_core._stream"}
    upper |= {"aimlapi_core._base_client", "aimlapi_core._async_client"}
    upper.add("aimlapi_core._exchange")
    lower = [m for m in full if m.startswith("aimlapi_core.wire")]
    lower += [
        f"aimlapi_core.{m}" for m in ("_accumulate", "_types", "_parts", "_json", "_sse", "errors")
    ]
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
