"""A local stand-in for the AI/ML API: a real HTTP server on loopback.

It speaks both wire formats (/chat/completions and /messages), validates requests like the real
service, answers with a deterministic scripted assistant and injects faults on request.

    from aimlapi_emulator import Emulator, Fault

    with Emulator(faults=[Fault(status=429, retry_after=1)]) as emu:
        emu.base_url   # "http://127.0.0.1:<port>/v1"
        emu.requests   # every request received, key redacted

Run standalone with `python -m aimlapi_emulator --port 8000`.
"""

from ._faults import Fault
from ._records import RecordedRequest
from ._runner import DEFAULT_API_KEY, Emulator

__all__ = ["DEFAULT_API_KEY", "Emulator", "Fault", "RecordedRequest"]
