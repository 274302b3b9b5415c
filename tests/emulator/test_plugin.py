"""The pytest plugin, as a user meets it: a fresh project with one test file, no conftest, no -p."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

SCRATCH_TEST = """
import os

import pytest

from aimlapi_emulator import Fault, Reply
from langchain_aimlapi import ChatAIMLAPI


def test_the_fixture_points_the_environment_at_a_running_emulator(aimlapi_emulator):
    assert os.environ["AIMLAPI_BASE_URL"] == aimlapi_emulator.base_url
    assert os.environ["AIMLAPI_API_KEY"] == aimlapi_emulator.api_key
    aimlapi_emulator.add_reply("scripted in the test")
    assert ChatAIMLAPI().invoke("Hello").text == "scripted in the test"
    assert aimlapi_emulator.last_request.json["messages"] == [
        {"role": "user", "content": "Hello"}
    ]


@pytest.mark.aimlapi_emulator(replies=[Reply(text="from the marker")], faults=[Fault(status=503)])
def test_the_marker_scripts_replies_and_faults(aimlapi_emulator):
    assert ChatAIMLAPI(max_retries=1).invoke("Hello").text == "from the marker"
    assert len(aimlapi_emulator.requests) == 2  # the 503, then the retry


@pytest.mark.aimlapi_emulator(replies=lambda request: "you sent " + request.json["model"])
def test_a_function_as_replies(aimlapi_emulator):
    assert ChatAIMLAPI(model="claude-opus-4-1").invoke("Hi").text == "you sent claude-opus-4-1"


def test_the_environment_is_restored_after_each_test():
    assert "AIMLAPI_BASE_URL" not in os.environ
"""


README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_test_file() -> str:
    """The README's pytest example (a ```py block: a test file, not a script to run)."""
    blocks = re.findall(r"^```py\n(.*?)^```$", README.read_text(), re.M | re.S)
    [block] = [b for b in blocks if "def test_my_chain(aimlapi_emulator)" in b]
    return str(block)


def test_a_scratch_project_uses_the_fixture_without_any_setup(tmp_path: Path):
    (tmp_path / "test_my_chain.py").write_text(textwrap.dedent(SCRATCH_TEST))
    (tmp_path / "test_from_the_readme.py").write_text(_readme_test_file())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIMLAPI_", "PYTEST_"))}
    result = subprocess.run(
        # --strict-markers: the marker is registered by the plugin; -W error: it warns nothing
        # (pytest-asyncio, installed here but unused there, warns about its own settings).
        [sys.executable, "-m", "pytest", "-q", "--strict-markers", "-W", "error",
         "-p", "no:asyncio", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "6 passed" in result.stdout


def test_the_plugin_is_loaded_here_too(pytestconfig):
    # Registered by entry point for this repository's own run as well, without breaking it.
    assert pytestconfig.pluginmanager.has_plugin("aimlapi_emulator")


def test_the_fixture_here(aimlapi_emulator, monkeypatch):
    assert os.environ["AIMLAPI_BASE_URL"] == aimlapi_emulator.base_url
