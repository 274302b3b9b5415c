"""A local stand-in for the AI/ML API: a real HTTP server on loopback.

It speaks both wire formats (/chat/completions and /messages), refuses what the real service
refuses (per model, from the docs), answers with a small default assistant or with the replies a
test scripts, and injects faults on request.

    from aimlapi_emulator import Emulator, Fault, Reply

    with Emulator(replies=[Reply(text="exactly this")], faults=[Fault(status=429)]) as emu:
        emu.base_url   # "http://127.0.0.1:<port>/v1"
        emu.requests   # every request received, key redacted

Run standalone with `python -m aimlapi_emulator --port 8000`; in pytest, use the
`aimlapi_emulator` fixture (registered when this package is installed).

How a chat request is answered (/chat/completions, /messages, and each request of a batch):
the server (`_server.py`) records it, checks the key and takes the fault plan (an error-status
fault answers there); then one pipeline (`_pipeline.py`) reads the model's catalogue entry once,
runs `CHECKS` (the endpoint's schema against the model's capabilities, then the model's rules;
each a function of the `ChatCall` raising a 400), takes the scripted reply or the default
assistant's, and runs `ANSWER_FEATURES` (web search turn, adaptive thinking, prompt-cache usage;
each fills its part of the `Answer`); the renderers draw every field of the `Answer`, whole or
streamed, and `_wire.send` puts it on the wire, where any other fault alters it. A new per-model
check is one function added to `CHECKS`; a new answer feature is a field of `Answer`
(`_answer.py`), one function added to `ANSWER_FEATURES`, and its drawing in both renderers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._faults import Fault
from ._records import Bill, RecordedRequest
from ._reply import Reply, ToolCall

if TYPE_CHECKING:
    from ._runner import DEFAULT_API_KEY, Emulator, PortInUseError

__all__ = [
    "DEFAULT_API_KEY",
    "Bill",
    "Emulator",
    "Fault",
    "PortInUseError",
    "RecordedRequest",
    "Reply",
    "ToolCall",
]
_SERVER_NAMES = frozenset({"DEFAULT_API_KEY", "Emulator", "PortInUseError"})


def __getattr__(name: str) -> Any:
    # The server needs the `emulator` extra (Starlette, uvicorn); the pytest plugin imports this
    # package in every project that installs the distribution, so those load on first use.
    if name in _SERVER_NAMES:
        try:
            from . import _runner
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                f"aimlapi_emulator.{name} needs the emulator extra: "
                "pip install 'aimlapi-integrations[emulator]'"
            ) from exc
        return getattr(_runner, name)
    raise AttributeError(f"module 'aimlapi_emulator' has no attribute {name!r}")
