"""What a chat model does not need is imported on first use, and every public name still resolves.

``aimlapi_core`` loads the Batches API (``_batches``, ``wire.batches``) lazily, the adapters
their embedding models (PEP 562 ``__getattr__`` in each ``__init__.py``). Each probe runs in a
fresh interpreter, since this test process has imported everything already.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

BATCH_MODULES = [
    "aimlapi_core._batches",
    "aimlapi_core.wire.batches",
    "aimlapi_core.wire.batch_answers",
]

# package -> {lazy name: the module that defines it}
LAZY = {
    "aimlapi_core": {
        "AsyncBatches": "aimlapi_core._batches",
        "Batches": "aimlapi_core._batches",
        "in_input_order": "aimlapi_core._batches",
        "Batch": "aimlapi_core.wire.batch_answers",
        "BatchCounts": "aimlapi_core.wire.batch_answers",
        "BatchResult": "aimlapi_core.wire.batch_answers",
    },
    "langchain_aimlapi": {
        "AIMLAPIEmbeddings": "langchain_aimlapi.embeddings",
        "AimlapiEmbeddings": "langchain_aimlapi.embeddings",
    },
    "llama_index_aimlapi": {"AIMLAPIEmbedding": "llama_index_aimlapi.embeddings"},
}


def _probe(code: str) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize("package", ["aimlapi_core", "langchain_aimlapi", "llama_index_aimlapi"])
def test_importing_a_package_leaves_the_batch_api_and_its_lazy_names_unloaded(
    package: str,
) -> None:
    # The chat path in full: the package, then a client the way a chat call builds one.
    build = {
        "aimlapi_core": "m.AIMLAPIClient(api_key='k'); m.AsyncAIMLAPIClient(api_key='k')",
        "langchain_aimlapi": "m.ChatAIMLAPI(api_key='k')._sync_core()",
        "llama_index_aimlapi": "m.AIMLAPI(api_key='k')._sync_core()",
    }[package]
    code = (
        f"import sys, json, importlib\nm = importlib.import_module({package!r})\n{build}\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    modules = _probe(code)
    assert isinstance(modules, list)
    assert "aimlapi_core._client" in modules  # the probe did build a client
    assert [m for m in BATCH_MODULES if m in modules] == []
    lazy_modules = {m for m in LAZY[package].values() if not m.startswith("aimlapi_core.wire")}
    assert [m for m in lazy_modules if m in modules] == []


@pytest.mark.parametrize("package", sorted(LAZY))
def test_every_lazy_name_resolves_to_its_defining_modules_object(package: str) -> None:
    names = LAZY[package]
    code = (
        "import sys, json, importlib\n"
        f"pkg = importlib.import_module({package!r})\n"
        f"names = {names!r}\n"
        "listed = {n: (n in pkg.__all__, n in dir(pkg)) for n in names}\n"
        "same = {n: getattr(pkg, n) is getattr(importlib.import_module(mod), n)"
        " for n, mod in names.items()}\n"
        "star = {}\n"
        f"exec('from {package} import *', star)\n"
        "missing = [n for n in pkg.__all__ if n not in star]\n"
        "try:\n"
        "    pkg.NoSuchName\n"
        "    unknown = 'resolved'\n"
        "except AttributeError as e:\n"
        "    unknown = str(e)\n"
        "print(json.dumps({'listed': listed, 'same': same, 'missing': missing,"
        " 'unknown': unknown}))"
    )
    result = _probe(code)
    assert result["listed"] == {n: [True, True] for n in names}
    assert result["same"] == dict.fromkeys(names, True)
    assert result["missing"] == []
    assert result["unknown"] == f"module {package!r} has no attribute 'NoSuchName'"


def test_the_batches_api_loads_when_a_client_uses_it() -> None:
    code = (
        "import sys, json, aimlapi_core\n"
        "before = 'aimlapi_core._batches' in sys.modules\n"
        "b = aimlapi_core.AIMLAPIClient(api_key='k').batches\n"
        "a = aimlapi_core.AsyncAIMLAPIClient(api_key='k').batches\n"
        "print(json.dumps([before, type(b).__name__, type(a).__name__,"
        " type(b) is aimlapi_core.Batches, type(a) is aimlapi_core.AsyncBatches]))"
    )
    assert _probe(code) == [False, "Batches", "AsyncBatches", True, True]  # type: ignore[comparison-overlap]
