"""The pytest plugin: an `aimlapi_emulator` fixture, registered by the `pytest11` entry point.

Installed with the distribution, so a test needs no `-p` and no conftest:

    def test_my_chain(aimlapi_emulator):
        aimlapi_emulator.add_reply("Paris.")
        llm = ChatAIMLAPI()  # AIMLAPI_BASE_URL and AIMLAPI_API_KEY point at the emulator
        assert llm.invoke("Capital of France?").text == "Paris."
        assert aimlapi_emulator.last_request.json["messages"][0]["content"] == "Capital of France?"

    @pytest.mark.aimlapi_emulator(replies=[Reply(text="hi")], faults=[Fault(status=429)])
    def test_retries(aimlapi_emulator): ...

The fixture starts a fresh emulator for the test and sets `AIMLAPI_BASE_URL` and
`AIMLAPI_API_KEY` (with monkeypatch, so they are restored after). The marker takes the
`Emulator` constructor's keywords: `replies=`, `faults=`, `api_key=`.

This module imports nothing heavy: the server (the `emulator` extra) loads when a test asks for
the fixture, so installing the distribution without that extra never breaks anyone's pytest.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

_MARKER = "aimlapi_emulator"
_MARKER_KEYWORDS = frozenset({"replies", "faults", "api_key"})


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{_MARKER}(replies=None, faults=None, api_key=None): configure the aimlapi_emulator "
        "fixture (scripted replies, a fault plan, the one key it accepts)",
    )


@pytest.fixture
def aimlapi_emulator(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    """A running `aimlapi_emulator.Emulator` for this test, with AIMLAPI_BASE_URL and
    AIMLAPI_API_KEY set to reach it.

    Example:
        >>> def test_answer(aimlapi_emulator):  # doctest: +SKIP
        ...     aimlapi_emulator.add_reply("exactly this")
        ...     assert ChatAIMLAPI().invoke("hi").text == "exactly this"
    """
    from aimlapi_emulator import Emulator  # the emulator extra, loaded only when used

    options: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers(_MARKER))):  # closest marker wins
        if marker.args:
            keywords = ", ".join(sorted(_MARKER_KEYWORDS))
            raise pytest.UsageError(f"@pytest.mark.{_MARKER} takes keywords only ({keywords})")
        unknown = sorted(set(marker.kwargs) - _MARKER_KEYWORDS)
        if unknown:
            raise pytest.UsageError(
                f"@pytest.mark.{_MARKER}: unknown keyword(s) {unknown}; "
                f"use {sorted(_MARKER_KEYWORDS)}"
            )
        options.update(marker.kwargs)
    with Emulator(**options) as emu:
        monkeypatch.setenv("AIMLAPI_BASE_URL", emu.base_url)
        monkeypatch.setenv("AIMLAPI_API_KEY", emu.api_key)
        yield emu
