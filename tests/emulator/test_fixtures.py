"""The shared fixtures start real servers that answer on loopback."""

from __future__ import annotations

import httpx

from aimlapi_emulator import Emulator


def _hello(emu: Emulator, key: str) -> httpx.Response:
    return httpx.post(
        f"{emu.base_url}/chat/completions",
        headers={"Authorization": f"Bearer {key}"},
        json={"model": "claude-sonnet-4", "messages": [{"role": "user", "content": "Hello"}]},
    )


def test_session_emulator_answers_with_the_shared_key(emulator: Emulator, emulator_api_key: str):
    assert emulator.api_key == emulator_api_key
    response = _hello(emulator, emulator_api_key)
    assert response.status_code == 201
    assert response.json()["choices"][0]["message"]["content"]


def test_fresh_emulator_is_a_different_server(emulator: Emulator, fresh_emulator: Emulator):
    assert fresh_emulator.base_url != emulator.base_url
    assert fresh_emulator.requests == []
    assert _hello(fresh_emulator, "sk-wrong").status_code == 401
    assert _hello(fresh_emulator, fresh_emulator.api_key).status_code == 201
    assert [r.path for r in fresh_emulator.requests] == ["/v1/chat/completions"] * 2
