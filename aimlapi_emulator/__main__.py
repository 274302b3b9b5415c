"""`python -m aimlapi_emulator --port N [--api-key K] [--fault JSON]...`

Prints the base URL on the first line of stdout, then serves until interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading

from ._faults import Fault, parse_faults
from ._runner import Emulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m aimlapi_emulator", description="Run the AI/ML API emulator on loopback."
    )
    parser.add_argument("--port", type=int, default=0, help="port to bind (0: a free port)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    parser.add_argument("--api-key", default=None, help="the only key accepted (default: any)")
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="JSON",
        help='a fault as JSON, e.g. \'{"status": 429, "times": 2}\' (an object or a list); '
        "repeatable",
    )
    args = parser.parse_args(argv)
    faults: list[Fault] = []
    for text in args.fault:
        try:
            faults.extend(parse_faults(text))
        except (ValueError, TypeError) as exc:
            parser.error(f"--fault {text!r}: {exc}")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with Emulator(api_key=args.api_key, faults=faults, host=args.host, port=args.port) as emu:
        print(emu.base_url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
