"""Client CPU per call, whole and streamed, for every client side by side.

Bare httpx, the framework floors (_floors.py), aimlapi_core, ChatAIMLAPI and AIMLAPI on both
dialects, and the peers ChatAnthropic, ChatOpenAI and OpenAILike (the bench extra), all against
one emulator running in its own process in lenient mode (so the peers' OpenAI-shaped requests
are answered), so only this process's CPU (``time.process_time``) is measured. Within a round
the calls are interleaved one by one (``_harness.cpu_rounds``); each time is the median over
rounds; each ratio (to bare httpx, and to the framework's floor, on the same dialect) is the
median over rounds of the ratio within the round (``paired``), so load that changes between
rounds cancels. Targets (DESIGN.md):

    aimlapi_core            <= 1.15x bare httpx, whole and streamed
    each adapter            <= 1.05x its framework's floor whole, <= 1.10x streamed
    import langchain_aimlapi <= 0.6 s cold

Run: ``.venv/bin/python benchmarks/overhead.py [--calls 60] [--rounds 9] [--quick]``. Figures
vary with the machine's load; compare ratios from one run, never assert on them in tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from _clients import SHORT, Client, build
from _harness import (
    KEY,
    MODEL,
    cpu_rounds,
    machine,
    median,
    parser,
    plt_or_none,
    serving,
    spread,
    start_emulator,
    table,
    verdict,
    versions,
)

__all__ = ["KEY", "MODEL", "start_emulator"]  # concurrency.py and older scripts import these

CORE_TARGET = 1.15
ADAPTER_TARGETS = (1.05, 1.10)  # whole, streamed; to the framework's floor
IMPORT_TARGETS = {"langchain_aimlapi": 0.6}


def targets(client: Client) -> tuple[float | None, float | None]:
    if client.family == "core":
        return CORE_TARGET, CORE_TARGET
    if client.role == "ours":
        return ADAPTER_TARGETS
    return None, None


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--calls", type=int, default=60, help="calls per client per round")
    p.add_argument("--rounds", type=int, default=9)
    args = p.parse_args()
    calls, rounds = (2, 2) if args.quick else (args.calls, args.rounds)
    with serving(start_emulator(lenient=True)) as url:
        clients = build(url)
        check_same_answer(clients)
        fns = {}
        for c in clients:
            fns[(c.name, "whole")] = c.whole
            fns[(c.name, "stream")] = c.stream
        samples = cpu_rounds(fns, calls, rounds, warmup=1 if args.quick else 3)

    print("## Client CPU per call\n")
    print(f"{machine()}; {calls} calls × {rounds} interleaved rounds, median.  ")
    print(
        versions(
            "langchain-core",
            "llama-index-core",
            "langchain-anthropic",
            "langchain-openai",
            "llama-index-llms-openai-like",
        )
        + "\n"
    )
    med = {key: median(v) for key, v in samples.items()}
    rows, plotted = [], []
    for c in clients:
        row: list[object] = [c.name]
        ratios = []
        for mode, target in zip(("whole", "stream"), targets(c), strict=True):
            ms = med[(c.name, mode)]
            to_httpx = paired(samples, (c.name, mode), (f"httpx ({SHORT[c.dialect]})", mode))
            mine = paired(samples, (c.name, mode), (c.floor, mode)) if c.floor else None
            # The core's target is to bare httpx; an adapter's to its floor.
            judged = to_httpx if c.family == "core" else mine
            row += [
                f"{ms * 1e3:.3f} ±{spread(samples[(c.name, mode)]) * 100:.0f}%",
                f"{to_httpx:.2f}×",
                f"{mine:.2f}×"
                if mine is not None and c.family != "core" and c.role != "floor"
                else "",
                verdict(judged, target) if judged is not None else "",
            ]
            ratios.append(mine if c.role in ("ours", "peer") and c.family != "core" else None)
        rows.append(row)
        if ratios[0] is not None:
            plotted.append((c, ratios[0], ratios[1]))
    print(
        table(
            [
                "client",
                "whole ms",
                "× httpx",
                "× floor",
                "target",
                "streamed ms",
                "× httpx",
                "× floor",
                "target",
            ],
            rows,
        )
    )
    if not args.quick:  # three cold interpreters: seconds the smoke test does not need
        print()
        print(imports(3))
    if args.out is not None:
        plot(plotted, args.out / "overhead.png")


def paired(
    samples: dict[tuple[str, str], list[float]], a: tuple[str, str], b: tuple[str, str]
) -> float:
    """``a``'s CPU over ``b``'s: the median over rounds of the ratio within each round.

    Within a round the two ran seconds apart; between rounds a shared machine's load moves by
    more than the differences measured here. A ratio of two medians mixes rounds, so it moves
    with that load; the median of per-round ratios lets it cancel (a paired comparison)."""
    return median([x / y for x, y in zip(samples[a], samples[b], strict=True)])


def check_same_answer(clients: list[Client]) -> None:
    """Every client must get the same answer, or the comparison is not like for like."""
    expected = clients[0].whole()
    for c in clients:
        for mode, text in (("whole", c.whole()), ("stream", c.stream())):
            if text != expected:
                raise SystemExit(
                    f"{c.name} {mode} got a different answer: {text[:80]!r} vs {expected[:80]!r}"
                )


def imports(tries: int) -> str:
    env = {k: v for k, v in os.environ.items() if k != "AIMLAPI_API_KEY"}
    rows = []
    for module in ("aimlapi_core", "langchain_aimlapi", "llama_index_aimlapi"):
        code = f"import time; t=time.perf_counter(); import {module}; print(time.perf_counter()-t)"
        best = min(
            float(
                subprocess.run(
                    [sys.executable, "-c", code],
                    capture_output=True,
                    text=True,
                    env=env,
                    check=True,
                ).stdout
            )
            for _ in range(tries)
        )
        target = IMPORT_TARGETS.get(module)
        mark = f"≤ {target} s {'✓' if best <= target else '✗'}" if target else ""
        rows.append([f"`import {module}`", f"{best:.2f} s", mark])
    return table([f"cold import (best of {tries})", "time", "target"], rows)


def plot(plotted: list[tuple[Client, float, float]], path: Path) -> None:
    plt = plt_or_none()
    if plt is None or not plotted:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fig, axes = plt.subplots(1, 2, figsize=(11, 0.45 * len(plotted) + 1.8), sharey=True)
    names = [c.name for c, _, _ in plotted]
    colors = ["tab:blue" if c.role == "ours" else "tab:gray" for c, _, _ in plotted]
    for ax, index, title, target in zip(
        axes, (1, 2), ("whole call", "streamed call"), ADAPTER_TARGETS, strict=True
    ):
        values = [row[index] for row in plotted]
        ax.barh(names, values, color=colors)
        ax.axvline(1.0, color="black", linewidth=0.8)
        ax.axvline(
            target, color="tab:red", linestyle="--", linewidth=1, label=f"target ≤ {target}×"
        )
        for y, v in enumerate(values):
            ax.text(v, y, f" {v:.2f}×", va="center", fontsize=8)
        ax.set_title(f"{title}: client CPU ÷ its framework's floor")
        ax.legend(loc="lower right", fontsize=8)
    axes[0].invert_yaxis()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
