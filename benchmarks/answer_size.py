"""Client CPU per streamed chunk as the answer grows from 1 KB to 10 MB: is streaming linear?

The answers come from ``_sse_server.py`` (its own process): fixed streams of N bytes of text in
deltas of ``--chunk-bytes`` (20 by default, a few tokens as Claude sends them, so 10 MB is
500,000 chunks), in the emulator's
stream shapes. For each size, each client reads whole streams in interleaved rounds; CPU is this
process's (``time.process_time``).

CPU per chunk is the *marginal* cost: (CPU of a call at size N - CPU of a call whose answer is
empty, run right beside it) / chunks in N. Without subtracting the fixed cost of a call (request,
response, the framework's run), a 1 KB answer of 50 chunks would look dearer per chunk than a
10 MB one, and the figure would say nothing about linearity. Target (DESIGN.md): CPU per chunk
flat within 1.5x from 1 KB to 10 MB for the core and both adapters (the floors are shown too:
a floor that is not flat is the framework's own cost). For LangChain, each model's ``_stream``
generator is also read alone, without ``BaseChatModel.stream``, which keeps every chunk until
the end of the answer to merge them: the rows "…, _stream alone" show what the model itself
costs per chunk.

A call that exceeds ``--budget`` CPU seconds is stopped; its figure is then a lower bound ("≥")
measured over the chunks it read.

Run: ``.venv/bin/python benchmarks/answer_size.py [--sizes 1000,100000,10000000] [--quick]``.
"""

from __future__ import annotations

import gc
import sys
import time
from pathlib import Path

from _clients import Client, build
from _harness import machine, median, parser, plt_or_none, serving, start_server, table, verdict

FLAT_TARGET = 1.5


def label(size: int) -> str:
    for unit, scale in (("MB", 1_000_000), ("KB", 1_000)):
        if size >= scale:
            return f"{size / scale:g} {unit}"
    return f"{size} B"


def read(client: Client, budget: float) -> tuple[float, int, bool]:
    """CPU seconds of one streamed call, pieces read, and whether it finished in the budget."""
    start = time.process_time()
    n = 0
    pieces = client.pieces()
    for _ in pieces:
        n += 1
        if n % 64 == 0 and time.process_time() - start > budget:
            pieces.close()
            return time.process_time() - start, n, False
    return time.process_time() - start, n, True


