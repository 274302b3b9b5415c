"""Client CPU per streamed chunk as the answer grows from 1 KB to 10 MB: is streaming linear?

The answers come from ``_sse_server.py`` (its own process): fixed streams of N bytes of text in
deltas of ``--chunk-bytes`` (20 by default, a few tokens as Claude sends them, so 10 MB is
500,000 chunks), in the emulator's stream shapes. CPU is this process's
(``time.process_time``).

CPU per chunk is the *marginal* cost: (CPU of a call at size N - CPU of a call whose answer is
empty) / chunks in N. Without subtracting the fixed cost of a call (request, response, the
framework's run), a 1 KB answer of 50 chunks would look dearer per chunk than a 10 MB one, and
the figure would say nothing about linearity. The sized and the empty calls alternate call by
call, and a round holds ``--chunks-per-round`` chunks' worth of calls (400 calls at 1 KB): a
1 KB answer's 50 chunks cost less than the load on a shared machine moves a call's fixed cost
between batches seconds apart, so batches side by side measured noise at 1 KB.

Targets (docs/performance/index.md "Targets"): CPU per chunk flat within 1.5x from 1 KB to
10 MB for the core and both adapters. The floors are shown too; a floor that is not flat shows
the framework's own cost.
For LangChain, each model's ``_stream`` generator is also read alone, without
``BaseChatModel.stream``, which keeps every chunk (ten objects the cyclic garbage collector
tracks, the floor's and ours alike) until the end of the answer to merge them: the rows
"…, _stream alone" show what the model itself costs per chunk, the "GC" column how much of the
largest answer's figure is the collector walking what the framework keeps, and ChatAIMLAPI
through ``stream()`` is also held to 1.10x of the floor at every size.

A call that exceeds ``--budget`` CPU seconds is stopped; its figure is then a lower bound ("≥")
measured over the chunks it read.

Run: ``.venv/bin/python benchmarks/answer_size.py [--sizes 1000,100000,10000000] [--quick]``.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Container
from dataclasses import dataclass
from pathlib import Path

from _clients import Client, build
from _harness import (
    machine,
    median,
    parser,
    plt_or_none,
    serving,
    start_server,
    table,
    verdict,
)

FLAT_TARGET = 1.5
FLOOR_TARGET = 1.10


def label(size: int) -> str:
    for unit, scale in (("MB", 1_000_000), ("KB", 1_000)):
        if size >= scale:
            return f"{size / scale:g} {unit}"
    return f"{size} B"


class GcClock:
    """CPU seconds spent in CPython's cyclic garbage collector (``gc.callbacks``)."""

    def __init__(self) -> None:
        self.total = 0.0
        self._start = 0.0
        gc.callbacks.append(self._tick)

    def _tick(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.process_time()
        else:
            self.total += time.process_time() - self._start


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


@dataclass
class Pair:
    """One round of a client at one size, beside the same client's empty answer."""

    sized: float  # CPU seconds per sized call
    empty: float  # CPU seconds per empty call
    gc: float  # CPU seconds per sized call spent in the cyclic collector
    lower: float | None = None  # µs per piece, when a call was stopped at the budget


def paired(sized: Client, empty: Client, calls: int, budget: float, clock: GcClock) -> Pair:
    """``calls`` sized calls, each beside an empty-answer call, in alternating order.

    Pairing call by call puts both under the same load: on a shared machine the load moves by
    more, between batches seconds apart, than a 1 KB answer's 50 chunks cost."""
    gc.collect()  # once per round: a full collection can take longer than a call
    totals = [0.0, 0.0]
    in_gc = 0.0
    for i in range(calls):
        for which in (0, 1) if i % 2 else (1, 0):
            before = clock.total
            seconds, n, finished = read((sized, empty)[which], budget)
            if not finished:
                return Pair(seconds, 0.0, clock.total - before, seconds / n * 1e6)
            totals[which] += seconds
            if which == 0:
                in_gc += clock.total - before
    return Pair(totals[0] / calls, totals[1] / calls, in_gc / calls)


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--sizes", default="1000,100000,10000000", help="answer sizes in bytes")
    p.add_argument("--chunk-bytes", type=int, default=20, help="text bytes per delta")
    p.add_argument("--rounds", type=int, default=9, help="rounds for sizes under 1 MB")
    p.add_argument("--large-rounds", type=int, default=3, help="rounds for sizes from 1 MB")
    p.add_argument(
        "--chunks-per-round",
        type=int,
        default=20_000,
        help="calls per round at a size = this many chunks' worth (1 KB: 400 calls)",
    )
    p.add_argument("--budget", type=float, default=40.0, help="CPU seconds before a call stops")
    p.add_argument("--dialects", default="chat_completions", help="comma-separated")
    args = p.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rounds, large_rounds, budget = args.rounds, args.large_rounds, args.budget
    if args.quick:
        sizes, rounds, large_rounds, budget = [1000, 10_000], 1, 1, 5.0
    dialects = tuple(args.dialects.split(","))
    server = [sys.executable, str(Path(__file__).with_name("_sse_server.py"))]
    results: dict[tuple[str, int], list[Pair]] = {}
    stopped: dict[tuple[str, int], float] = {}  # lower bound of CPU per piece, µs
    clock = GcClock()
    chunks_in = {size: -(-size // args.chunk_bytes) for size in sizes}
    with serving(start_server([*server, "--chunk-bytes", str(args.chunk_bytes)])) as url:
        empty = build(f"{url}/size/0/v1", dialects=dialects, peers=False, generators=True)
        plan: dict[int, tuple[list[tuple[Client, Client]], int, int]] = {}
        for size in sizes:
            clients = build(
                f"{url}/size/{size}/v1", dialects=dialects, peers=False, generators=True
            )
            calls = 2 if args.quick else max(1, min(400, args.chunks_per_round // chunks_in[size]))
            n_rounds = large_rounds if size >= 1_000_000 else rounds
            for c, e in zip(clients, empty, strict=True):  # warm up; check the answer's size
                if e.stream() != "" or (size < 1_000_000 and len(c.stream()) != size):
                    raise SystemExit(f"{c.name} did not read an answer of {size} bytes")
            plan[size] = (list(zip(clients, empty, strict=True)), calls, n_rounds)
        # Rounds of every size interleave in time (round 1 of each size, then round 2...): the
        # machine's speed drifts over minutes, and sizes measured in separate stretches of the
        # run would differ by that drift, which a flatness ratio across sizes cannot cancel.
        for r in range(max(n for _, _, n in plan.values())):
            for size, (pairs, calls, n_rounds) in plan.items():
                if r >= n_rounds:
                    continue
                shift = r % len(pairs)
                for c, e in pairs[shift:] + pairs[:shift]:
                    key = (c.name, size)
                    if key in stopped:
                        continue
                    pair = paired(c, e, calls, budget, clock)
                    if pair.lower is not None:
                        stopped[key] = pair.lower
                        note = f"stopped at {budget:g} s"
                    else:
                        results.setdefault(key, []).append(pair)
                        note = f"{(pair.sized + pair.empty) * calls:.1f} s"
                    # Progress on stderr: a long run shows where it is (stdout is the result).
                    print(f"  {label(size)} round {r + 1}: {c.name}: {note}", file=sys.stderr)

    print("## Client CPU per streamed chunk, by answer size\n")
    print(f"{machine()}; deltas of {args.chunk_bytes} bytes; dialects: {', '.join(dialects)}.  ")
    print(
        "Marginal µs per chunk = (CPU of a call − CPU of an empty answer's call, the two "
        'alternating call by call) ÷ chunks; median over rounds. "GC" is the part of the '
        f"{label(sizes[-1])} figure spent in CPython's cyclic garbage collector.\n"
    )
    per_chunk: dict[str, list[float]] = {}
    rows = []
    for client in empty:
        name = client.name
        values: list[float] = []
        empties: list[float] = []
        for size in sizes:
            if (name, size) in stopped:
                values.append(stopped[(name, size)])
                continue
            pairs_ = results[(name, size)]
            values.append(median([(q.sized - q.empty) / chunks_in[size] * 1e6 for q in pairs_]))
            empties += [q.empty for q in pairs_]
        per_chunk[name] = values
        last = results.get((name, sizes[-1]))
        gc_last = median([q.gc for q in last]) / chunks_in[sizes[-1]] * 1e6 if last else None
        cells: list[object] = [name, f"{median(empties) * 1e3:.2f} ms"]
        for size, value in zip(sizes, values, strict=True):
            stop = (name, size) in stopped
            cells.append(f"≥ {value:.1f} (stopped at {budget:g} s)" if stop else f"{value:.1f}")
        cells.append("" if gc_last is None else f"{gc_last:.1f}")
        flat = max(values) / min(values) if min(values) > 0 else float("inf")
        cells.append(f"{flat:.2f}×")
        ours = client.role == "ours"
        cells.append(verdict(flat, FLAT_TARGET) if ours else "")
        # A LangChain model through BaseChatModel.stream is also held to its floor at every
        # size: the floor shows the framework's own share of any rise (module docstring).
        floor = client.floor
        if ours and client.family == "langchain" and not client.stream_alone and floor:
            worst = max(v / f for v, f in zip(values, per_chunk[floor], strict=True))
            cells.append(f"{worst:.2f}× {verdict(worst, FLOOR_TARGET)}")
        else:
            cells.append("")
        rows.append(cells)
    headers = [
        "client",
        "empty answer",
        *(f"{label(s)} µs/chunk" for s in sizes),
        f"of which GC at {label(sizes[-1])}",
        "max ÷ min",
        f"flat ≤ {FLAT_TARGET:.2f}×",
        f"÷ floor, worst size (≤ {FLOOR_TARGET:.2f}×)",
    ]
    print(table(headers, rows))
    if args.out is not None:
        plot(per_chunk, sizes, args.out / "answer_size.png", args.chunk_bytes, set(stopped))


def plot(
    series: dict[str, list[float]],
    sizes: list[int],
    path: Path,
    chunk: int,
    stopped: Container[tuple[str, int]] = (),
) -> None:
    """One line per client; a figure from a call stopped at the time budget is a lower bound,
    drawn as a hollow upward triangle off the line (the line stops at the last measurement)."""
    plt = plt_or_none()
    if plt is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(8, 5))
    for name, values in series.items():
        style = "--" if "floor" in name or name.startswith("httpx") else "-"
        measured = [(s, v) for s, v in zip(sizes, values, strict=True) if (name, s) not in stopped]
        xs, ys = zip(*measured, strict=True) if measured else ((), ())
        (line,) = ax.plot(xs, ys, style, marker="o", label=name)
        for size, value in zip(sizes, values, strict=True):
            if (name, size) in stopped:
                ax.plot([size], [value], "^", markerfacecolor="none", color=line.get_color())
                ax.annotate(f"≥ {value:.0f}: stopped at the time budget", (size, value),
                            textcoords="offset points", xytext=(-8, 6), ha="right", fontsize=7,
                            color=line.get_color())  # fmt: skip
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
