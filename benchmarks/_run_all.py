"""``make bench``: run every benchmark script in this folder and collect what they print.

A benchmark is any ``benchmarks/<name>.py`` whose name does not start with ``_`` (README.md
"Writing a benchmark"). Each runs in its own process as ``python <name>.py --out DIR
[--quick]``; its stdout (markdown) goes to ``DIR/<name>.md`` and is echoed here, and
``DIR/README.md`` is rebuilt from every ``DIR/*.md`` so the committed results read as one page.

Run: ``.venv/bin/python benchmarks/_run_all.py [--quick] [--only overhead,answer_size]
[--out DIR]`` (default DIR: ``benchmarks/results``, or a temporary folder with ``--quick`` so a
quick run never overwrites the committed figures).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# then any other script, by name
ORDER = ("overhead", "answer_size", "concurrency", "agent_cost")


def discover() -> list[Path]:
    scripts = {p.stem: p for p in HERE.glob("*.py") if not p.name.startswith("_")}
    names = [n for n in ORDER if n in scripts] + sorted(set(scripts) - set(ORDER))
    return [scripts[n] for n in names]


def index(out: Path) -> None:
    parts = [
        "# Benchmark results\n",
        "Written by `make bench` (`benchmarks/_run_all.py`); how to read them: "
        "[../README.md](../README.md). Figures from one machine and one run: compare ratios "
        "within a run, not across machines.\n",
    ]
    for script in discover():
        md = out / f"{script.stem}.md"
        if md.exists():
            parts.append(md.read_text().strip() + "\n")
            png = out / f"{script.stem}.png"
            if png.exists():
                parts.append(f"![{script.stem}]({png.name})\n")
    (out / "README.md").write_text("\n".join(parts))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="tiny counts (each script's --quick)")
    p.add_argument("--only", default="", help="comma-separated script names")
    p.add_argument("--out", type=Path, default=None)
    args = p.parse_args()
    out = args.out or (
        Path(tempfile.gettempdir()) / "aimlapi-bench-quick" if args.quick else HERE / "results"
    )
    out.mkdir(parents=True, exist_ok=True)
    only = {n for n in args.only.split(",") if n}
    failed = []
    for script in discover():
        if only and script.stem not in only:
            continue
        print(f"\n=== {script.name}", flush=True)
        start = time.perf_counter()
        argv = [sys.executable, str(script), "--out", str(out)] + ["--quick"] * args.quick
        result = subprocess.run(argv, cwd=HERE, stdout=subprocess.PIPE, text=True)
        print(result.stdout, end="", flush=True)
        print(f"(=== {script.name}: exit {result.returncode}, {time.perf_counter() - start:.0f} s)")
        if result.returncode == 0:
            (out / f"{script.stem}.md").write_text(result.stdout)
        else:
            failed.append(script.name)
    index(out)
    print(f"\nresults: {out / 'README.md'}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