def batch(client: Client, calls: int, budget: float) -> tuple[float, float | None]:
    """CPU seconds per call over ``calls`` calls, or (spent, µs per piece read) when a call
    ran past the budget and was stopped."""
    gc.collect()  # once per batch: a full collection can take longer than a call
    total = 0.0
    for _ in range(calls):
        seconds, n, finished = read(client, budget)
        if not finished:
            return seconds, seconds / n * 1e6
        total += seconds
    return total / calls, None


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--sizes", default="1000,100000,10000000", help="answer sizes in bytes")
    p.add_argument("--chunk-bytes", type=int, default=20, help="text bytes per delta")
    p.add_argument("--rounds", type=int, default=5, help="rounds for sizes under 1 MB")
    p.add_argument("--large-rounds", type=int, default=1, help="rounds for sizes from 1 MB")
    p.add_argument("--budget", type=float, default=40.0, help="CPU seconds before a call stops")
    p.add_argument("--dialects", default="chat_completions", help="comma-separated")
    args = p.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rounds, large_rounds, budget = args.rounds, args.large_rounds, args.budget
    if args.quick:
        sizes, rounds, large_rounds, budget = [1000, 10_000], 1, 1, 5.0
    dialects = tuple(args.dialects.split(","))
    server = [sys.executable, str(Path(__file__).with_name("_sse_server.py"))]
    marginal: dict[tuple[str, int], list[float]] = {}  # µs per chunk, one figure per round
    empty_cpu: dict[str, list[float]] = {}
    stopped: dict[tuple[str, int], float] = {}  # lower bound of CPU per piece, µs
    with serving(start_server([*server, "--chunk-bytes", str(args.chunk_bytes)])) as url:
        empty = build(f"{url}/size/0/v1", dialects=dialects, peers=False, generators=True)
        names = [c.name for c in empty]
        for size in sizes:
            clients = build(
                f"{url}/size/{size}/v1", dialects=dialects, peers=False, generators=True
            )
            chunks = -(-size // args.chunk_bytes)
            calls = 2 if args.quick else max(1, min(100, 5_000 // chunks))
            n_rounds = large_rounds if size >= 1_000_000 else rounds
            for c, e in zip(clients, empty, strict=True):  # warm up; check the answer's size
                if e.stream() != "" or (size < 1_000_000 and len(c.stream()) != size):
                    raise SystemExit(f"{c.name} did not read an answer of {size} bytes")
            pairs = list(zip(clients, empty, strict=True))
            for r in range(n_rounds):
                shift = r % len(pairs)
                for c, e in pairs[shift:] + pairs[:shift]:
                    key = (c.name, size)
                    if key in stopped:
                        continue
                    # The empty answer's calls run right beside the sized ones, so the
                    # difference is taken under the same conditions (load drifts between
                    # phases of a run).
                    base = batch(e, calls, budget)[0]
                    sized, lower = batch(c, calls, budget)
                    empty_cpu.setdefault(c.name, []).append(base)
                    if lower is not None:
                        stopped[key] = lower
                        note = f"stopped at {budget:g} s"
                    else:
                        marginal.setdefault(key, []).append((sized - base) / chunks * 1e6)
                        note = f"{sized * calls:.1f} s"
                    # Progress on stderr: a long run shows where it is (stdout is the result).
                    print(f"  {label(size)} round {r + 1}: {c.name}: {note}", file=sys.stderr)

    print("## Client CPU per streamed chunk, by answer size\n")
    print(f"{machine()}; deltas of {args.chunk_bytes} bytes; dialects: {', '.join(dialects)}.  ")
    print(
        "Marginal µs per chunk = (CPU of a call − CPU of an empty answer's call, measured side "
        "by side) ÷ chunks; median over rounds.\n"
    )
    rows, series = [], {}
    for name in names:
        per_chunk: list[float] = []
        cells: list[object] = [name, f"{median(empty_cpu[name]) * 1e3:.2f} ms"]
        for size in sizes:
            if (name, size) in stopped:
                lower = stopped[(name, size)]
                cells.append(f"≥ {lower:.1f} (stopped at {budget:g} s)")
                per_chunk.append(lower)
                continue
            value = median(marginal[(name, size)])
            per_chunk.append(value)
            cells.append(f"{value:.1f}")
        series[name] = per_chunk
        flat = max(per_chunk) / min(per_chunk) if min(per_chunk) > 0 else float("inf")
        ours = not name.startswith(("httpx", "LangChain floor", "LlamaIndex floor"))
        cells += [f"{flat:.2f}×", verdict(flat, FLAT_TARGET) if ours else ""]
        rows.append(cells)
    headers = ["client", "empty answer", *(f"{label(s)} µs/chunk" for s in sizes)]
    print(table([*headers, "max ÷ min", "target"], rows))
    if args.out is not None:
        plot(series, sizes, args.out / "answer_size.png", args.chunk_bytes)


def plot(series: dict[str, list[float]], sizes: list[int], path: Path, chunk: int) -> None:
    plt = plt_or_none()
    if plt is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(8, 5))
    for name, values in series.items():
        style = "--" if "floor" in name or name.startswith("httpx") else "-"
        ax.plot(sizes, values, style, marker="o", label=name)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(sizes, [label(s) for s in sizes])
    ax.set_xlabel(f"answer size (deltas of {chunk} bytes)")
    ax.set_ylabel("client CPU per chunk, µs (marginal)")
    ax.set_title("Streaming cost per chunk: flat means linear in the answer")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
