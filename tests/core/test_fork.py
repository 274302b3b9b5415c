"""A client used before ``os.fork()`` gets a fresh connection pool in the child, sync and async
(as the Anthropic and OpenAI SDKs and database drivers do): parent and children never share a
keep-alive socket, so no process reads another's answer.

The emulator labels each answer with the request it answers (a ``replies=`` function echoing
the prompt, a token unique to each call). The forking runs in a subprocess of its own: forking
pytest itself, with the emulator's thread running, is what the fork docs warn against.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from aimlapi_emulator import Emulator, RecordedRequest

KEY = "sk-fork-safety-0123456789abcdef"
CHILDREN = 3
CALLS = 12  # per process and per client kind: 4 processes x 2 kinds x 12 = 96 calls

SCRIPT = textwrap.dedent(
    """
    import asyncio, json, os, sys
    from aimlapi_core import AIMLAPIClient, AsyncAIMLAPIClient, ChatRequest, Message, TextPart

    base, key, children, calls, out = sys.argv[1:6]
    children, calls = int(children), int(calls)

    def ask(token):
        return ChatRequest(
            model="claude-sonnet-4-20250514", max_tokens=64,
            messages=[Message(role="user", parts=[TextPart(text=token)])],
        )

    sync = AIMLAPIClient(api_key=key, base_url=base, max_retries=0)
    aclient = AsyncAIMLAPIClient(api_key=key, base_url=base, max_retries=0)

    def outcome(call):
        try:
            return call().text
        except Exception as exc:
            return f"error {type(exc).__name__}: {exc}"

    async def async_calls(tag):
        return [
            [f"{tag}-async-{i}", (await aclient.create(ask(f"{tag}-async-{i}"))).text]
            for i in range(calls)
        ]

    def run(tag):
        got = [[f"{tag}-sync-{i}", outcome(lambda: sync.create(ask(f"{tag}-sync-{i}")))]
               for i in range(calls)]
        try:
            got += asyncio.run(async_calls(tag))
        except Exception as exc:
            got.append([f"{tag}-async", f"error {type(exc).__name__}: {exc}"])
        with open(os.path.join(out, f"{tag}.json"), "w") as f:
            json.dump(got, f)

    run("warm")  # both pools opened (and kept alive) before the fork
    pids = []
    for n in range(children):
        pid = os.fork()
        if pid == 0:
            try:
                run(f"child{n}")
            finally:
                os._exit(0)
        pids.append(pid)
    run("parent")
    for pid in pids:
        os.waitpid(pid, 0)
    """
)


def echo(request: RecordedRequest) -> str:
    return "echo " + request.json["messages"][-1]["content"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork: POSIX only")
def test_each_process_reads_only_its_own_answers_after_a_fork(tmp_path: Path) -> None:
    with Emulator(api_key=KEY, replies=echo) as emu:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        args = [emu.base_url, KEY, str(CHILDREN), str(CALLS), str(tmp_path)]
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT, *args], env=env, capture_output=True, timeout=120
        )
    assert done.returncode == 0, done.stderr.decode()
    tags = ["warm", "parent", *(f"child{n}" for n in range(CHILDREN))]
    results = {tag: json.loads((tmp_path / f"{tag}.json").read_text()) for tag in tags}
    wrong = [
        (tag, token, text)
        for tag, pairs in results.items()
        for token, text in pairs
        if text != f"echo {token}"
    ]
    assert wrong == []
    assert sum(len(pairs) for pairs in results.values()) == len(tags) * 2 * CALLS
    assert len(emu.requests) == len(tags) * 2 * CALLS  # every call answered once, none retried
