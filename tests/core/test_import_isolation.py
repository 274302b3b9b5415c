"""`import aimlapi_core` must not load any framework (the README: "a framework-free client")."""

from __future__ import annotations

import json
import subprocess
import sys


def test_core_imports_no_framework() -> None:
    code = (
        "import sys, json, aimlapi_core, aimlapi_core.catalog\n"
        "aimlapi_core.AIMLAPIClient(api_key='k'); aimlapi_core.AsyncAIMLAPIClient(api_key='k')\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    modules = json.loads(out.stdout)
    assert "aimlapi_core._client" in modules  # the probe really imported the client
    framework = [
        m
        for m in modules
        if m.split(".")[0] in {"langchain", "langchain_core", "llama_index", "langgraph"}
    ]
    assert framework == []
    # Nothing heavy either: the core does not build pydantic models.
    assert "pydantic" not in modules
