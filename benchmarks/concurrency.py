"""500 concurrent async streams through one ``AsyncAIMLAPIClient``: no errors, flat memory.

The emulator runs in its own process. The client opens ``--streams`` streams at once, reads
each to the end and checks that it finished; it does this for ``--waves`` waves and prints the
client's resident memory after each, so growth from wave to wave (a leak) shows at once.

Run: ``.venv/bin/python benchmarks/concurrency.py [--streams 500] [--waves 4] [--quick]``.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from _harness import KEY, MODEL, machine, parser, serving, start_emulator, table

from aimlapi_core import AsyncAIMLAPIClient, ChatRequest, Message, TextPart


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def wave(client: AsyncAIMLAPIClient, streams: int) -> tuple[int, int]:
    request = ChatRequest(
        model=MODEL,
        max_tokens=128,
        messages=[Message(role="user", parts=[TextPart(text="Count from 1 to 20")])],
    )

    async def one() -> int:
        async with client.stream(request) as stream:
            events = [event async for event in stream]
            result = await stream.get_final_result()
        assert result.stop_reason is not None
        return len(events)

    outcomes = await asyncio.gather(*(one() for _ in range(streams)), return_exceptions=True)
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    for error in errors[:3]:
        print("  error:", repr(error))
    return len(errors), sum(o for o in outcomes if isinstance(o, int))


async def run(base_url: str, streams: int, waves: int) -> tuple[int, list[list[object]]]:
    failed, rows = 0, []
    async with AsyncAIMLAPIClient(api_key=KEY, base_url=base_url, timeout=120) as client:
        rows.append(["before", "", "", "", "", f"{rss_mib():.1f} MiB"])
        for n in range(1, waves + 1):
            start = time.perf_counter()
            errors, events = await wave(client, streams)
            failed += errors
            elapsed = time.perf_counter() - start
            rows.append([n, streams, errors, events, f"{elapsed:.2f} s", f"{rss_mib():.1f} MiB"])
    return failed, rows


def main() -> int:
    p = parser(__doc__)
    p.add_argument("--streams", type=int, default=500)
    p.add_argument("--waves", type=int, default=4)
    args = p.parse_args()
    streams, waves = (20, 2) if args.quick else (args.streams, args.waves)
    with serving(start_emulator()) as url:
        failed, rows = asyncio.run(run(url, streams, waves))
    print("## Concurrent async streams on one client\n")
    print(f"{machine()}. Target: no errors, memory flat after the first wave.\n")
    print(table(["wave", "streams", "errors", "events", "wall time", "client RSS"], rows))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
