"""Client-process CPU per 1,000 embedded texts, as a ratio to bare httpx doing the same requests.

The emulator runs in a separate process (``python -m aimlapi_emulator``), so only the client's
own work is measured (``time.process_time`` of this process). Every client sends the same
requests: bare httpx posts the same JSON bodies and reads the vectors out of the answers with
``json.loads``; the others go through ``AIMLAPIClient.embed`` (batch planning, per-model checks,
retry loop, answer validation, reordering by ``index``). Target (docs/performance/index.md
"Targets"):

    embeddings              <= 1.2x bare httpx per 1,000 texts

Two shapes: 1,000 texts in one request at the model's default 1536 dimensions (the answer's
JSON dominates both sides), and 1,000 texts in 10 requests of 100 at 256 dimensions (where the
client's per-request work weighs most).

Run: ``.venv/bin/python benchmarks/embeddings.py [--texts 1000] [--rounds 5] [--quick]``; prints
a markdown table (``make bench`` collects it; ``--out DIR`` is accepted for that runner). Numbers
vary with the machine's load; compare ratios from one run, never assert on them in tests.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import httpx

MODEL = "text-embedding-3-small"
KEY = "bench-key"
TARGET = 1.2
WORDS = ["harbor", "ferry", "island", "lighthouse", "keeper", "tide", "garden", "oyster"]


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


def texts_of(n: int) -> list[str]:
    """Short sentences of distinct words, like chunks of a document."""
    return [
        f"Note {i}: the {WORDS[i % len(WORDS)]} and the {WORDS[(i * 7) % len(WORDS)]} "
        f"of Harbor Point, item {i} of the town's records."
        for i in range(n)
    ]


def cpu_per_run(fns: list[Callable[[], Any]], rounds: int) -> list[float]:
    """Median over interleaved rounds of CPU seconds per run, one figure per function."""
    for fn in fns:  # warm pools and imports
        fn()
    samples: list[list[float]] = [[] for _ in fns]
    for _ in range(rounds):
        for fn, out in zip(fns, samples, strict=True):
            start = time.process_time()
            fn()
            out.append(time.process_time() - start)
    return [statistics.median(s) for s in samples]


def clients(base_url: str, texts: list[str], batch: int, dims: int | None) -> list[tuple]:
    from aimlapi_core import AIMLAPIClient
    from langchain_aimlapi import AIMLAPIEmbeddings
    from llama_index_aimlapi import AIMLAPIEmbedding

    http = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {KEY}"}, timeout=120)
    extra = {"dimensions": dims} if dims else {}

    def bare() -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), batch):
            body = {"model": MODEL, "input": texts[start : start + batch], **extra}
            answer = json.loads(http.post("/embeddings", json=body).content)
            vectors.extend(item["embedding"] for item in answer["data"])
        return vectors

    core = AIMLAPIClient(api_key=KEY, base_url=base_url)
    lc = AIMLAPIEmbeddings(
        model=MODEL, api_key=KEY, base_url=base_url, chunk_size=batch, dimensions=dims
    )
    li = AIMLAPIEmbedding(
        model_name=MODEL, api_key=KEY, base_url=base_url, embed_batch_size=batch, dimensions=dims
    )
    return [
        ("bare httpx", bare, None),
        ("aimlapi_core embed", lambda: core.embed(texts, batch_size=batch, **extra), TARGET),
        ("AIMLAPIEmbeddings", lambda: lc.embed_documents(texts), None),
        ("AIMLAPIEmbedding", lambda: li.get_text_embedding_batch(texts), None),
    ]


def run(base_url: str, n: int, rounds: int) -> None:
    texts = texts_of(n)
    per = 1000 / n
    print(f"## embeddings: client CPU per 1,000 texts ({MODEL}, median of {rounds} rounds)\n")
    print("| client | shape | CPU ms / 1k texts | ratio | target |")
    print("|---|---|---|---|---|")
    for batch, dims in ((n, None), (max(1, n // 10), 256)):
        rows = clients(base_url, texts, batch, dims)
        cpu = cpu_per_run([fn for _, fn, _ in rows], rounds)
        shape = f"{n // batch} req × {batch}, {dims or 1536} dims"
        for (name, _, target), seconds in zip(rows, cpu, strict=True):
            goal = f"≤ {target}×" if target else ""
            print(
                f"| {name} | {shape} | {seconds * per * 1e3:.1f} | {seconds / cpu[0]:.2f}× "
                f"| {goal} |",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--texts", type=int, default=1000, help="texts per run")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="100 texts, 2 rounds")
    parser.add_argument("--out", help="results folder of make bench's runner (unused here)")
    args = parser.parse_args()
    texts, rounds = (100, 2) if args.quick else (args.texts, args.rounds)
    proc, base_url = start_emulator()
    try:
        run(base_url, texts, rounds)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
