"""Client CPU per call, whole and streamed, for every client side by side; cold import times.

Bare httpx, the framework floors (_floors.py), aimlapi_core, ChatAIMLAPI and AIMLAPI on both
dialects, and the peers ChatAnthropic, ChatOpenAI and OpenAILike (the bench extra), all against
one emulator running in its own process in lenient mode (so the peers' OpenAI-shaped requests
are answered), so only this process's CPU (``time.process_time``) is measured. Within a round
the calls are interleaved one by one (``_harness.cpu_rounds``); each time is the median over
rounds; each ratio (to bare httpx, and to the framework's floor, on the same dialect) is the
median over rounds of the ratio within the round (``paired``), so load that changes between
rounds cancels. Then cold imports (``imports``): each package after its floor in a fresh
interpreter, best of ``--tries``. Targets (docs/performance/index.md "Targets"):

    aimlapi_core            <= 1.15x bare httpx, whole and streamed
    each adapter            <= 1.05x its framework's floor whole, <= 1.10x streamed
    each package's import   <= 0.15 s over its floor's (httpx; the framework's chat module)

Run: ``.venv/bin/python benchmarks/overhead.py [--calls 60] [--rounds 9] [--quick]``, or
``--imports`` for the import table alone. Figures vary with the machine's load; compare ratios
from one run, never assert on them in tests.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from _clients import SHORT, Client, build
from _harness import (
    KEY,
    MODEL,
    cpu_rounds,
    machine,
    mark,
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
    p.add_argument(
        "--imports",
        action="store_true",
        help="only the cold-import table (one interpreter per row with --quick)",
    )
    p.add_argument("--tries", type=int, default=5, help="fresh interpreters per import row")
    args = p.parse_args()
    if args.imports:
        print("## Cold imports\n")
        print(f"{machine()}.  \n{_import_versions()}\n")
        print(imports(1 if args.quick else args.tries))
        return
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
    if not args.quick:  # 5 x 9 cold interpreters: a minute or two the smoke test does not need
        print()
        print(imports(args.tries))
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


# Cold imports. Each child imports a floor first, then the package, and times both: "over its
# floor" is the second import alone, what the package adds once what it cannot avoid is loaded
# (a difference inside one process, steadier than one of two best-ofs). The floors: httpx for the
# core (its one heavy dependency), and for an adapter the framework module its chat model
# subclasses, which every model of that framework imports (for LlamaIndex any llama_index.core
# module runs llama_index/core/__init__.py, which loads nearly all of it).
LANGCHAIN_FLOOR = "langchain_core.language_models.chat_models"
LLAMA_INDEX_FLOOR = "llama_index.core.llms.function_calling"
# (module, its floor, ours): a floor's own row is its import before the packages that need it.
IMPORTS: list[tuple[str, str, bool]] = [
    ("aimlapi_core", "httpx", True),
    ("langchain_aimlapi", LANGCHAIN_FLOOR, True),
    ("langchain_anthropic", LANGCHAIN_FLOOR, False),
    ("langchain_openai", LANGCHAIN_FLOOR, False),
    ("llama_index_aimlapi", LLAMA_INDEX_FLOOR, True),
    ("llama_index.llms.openai_like", LLAMA_INDEX_FLOOR, False),
]
# The import target is the time a package adds over its framework's own import (an absolute
# figure would mostly measure langchain-core, which alone takes longer than any absolute target
# we could set: benchmarks/README.md), judged without httpx's command-line client (below), which
# an install of our extras does not bring.
OVER_FLOOR_TARGET = 0.15
# httpx/__init__.py imports its command-line client (httpx/_main.py) when click, pygments and rich
# are importable, as in this venv (the test and demo extras, uvicorn, pytest); an install of
# aimlapi-integrations[langchain] has none of them ([llama-index]: click, through nltk). A child
# started with ``NO_HTTPX_CLI`` makes them unimportable (None in sys.modules): the last column.
HTTPX_CLI = ("click", "pygments", "rich")
NO_HTTPX_CLI = f"import sys; sys.modules.update(dict.fromkeys({HTTPX_CLI!r}))\n"


def _import_times(
    module: str, floor: str | None, pycache: str, prelude: str = ""
) -> tuple[float, float]:
    """(seconds to import ``floor`` then ``module`` in a fresh interpreter, of which ``module``).

    With bytecode, as an installed wheel has it (pip compiles at install): Python writes and
    reads it under ``pycache`` even where the environment says PYTHONDONTWRITEBYTECODE, which
    would otherwise compile every module of an editable install from source on every import."""
    code = (
        f"{prelude}import time\nt0 = time.perf_counter()\n"
        + (f"import {floor}\n" if floor else "")
        + f"t1 = time.perf_counter()\nimport {module}\nt2 = time.perf_counter()\n"
        "print(t2 - t0, t2 - t1)"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("AIMLAPI_API_KEY", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")
    }
    env["PYTHONPYCACHEPREFIX"] = pycache
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout.split()
    return float(out[0]), float(out[1])


def _import_versions() -> str:
    return versions(
        "httpx",
        "langchain-core",
        "llama-index-core",
        "langchain-anthropic",
        "langchain-openai",
        "llama-index-llms-openai-like",
    )


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def imports(tries: int) -> str:
    """Cold import times, best of ``tries`` fresh interpreters (the rows interleaved)."""
    rows = [(m, f, ours) for m, f, ours in IMPORTS if _installed(m)]
    floor: dict[str, list[float]] = {f: [] for _, f, _ in rows}
    whole: dict[str, list[float]] = {m: [] for m, _, _ in rows}
    over: dict[str, list[float]] = {m: [] for m, _, _ in rows}
    bare: dict[str, list[float]] = {m: [] for m, _, ours in rows if ours}
    with tempfile.TemporaryDirectory(prefix="aimlapi-bench-pyc-") as pycache:
        for module, base, _ in rows:  # not timed: writes the bytecode the timed runs read
            _import_times(module, base, pycache)
        for _ in range(tries):
            for module, base, ours in rows:
                total, added = _import_times(module, base, pycache)
                floor[base].append(total - added)
                whole[module].append(total)
                over[module].append(added)
                if ours:
                    bare[module].append(_import_times(module, base, pycache, NO_HTTPX_CLI)[1])
    out: list[list[object]] = []
    for module, base, ours in rows:
        if not any(row[0] == f"`import {base}` (floor)" for row in out):
            out.append([f"`import {base}` (floor)", f"{min(floor[base]):.2f} s", "", "", ""])
        marks = []
        if ours:
            ok = mark(min(bare[module]) <= OVER_FLOOR_TARGET)
            marks.append(f"≤ +{OVER_FLOOR_TARGET} s over floor, no httpx CLI {ok}")
        out.append(
            [
                f"`import {module}`",
                f"{min(whole[module]):.2f} s",
                f"+{min(over[module]):.2f} s",
                f"+{min(bare[module]):.2f} s" if ours else "",
                "; ".join(marks),
            ]
        )
    return table(
        [
            f"cold import (best of {tries})",
            "time",
            "over its floor",
            "over floor, no httpx CLI",
            "target",
        ],
        out,
    )


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
