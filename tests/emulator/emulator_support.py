"""Helpers for the emulator's own tests: plain httpx, never aimlapi_core's client."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from aimlapi_emulator import Emulator

# Verbatim copies of the documented examples' pages (see tests/fixtures/aimlapi-docs/README.md).
DOCS = Path(__file__).resolve().parents[1] / "fixtures" / "aimlapi-docs"
MODEL = "claude-sonnet-4-20250514"


class Api:
    """Posts to one emulator with its key; `chat(...)` / `messages(...)` return the response."""

    def __init__(self, emu: Emulator, client: httpx.Client) -> None:
        self.emu, self.client = emu, client

    def post(self, path: str, body: Any, key: str | None = None, **headers: str) -> httpx.Response:
        auth = {"Authorization": f"Bearer {key or self.emu.api_key}"}
        return self.client.post(
            f"{self.emu.base_url}{path}", json=body, headers={**auth, **headers}
        )

    def chat(self, **body: Any) -> httpx.Response:
        return self.post("/chat/completions", {"model": MODEL, **body})

    def messages(self, **body: Any) -> httpx.Response:
        return self.post("/messages", {"model": MODEL, "max_tokens": 1024, **body})


def sse_data(response: httpx.Response) -> list[Any]:
    """The JSON of every `data:` line, in order (`[DONE]` kept as the string)."""
    out = []
    for line in response.text.split("\n"):
        if line.startswith("data: "):
            payload = line[len("data: ") :]
            out.append(payload if payload == "[DONE]" else json.loads(payload))
    return out


def sse_events(response: httpx.Response) -> list[tuple[str, Any]]:
    """(event name, JSON data) per SSE event of an Anthropic stream."""
    events = []
    for block in response.text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.split("\n"))
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def user(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]
