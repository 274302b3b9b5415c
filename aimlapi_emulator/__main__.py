"""`python -m aimlapi_emulator --port N [--api-key K] [--batch-polls N] [--fault JSON]...
[--reply TEXT-OR-JSON]...`

Prints the base URL on the first line of stdout, then serves until interrupted. A taken port is
a one-line error (exit status 1), not a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

from ._faults import Fault, parse_faults
from ._reply import Reply
from ._runner import Emulator, PortInUseError


def parse_reply(text: str) -> list[Reply]:
    """``--reply``'s argument as ``Emulator(replies=...)`` takes a reply: plain text, or a
    ``Reply`` as a JSON object (a list of objects or strings: several). Text that starts like
    JSON (``{`` or ``[``) must be JSON: a typo there is an error, not a reply quoting it."""
    if not text.lstrip().startswith(("{", "[")):
        return [Reply(text=text)]
    data = json.loads(text)
    items = data if isinstance(data, list) else [data]
    return [Reply(text=item) if isinstance(item, str) else Reply.from_dict(item) for item in items]


def main(
    argv: list[str] | None = None, *, rewrite_request: Callable[[Any], Any] | None = None
) -> int:
    """Serve until interrupted; ``rewrite_request`` as ``Emulator(rewrite_request=...)``."""
    parser = argparse.ArgumentParser(
        prog="python -m aimlapi_emulator", description="Run the AI/ML API emulator on loopback."
    )
    parser.add_argument("--port", type=int, default=0, help="port to bind (0: a free port)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    parser.add_argument("--api-key", default=None, help="the only key accepted (default: any)")
    parser.add_argument(
        "--batch-polls", type=int, default=1, help='status polls answered "generating" per batch'
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="JSON",
        help='a fault as JSON, e.g. \'{"status": 429, "times": 2}\' (an object or a list); '
        "repeatable",
    )
    parser.add_argument(
        "--reply",
        action="append",
        default=[],
        metavar="REPLY",
        help="a scripted reply, as Emulator(replies=...) takes it: plain text (--reply Paris.) "
        'or a Reply as JSON (\'{"tool_calls": [{"name": "f", "input": {}}]}\', an object or a '
        "list); repeatable, used in order",
    )
    args = parser.parse_args(argv)
    faults: list[Fault] = []
    for text in args.fault:
        try:
            faults.extend(parse_faults(text))
        except (ValueError, TypeError) as exc:
            parser.error(f"--fault {text!r}: {exc}")
    replies: list[Reply] = []
    for text in args.reply:
        try:
            replies.extend(parse_reply(text))
        except (ValueError, TypeError, AttributeError) as exc:
            parser.error(f"--reply {text!r}: {exc}")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    emulator = Emulator(
        api_key=args.api_key,
        faults=faults,
        replies=replies,
        host=args.host,
        port=args.port,
        batch_polls=args.batch_polls,
        rewrite_request=rewrite_request,
    )
    try:
        emulator.start()
    except PortInUseError as exc:
        print(f"python -m aimlapi_emulator: error: {exc.strerror}", file=sys.stderr)
        return 1
    try:
        print(emulator.base_url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
