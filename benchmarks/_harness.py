"""What every benchmark script shares: servers in subprocesses, interleaved CPU rounds, tables.

Not a benchmark itself (the leading underscore keeps ``make bench`` from running it). See
README.md "Writing a benchmark" for the convention the scripts follow.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MODEL = "claude-sonnet-4-20250514"
PROMPT = "Write a short paragraph about the sea."
KEY = "bench-key"
MAX_TOKENS = 256


def start_server(argv: Sequence[str]) -> tuple[subprocess.Popen[str], str]:
    """Start a server process that prints its base URL as the first line of stdout."""
    proc = subprocess.Popen(list(argv), stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    url = line.strip().split()[-1] if line.strip() else ""
    if not url.startswith("http"):
        proc.terminate()
        proc.wait(timeout=10)
        raise RuntimeError(f"{argv[1:3]} did not print its base URL: {line!r}")
    return proc, url


def start_emulator(*, lenient: bool = False) -> tuple[subprocess.Popen[str], str]:
    """The emulator in its own process, so only the client's CPU is measured here; lenient:
    the one of ``_lenient.py``, which answers the peers' OpenAI-shaped requests."""
    program = [str(HERE / "_lenient.py")] if lenient else ["-m", "aimlapi_emulator"]
    return start_server([sys.executable, *program, "--port", "0", "--api-key", KEY])


@contextmanager
def serving(proc_and_url: tuple[subprocess.Popen[str], str]) -> Iterator[str]:
    """Yield the server's URL; stop the server on the way out, even on SIGTERM."""
    proc, url = proc_and_url
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def cpu_rounds(
    fns: dict[str, Callable[[], Any]], calls: int, rounds: int, warmup: int = 3
) -> dict[str, list[float]]:
    """CPU seconds per call of each function, one sample per round, calls interleaved.

    A round is ``calls`` sweeps; each sweep calls every function once, in an order that rotates
    from sweep to sweep, and each call's CPU is added to its function's total. So every
    function's calls are spread over the same seconds of the round: drift (the other processes
    on a shared machine, caches, the allocator), which moves by more than the 5-10 % the
    targets judge, is charged to every client alike instead of to whichever batch ran while
    it lasted. A ``gc.collect()`` starts each round; the cyclic collections during a round
    fall on the calls whose allocations trigger them, as they do in an application.
    """
    names = list(fns)
    for name in names:  # pools, imports, lazy clients
        for _ in range(warmup):
            fns[name]()
    clock = time.process_time
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        totals = dict.fromkeys(names, 0.0)
        gc.collect()
        for i in range(calls):
            shift = (r * calls + i) % len(names)
            for name in names[shift:] + names[:shift]:
                fn = fns[name]
                start = clock()
                fn()
                totals[name] += clock() - start
        for name in names:
            samples[name].append(totals[name] / calls)
    return samples


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def spread(values: Sequence[float]) -> float:
    """Half the range over the median: how far apart the rounds were (0.05 = ±5 %)."""
    mid = statistics.median(values)
    return (max(values) - min(values)) / 2 / mid if mid else 0.0


# False once a script was run with --quick (parser() below): its counts are too small for a
# figure to pass or fail a target, so every verdict says so instead of ✓ or ✗.
JUDGED = True


def mark(met: bool) -> str:
    """✓ or ✗ for a target, or "not judged" in a --quick run."""
    if not JUDGED:
        return "(not judged: --quick)"
    return "✓" if met else "✗"


def verdict(value: float, target: float | None) -> str:
    if target is None:
        return ""
    return f"≤ {target:.2f}× {mark(value <= target)}"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub markdown table (every benchmark prints at least one; the smoke test reads it)."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def machine() -> str:
    """One line on where the figures came from (they are only comparable within one run)."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, Python "
        f"{platform.python_version()}, {os.cpu_count()} cores, load average {load:.1f}"
    )


def versions(*dists: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    out = []
    for dist in dists:
        try:
            out.append(f"{dist} {version(dist)}")
        except PackageNotFoundError:
            out.append(f"{dist} (not installed)")
    return ", ".join(out)


class _Quick(argparse.Action):
    """``--quick``: tiny counts, and no verdicts (:data:`JUDGED`)."""

    def __call__(self, parser: Any, namespace: Any, values: Any, option: Any = None) -> None:
        global JUDGED
        JUDGED = False
        setattr(namespace, self.dest, True)


def parser(doc: str | None) -> argparse.ArgumentParser:
    """The arguments every benchmark accepts: ``--quick`` (tiny counts, the smoke test's) and
    ``--out DIR`` (where to write a plot, if the script makes one)."""
    p = argparse.ArgumentParser(
        description=(doc or "").split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    p.add_argument(
        "--quick", action=_Quick, nargs=0, default=False, help="tiny counts: seconds, not minutes"
    )
    p.add_argument("--out", type=Path, default=None, help="write plots (PNG) into this folder")
    return p


def plt_or_none() -> Any:
    """matplotlib's pyplot with a file-only backend, or None without the bench extra."""
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt
