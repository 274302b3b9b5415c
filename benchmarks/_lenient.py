"""The lenient emulator: for benchmarks only (``python benchmarks/_lenient.py --port 0 ...``
takes ``python -m aimlapi_emulator``'s arguments, or ``Emulator(rewrite_request=relax)``).

The emulator refuses what the real service refuses, which includes the OpenAI-shaped extras that
OpenAI SDK clients send (ChatOpenAI puts ``max_tokens`` in ``max_completion_tokens``; streams may
carry ``stream_options``; ``n``; a ``system`` message in ``messages``). ``benchmarks/`` measures
those clients side by side with ours, so in lenient mode a request is first rewritten to the
Claude shape it stands for, and then validated and answered as usual. Nothing here is a wire
rule: tests of our clients run the emulator strict (the default), where these requests get a 400.

Only what a plain text conversation needs is rewritten; anything else still meets the strict
validator (``n`` other than 1, for example, since one answer cannot stand for several).
"""

from __future__ import annotations

import sys
from typing import Any

from aimlapi_emulator.__main__ import main

# OpenAI name -> Claude name. docs/wire.md "Request on /chat/completions": these OpenAI-only
# fields are absent from every Claude spec, and the strict emulator refuses them.
_RENAMED = {"max_completion_tokens": "max_tokens", "stop": "stop_sequences"}
# OpenAI-only keys with no effect on a Claude answer: usage is always streamed, one choice is
# always returned, parallel tool use is the default.
_DROPPED = frozenset({"stream_options", "parallel_tool_calls", "user", "seed", "store"})


def relax(body: Any) -> Any:
    """The Claude-shaped request ``body`` stands for (a new object; ``body`` is not changed)."""
    if not isinstance(body, dict):
        return body
    out = {k: v for k, v in body.items() if v is not None and k not in _DROPPED}
    if out.get("n") == 1:
        del out["n"]
    for old, new in _RENAMED.items():
        if old in out:
            value = out.pop(old)
            out.setdefault(
                new, [value] if new == "stop_sequences" and isinstance(value, str) else value
            )
    messages = out.get("messages")
    if isinstance(messages, list):
        system = [
            m for m in messages if isinstance(m, dict) and m.get("role") in ("system", "developer")
        ]
        if (
            system
            and "system" not in out
            and all(isinstance(m.get("content"), str) for m in system)
        ):
            out["system"] = "\n\n".join(m["content"] for m in system)
            messages = [m for m in messages if m not in system]
        out["messages"] = [
            {k: v for k, v in m.items() if v is not None} if isinstance(m, dict) else m
            for m in messages
        ]
    return out


if __name__ == "__main__":
    sys.exit(main(rewrite_request=relax))
