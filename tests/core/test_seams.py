"""The seam between the core and the adapters, read from every module's ast.

* ``langchain_aimlapi`` and ``llama_index_aimlapi`` import public names of the core only:
  no module or name whose path has a ``_``-prefixed part after ``aimlapi_core``. Their kit is
  the public ``aimlapi_core.adapter`` (its own ``_`` modules are reached through it).
* Inside the core, only ``aimlapi_core.adapter`` imports pydantic; the rest is framework-free
  (``_client_settings.py`` names pydantic in prose only, which is why this reads the ast).
* The core below the kit never imports the kit: the adapters build on the core, not back.

Every import form counts: ``import``, ``from ... import``, relative, inside functions and under
``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from import_walk import imported_names, imports, modules, targets

ADAPTERS = ("langchain_aimlapi", "llama_index_aimlapi")
KIT = "aimlapi_core.adapter"
PYDANTIC = {"pydantic", "pydantic_core", "pydantic_settings"}


def private_core_names(names: list[str]) -> list[str]:
    """The names that reach a ``_``-prefixed part of ``aimlapi_core`` outside the kit."""
    found = []
    for name in names:
        parts = name.split(".")
        if parts[0] != "aimlapi_core" or name == KIT or name.startswith(KIT + "."):
            continue
        if any(p.startswith("_") and not p.startswith("__") for p in parts[1:]):
            found.append(name)
    return found


def test_the_checks_see_every_import_form() -> None:
    source = (
        "import typing\n"
        "from aimlapi_core import _rules\n"
        "import aimlapi_core._types as t\n"
        "from aimlapi_core._lazy import lazy_attributes\n"
        "from aimlapi_core import __version__, ChatRequest\n"
        "from aimlapi_core.adapter import rules\n"
        "if typing.TYPE_CHECKING:\n    from aimlapi_core._client import AIMLAPIClient\n"
        "def f():\n    from aimlapi_core.wire import _common\n    import pydantic.fields\n"
    )
    names = [
        n for node in imports(ast.parse(source), type_checking=True) for n in targets(node, "x")
    ]
    assert sorted(private_core_names(names)) == [
        "aimlapi_core._client.AIMLAPIClient",
        "aimlapi_core._lazy.lazy_attributes",
        "aimlapi_core._rules",
        "aimlapi_core._types",
        "aimlapi_core.wire._common",
    ]
    assert "pydantic.fields" in names  # the pydantic check reads the first part of each name


@pytest.mark.parametrize("package", ADAPTERS)
def test_the_adapters_import_only_public_core_names_and_the_adapter_kit(package: str) -> None:
    crossings = {
        module: private
        for module, path in modules((package,)).items()
        if (private := private_core_names(imported_names(path, module)))
    }
    assert crossings == {}
    # And they do use the kit (the check above is not passing by reading nothing).
    kit_users = [
        m
        for m, p in modules((package,)).items()
        if any(n.startswith(KIT) for n in imported_names(p, m))
    ]
    assert len(kit_users) >= 4


def _core_modules() -> dict[str, Path]:
    return modules(("aimlapi_core",))


def test_only_the_adapter_kit_imports_pydantic_inside_the_core() -> None:
    importers = {
        module
        for module, path in _core_modules().items()
        if any(n.split(".")[0] in PYDANTIC for n in imported_names(path, module))
    }
    assert importers  # the kit does: the check reads what it must
    assert {m for m in importers if not (m == KIT or m.startswith(KIT + "."))} == set()


def test_the_core_below_the_kit_never_imports_it() -> None:
    upward = {
        module
        for module, path in _core_modules().items()
        if not (module == KIT or module.startswith(KIT + "."))
        and any(n == KIT or n.startswith(KIT + ".") for n in imported_names(path, module))
    }
    assert upward == set()
