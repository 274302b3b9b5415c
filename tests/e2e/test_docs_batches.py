"""Every ```python block of docs/batches.md runs as written against a fresh emulator — the
Batches API examples and the Ray recipe (a local Ray with 2 CPUs).

Each block runs in its own subprocess with only ``AIMLAPI_API_KEY`` / ``AIMLAPI_BASE_URL``
pointing at the emulator, as every page's blocks do (tests/e2e/doc_snippets.py); this page
has a test of its own for the emulator its examples need (scripted answers, one batch poll).
The emulator accepts that key only, so every answer the Ray workers got proves the key
travelled inside the pickled models; the recipe's own check shows it was not in the workers'
environment.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest
from doc_snippets import ROOT, RUNNER, runnable_blocks

from aimlapi_emulator import Emulator, RecordedRequest

KEY = "sk-docs-batches-6a1f0e93"
BLOCKS = [(b.line, b.code) for b in runnable_blocks(ROOT / "docs" / "batches.md")]


def say(request: RecordedRequest) -> str:
    """Scripted answers: the quoted words of 'Say "..."', else the prompt quoted back."""
    content = request.json["messages"][-1]["content"]
    text = content if isinstance(content, str) else content[-1]["text"]
    match = re.search(r'[Ss]ay "([^"]+)"', text)
    return match.group(1) if match else f"re: {text}"


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(api_key=KEY, batch_polls=1, replies=say) as emu:
        yield emu


def run(line: int, code: str, emu: Emulator) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIMLAPI_")}
    env.update(
        AIMLAPI_API_KEY=KEY,
        AIMLAPI_BASE_URL=emu.base_url,
        RAY_USAGE_STATS_ENABLED="0",
        PYTHONWARNINGS="ignore",
    )
    return subprocess.run(
        [sys.executable, "-c", RUNNER, "docs/batches.md"],
        input="\n" * (line - 1) + code,
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )


def test_the_doc_has_the_three_api_blocks_and_the_recipe() -> None:
    assert len(BLOCKS) == 4
    assert "ray.init(num_cpus=2" in BLOCKS[-1][1]


@pytest.mark.parametrize(("line", "code"), BLOCKS[:3], ids=[f"line{b[0]}" for b in BLOCKS[:3]])
def test_api_block_runs(line: int, code: str, emu: Emulator) -> None:
    done = run(line, code, emu)
    assert done.returncode == 0, done.stderr[-3000:]
    posts = [r for r in emu.requests if r.method == "POST" and r.path == "/v1/batches"]
    assert len(posts) == 1
    assert posts[0].json is not None
    sent = len(posts[0].json["requests"])
    assert any(r.method == "GET" for r in emu.requests)
    answers = [line for line in done.stdout.splitlines() if line and not line.startswith("sub")]
    assert len(answers) >= sent


def test_ray_recipe_runs_on_a_local_ray(emu: Emulator) -> None:
    pytest.importorskip("ray", reason="needs the ray extra (make test-oldest does not install it)")
    line, code = BLOCKS[-1]
    done = run(line, code, emu)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout.splitlines()
    labelled = [x for x in out if " -> " in x]
    assert sorted(labelled) == sorted(f'Say "review {i} ok" -> review {i} ok' for i in range(12))
    assert sorted(x for x in out if x.startswith("doc ")) == [
        f"doc {i} summarised" for i in range(6)
    ]
    assert "key in a worker's environment: False" in out
    # The recipe sets no api=: the default model's full-fidelity endpoint, /messages.
    chats = [r for r in emu.requests if r.path == "/v1/messages"]
    assert len(chats) == 18  # 12 rows through the chain, 6 LlamaIndex tasks
    assert all(r.json is not None and r.json["max_tokens"] == 64 for r in chats)
