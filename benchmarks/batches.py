"""10,000 requests in one batch: submit + results, against the standard library alone.

The emulator runs in a separate process (``python -m aimlapi_emulator --batch-polls 0``).
Measured in this process:

* **stdlib**: build the same create body from the prompts with dicts and ``json.dumps``, and
  parse the same results body (the emulator's JSON Lines, fetched once beforehand) with
  ``json.loads`` per line, reading each text, usage and stop reason — no HTTP at all.
* **aimlapi_core**: build 10,000 ``ChatRequest``s, ``client.batches.create`` (checks, encodes,
  POSTs), then, once the batch has ended, ``client.batches.retrieve`` (GET, decodes every result
  into a ``ChatResult`` with ``in_input_order``) — HTTP on loopback included.

Target: aimlapi_core within 2× stdlib (CPU of this process), and memory bounded:
tracemalloc's peak during submit + results against the size of the two bodies. Times are
medians over rounds; the ratio is the median over rounds of the ratio within each round (paired,
as in overhead.py: the two run a second apart, while a shared machine's load moves by more than
that between rounds).

Run: ``.venv/bin/python benchmarks/batches.py [--requests 10000] [--rounds 5]``.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import httpx
from _harness import mark, table
from _harness import parser as bench_parser

from aimlapi_core import AIMLAPIClient, ChatRequest, Message, TextPart, in_input_order

MODEL = "claude-sonnet-4-20250514"
KEY = "bench-key"


def start_emulator() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aimlapi_emulator",
            "--port",
            "0",
            "--api-key",
            KEY,
            "--batch-polls",
            "0",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    base_url = proc.stdout.readline().strip().split()[-1]
    if not base_url.startswith("http"):
        proc.terminate()
        raise RuntimeError(f"emulator did not print its base URL: {base_url!r}")
    return proc, base_url


def prompts(n: int) -> list[str]:
    return [f"Classify review {i}: the delivery was late but the product works." for i in range(n)]


def stdlib_submit(texts: list[str]) -> bytes:
    requests = [
        {
            "custom_id": str(i),
            "params": {
                "model": MODEL,
                "messages": [{"role": "user", "content": text}],
                "max_tokens": 64,
            },
        }
        for i, text in enumerate(texts)
    ]
    return json.dumps({"requests": requests}, separators=(",", ":")).encode()


def stdlib_results(body: bytes) -> list[tuple[str, int, int, str, dict[str, Any]]]:
    """Parse every line and keep it (as a parse does), reading text, usage and stop reason."""
    out = []
    for line in body.splitlines():
        item = json.loads(line)
        message = item["result"]["message"]
        usage = message["usage"]
        text = "".join(b["text"] for b in message["content"] if b["type"] == "text")
        out.append(
            (text, usage["input_tokens"], usage["output_tokens"], message["stop_reason"], item)
        )
    return out


def ours_submit(client: AIMLAPIClient, texts: list[str]) -> str:
    requests = [
        ChatRequest(
            model=MODEL, max_tokens=64, messages=[Message(role="user", parts=[TextPart(text=t)])]
        )
        for t in texts
    ]
    return client.batches.create(requests).id


def ours_results(client: AIMLAPIClient, batch_id: str) -> list[Any]:
    return in_input_order(client.batches.retrieve(batch_id))


def cpu(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.process_time()
    value = fn()
    return time.process_time() - start, value


def main() -> None:
    parser = bench_parser(__doc__)  # --quick, --out: benchmarks/README.md "Writing a benchmark"
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if args.quick:
        args.requests, args.rounds = 50, 1
    texts = prompts(args.requests)
    proc, base_url = start_emulator()
    try:
        client = AIMLAPIClient(api_key=KEY, base_url=base_url, timeout=120)
        ready: list[str] = []
        for _ in range(args.rounds):
            batch_id = ours_submit(client, texts)
            client.batches.wait(batch_id, poll_interval=0.2, max_interval=1.0)
            ready.append(batch_id)
        headers = {"Authorization": f"Bearer {KEY}"}
        body = httpx.get(
            f"{base_url}/batches", params={"batch_id": ready[0]}, headers=headers, timeout=120
        ).content
        request_bytes = len(stdlib_submit(texts))

        std, ours, std_wall, ours_wall = [], [], [], []
        for batch_id in ready:
            w0 = time.perf_counter()
            a, _ = cpu(lambda: stdlib_submit(texts))
            b, parsed = cpu(lambda body=body: stdlib_results(body))
            std_wall.append(time.perf_counter() - w0)
            std.append(a + b)
            w0 = time.perf_counter()
            c, _ = cpu(lambda: ours_submit(client, texts))
            d, results = cpu(lambda batch_id=batch_id: ours_results(client, batch_id))
            ours_wall.append(time.perf_counter() - w0)
            ours.append(c + d)
            assert len(results) == len(parsed) == args.requests
            assert results[0].text == parsed[0][0]

        # Memory: one more submit + results under tracemalloc (Python allocations only).
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        tracemalloc.start()
        batch_id = ours_submit(client, texts)
        client.batches.wait(batch_id, poll_interval=0.2, max_interval=1.0)
        results = ours_results(client, batch_id)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        client.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)

    s, o = statistics.median(std), statistics.median(ours)
    ratio = statistics.median(x / y for x, y in zip(ours, std, strict=True))  # paired
    mib = 1024 * 1024
    print(
        f"{args.requests} requests; create body {request_bytes / mib:.1f} MiB, results body "
        f"{len(body) / mib:.1f} MiB; median of {args.rounds} rounds, CPU of this process "
        f"(ratio: median of per-round ratios; of the medians: {o / s:.2f}x)"
    )
    print(f"  stdlib (build + json.dumps, json.loads per line): {s * 1000:8.0f} ms")
    print(f"  aimlapi_core (create + retrieve, HTTP included):  {o * 1000:8.0f} ms  ({ratio:.2f}x)")
    print(f"  wall: stdlib {statistics.median(std_wall) * 1000:.0f} ms, ", end="")
    print(f"aimlapi_core {statistics.median(ours_wall) * 1000:.0f} ms")
    print(f"  target: <= 2.00x -> {mark(ratio <= 2)}")
    print(
        f"  memory: tracemalloc peak {peak / mib:.1f} MiB for {len(results)} results "
        f"({peak / (request_bytes + len(body)):.1f}x the two bodies); "
        f"max RSS {rss_before:.0f} -> {rss_after:.0f} MiB"
    )
    print()
    rows = [
        ["stdlib (build + json.dumps, json.loads per line)", f"{s * 1000:.0f} ms", "1.00×", ""],
        ["aimlapi_core (create + retrieve, HTTP included)", f"{o * 1000:.0f} ms", f"{ratio:.2f}×"],
    ]
    rows[1].append(f"≤ 2.00× {mark(ratio <= 2)}")
    print(table(["batch of " + str(args.requests), "CPU", "ratio", "target"], rows))


if __name__ == "__main__":
    main()
