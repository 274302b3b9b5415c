"""Client-process CPU per call, as a ratio to a bare httpx call of the same request.

The emulator runs in a separate process (``python -m aimlapi_emulator``), so only the client's
own work is measured (``time.process_time`` of this process). Targets from DESIGN.md:

    aimlapi_core client     <= 1.15x whole and streamed
    ChatAIMLAPI             <= 1.5x whole, <= 2.0x streamed
    AIMLAPI (LlamaIndex)    <= 1.6x whole, <= 2.5x streamed
    import langchain_aimlapi <= 0.6 s cold

Run: ``.venv/bin/python benchmarks/overhead.py [--calls N]``. Numbers vary with the machine's
load; compare ratios from one run, never assert on them in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import httpx

MODEL = "claude-sonnet-4-20250514"
PROMPT = "Write a short paragraph about the sea."
KEY = "bench-key"


def start_emulator() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "aimlapi_emulator", "--port", "0", "--api-key", KEY],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    base_url = line.strip().split()[-1]
    if not base_url.startswith("http"):
        proc.terminate()
        raise RuntimeError(f"emulator did not print its base URL: {line!r}")
    return proc, base_url


def cpu_per_call(fns: list[Callable[[], None]], calls: int, rounds: int) -> list[float]:
    """Median over interleaved rounds of CPU seconds per call, one figure per function.

    Interleaving spreads drift (GC, caches, the other core's load) over every client alike
    instead of charging it to whichever ran last."""
    for fn in fns:  # warm pools and imports
        for _ in range(5):
            fn()
    samples: list[list[float]] = [[] for _ in fns]
    for _ in range(rounds):
        for fn, out in zip(fns, samples, strict=True):
            start = time.process_time()
            for _ in range(calls):
                fn()
            out.append((time.process_time() - start) / calls)
    return [statistics.median(s) for s in samples]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=100, help="calls per round")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    proc, base_url = start_emulator()
    try:
        run(base_url, args.calls, args.rounds)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def run(base_url: str, calls: int, rounds: int) -> None:
    from aimlapi_core import AIMLAPIClient, ChatRequest, Message, TextPart

    body = {
        "model": MODEL,
        "messages": [{"role": "user", "content": PROMPT}],
        "max_tokens": 256,
    }
    headers = {"Authorization": f"Bearer {KEY}"}
    http = httpx.Client(base_url=base_url, headers=headers, timeout=30)

    def bare_whole() -> None:
        json.loads(http.post("/chat/completions", json=body).content)

    def bare_stream() -> None:
        with http.stream("POST", "/chat/completions", json={**body, "stream": True}) as r:
            for line in r.iter_lines():
                if line.startswith("data: ") and line != "data: [DONE]":
                    json.loads(line[6:])

    core = AIMLAPIClient(api_key=KEY, base_url=base_url)
    request = ChatRequest(
        model=MODEL, messages=[Message(role="user", parts=[TextPart(text=PROMPT)])], max_tokens=256
    )

    def core_whole() -> None:
        core.create(request)

    def core_stream() -> None:
        with core.stream(request) as s:
            for _ in s:
                pass

    from langchain_aimlapi import ChatAIMLAPI

    lc = ChatAIMLAPI(model=MODEL, api_key=KEY, base_url=base_url, max_tokens=256)

    def lc_whole() -> None:
        lc.invoke(PROMPT)

    def lc_stream() -> None:
        for _ in lc.stream(PROMPT):
            pass

    from llama_index.core.llms import ChatMessage

    from llama_index_aimlapi import AIMLAPI

    li = AIMLAPI(model=MODEL, api_key=KEY, base_url=base_url, max_tokens=256)
    li_msgs = [ChatMessage(role="user", content=PROMPT)]

    def li_whole() -> None:
        li.chat(li_msgs)

    def li_stream() -> None:
        for _ in li.stream_chat(li_msgs):
            pass

    rows = [
        ("bare httpx", bare_whole, bare_stream, None),
        ("aimlapi_core", core_whole, core_stream, (1.15, 1.15)),
        ("ChatAIMLAPI", lc_whole, lc_stream, (1.5, 2.0)),
        ("AIMLAPI (LlamaIndex)", li_whole, li_stream, (1.6, 2.5)),
    ]
    whole = cpu_per_call([r[1] for r in rows], calls, rounds)
    streamed = cpu_per_call([r[2] for r in rows], calls, rounds)
    print(
        f"{'client':<22}{'whole ms':>10}{'ratio':>8}{'target':>8}"
        f"{'stream ms':>11}{'ratio':>8}{'target':>8}"
    )
    for (name, _, _, target), w, s in zip(rows, whole, streamed, strict=True):
        tw, ts = target or ("", "")
        print(
            f"{name:<22}{w * 1e3:>10.3f}{w / whole[0]:>8.2f}{tw!s:>8}"
            f"{s * 1e3:>11.3f}{s / streamed[0]:>8.2f}{ts!s:>8}"
        )

    env = {k: v for k, v in os.environ.items() if k != "AIMLAPI_API_KEY"}
    for module in ("aimlapi_core", "langchain_aimlapi", "llama_index_aimlapi"):
        best = min(
            float(
                subprocess.run(
                    [
                        sys.executable,
                        "-c",
                        f"import time; t=time.perf_counter(); import {module}; "
                        "print(time.perf_counter()-t)",
                    ],
                    capture_output=True,
                    text=True,
                    env=env,
                    check=True,
                ).stdout
            )
            for _ in range(3)
        )
        print(f"import {module:<22} {best:.3f} s (best of 3)")


if __name__ == "__main__":
    main()
