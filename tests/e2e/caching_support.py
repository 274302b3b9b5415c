"""What the prompt-caching end-to-end tests share: where a body carries breakpoints, and the
checks every agent loop must pass (docs/caching.md)."""

from __future__ import annotations

import itertools
from typing import Any

from aimlapi_emulator import Emulator

# A model whose schema takes cache_control on each endpoint (every 4.x id refuses it on chat).
MODEL = {"messages": "claude-sonnet-4-20250514", "chat_completions": "anthropic/claude-sonnet-5"}
INSTRUCTIONS = "You answer questions about the weather and always cite the tool you used. " * 120


def hints(body: dict[str, Any]) -> list[str]:
    """Where a request body carries cache_control, as paths."""
    found: list[str] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            if "cache_control" in value:
                found.append(path)
            for key, item in value.items():
                walk(item, f"{path}.{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, f"{path}[{i}]")

    walk(body, "")
    return found


def assert_marked_as_documented(emu: Emulator) -> None:
    """Every chat request: the system prompt and the conversation tail marked, at most four."""
    bodies = [r.json for r in emu.requests if r.path.endswith(("/messages", "/completions"))]
    assert len(bodies) >= 2
    for body in bodies:
        tail = len(body["messages"]) - 1
        last = len(body["messages"][tail]["content"]) - 1
        marks = hints(body)
        assert len(marks) <= 4
        assert ".system[0]" in marks
        assert f".messages[{tail}].content[{last}]" in marks


def assert_each_turn_reads_the_last(figures: list[tuple[int, int]]) -> None:
    assert figures[0][1] > 0  # the first call writes its prefix
    for (read, written), (next_read, _) in itertools.pairwise(figures):
        assert next_read == read + written  # the next reads all of it
