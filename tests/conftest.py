"""Fixtures shared by every test package: emulators on loopback (tests/emulator has its own).

- `emulator`: one Emulator for the whole session. Its request log and fault plan are shared
  across tests: call `emulator.clear_requests()` first if you assert on the log, and prefer
  `fresh_emulator` for faults or for asserting on every request.
- `fresh_emulator`: a new Emulator per test (its own port, log, faults and signing secret).
- `emulator_api_key`: the key both accept; any other key gets the documented 401.

A test may script the session emulator's replies (`emulator.set_replies(...)`); they are reset
after every test, so no script leaks into the next one.
"""

from __future__ import annotations

import gc
import os
import warnings
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from aimlapi_emulator import Emulator

# Hypothesis budgets: "default" keeps `make test` quick; `make fuzz` runs the tests marked `fuzz`
# with HYPOTHESIS_PROFILE=fuzz (>= 2,000 examples each). No deadline: the machine may be
# loaded, and a slow example is not a failure.
for _name, _examples in (("default", 100), ("fuzz", 2500)):
    settings.register_profile(
        _name,
        max_examples=_examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# Looks like a real key on purpose: tests check it never leaks into logs, reprs or errors.
EMULATOR_API_KEY = "sk-emulator-test-3f9c2a7d41b8e605"


@pytest.fixture(scope="session", autouse=True)
def _nothing_left_for_the_collector() -> Iterator[None]:
    """After the last test, nothing unclosed for the garbage collector to find. A socket or
    transport collected during a test already fails it (its ResourceWarning, raised in
    ``__del__``, reaches pytest as PytestUnraisableExceptionWarning, an error here); one
    collected only at exit would merely be printed, so the session collects once more and
    fails on any."""
    yield
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        gc.collect()
    unclosed = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert unclosed == []


@pytest.fixture(scope="session")
def emulator_api_key() -> str:
    return EMULATOR_API_KEY


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    with Emulator(api_key=EMULATOR_API_KEY) as emu:
        yield emu


@pytest.fixture(autouse=True)
def _reset_scripted_replies(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "emulator" in request.fixturenames:
        request.getfixturevalue("emulator").set_replies(None)


@pytest.fixture(autouse=True)
def _forget_prompt_caching_warnings() -> None:
    """prompt_caching warns once per model and endpoint in a process; each test starts anew."""
    from aimlapi_core import _caching

    _caching._WARNED.clear()


@pytest.fixture
def fresh_emulator() -> Iterator[Emulator]:
    with Emulator(api_key=EMULATOR_API_KEY) as emu:
        yield emu
