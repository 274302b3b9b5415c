"""`make demo`: with a key set, its first line says where calls go; with the service out of
reach, one clear message and no traceback; it installs only what the demo needs."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from aimlapi_emulator import Emulator

ROOT = Path(__file__).resolve().parents[2]


def _closed_loopback_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again on exit: nothing listens there


def test_an_unreachable_service_gets_one_message_naming_the_fix() -> None:
    base_url = f"http://127.0.0.1:{_closed_loopback_port()}/v1"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIMLAPI_")}
    env |= {"AIMLAPI_API_KEY": "sk-not-a-real-key-0001", "AIMLAPI_BASE_URL": base_url}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "demo" / "main.py")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,  # a hang guard, not a speed assertion
        check=False,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out
    assert f"Cannot reach the AI/ML API at {base_url}" in out
    assert "AIMLAPI_BASE_URL" in out
    assert "AIMLAPI_API_KEY" in out
    assert "env -u AIMLAPI_API_KEY -u AIMLAPI_BASE_URL make demo" in out
    assert "Traceback" not in out
    assert "sk-not-a-real-key-0001" not in out
    assert len(out.strip().splitlines()) <= 10, out


def test_with_a_key_the_first_line_says_where_calls_go(emulator: Emulator) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIMLAPI_")}
    env |= {"AIMLAPI_API_KEY": emulator.api_key, "AIMLAPI_BASE_URL": emulator.base_url}
    env["COLUMNS"] = "200"  # off a terminal, rich wraps at 80 columns
    with subprocess.Popen(
        [sys.executable, str(ROOT / "demo" / "main.py")],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    ) as proc:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        proc.kill()
    assert first.startswith(f"AIMLAPI_API_KEY is set: calls go to {emulator.base_url} "), first
    assert "a local emulator on loopback" in first


def test_make_demo_installs_the_demo_extra_alone_and_says_so() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    demo = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    assert "the first run takes a few minutes" in demo
    assert "LangChain" in demo
    assert "LlamaIndex" in demo
    assert "$(DEMO)/bin/python demo/main.py" in demo
    venv = makefile.split("\n$(DEMO_STAMP):", 1)[1].split("\n\n", 1)[0]
    assert "-e '.[demo]'" in venv
    assert "test" not in venv  # the test tools stay in .venv
