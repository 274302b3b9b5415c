"""Streaming on LlamaIndex folds each event once: the responses read the core stream's own
accumulator (``ChatStream.partial_parts``) instead of feeding a second one."""

from __future__ import annotations

from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage

from aimlapi_core import StreamAccumulator, StreamEvent, TextDelta
from llama_index_aimlapi import AIMLAPI

MESSAGES = [ChatMessage(role="user", content="Say hello in a few words.")]


@pytest.fixture
def folds(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, StreamEvent]]:
    """Every ``StreamAccumulator.add`` call as (accumulator id, event); the events are kept, so
    their ids stay unique while the test runs."""
    calls: list[tuple[int, StreamEvent]] = []
    add = StreamAccumulator.add

    def counting_add(self: StreamAccumulator, event: StreamEvent) -> None:
        calls.append((id(self), event))
        add(self, event)

    monkeypatch.setattr(StreamAccumulator, "add", counting_add)
    return calls


def check_one_fold(calls: list[tuple[int, StreamEvent]], chunks: list[Any]) -> None:
    assert len({acc for acc, _ in calls}) == 1  # one accumulator: the core stream's
    events = [event for _, event in calls]
    assert len({id(e) for e in events}) == len(events)  # and each event added to it once
    texts = [e.text for e in events if isinstance(e, TextDelta)]
    assert len(texts) > 1
    assert [c.delta for c in chunks[:-1]] == texts  # one response per text event, as before
    assert chunks[-1].message.content == "".join(texts)


def test_stream_chat_folds_each_event_once(llm: AIMLAPI, folds) -> None:
    chunks = list(llm.stream_chat(MESSAGES))
    check_one_fold(folds, chunks)


async def test_astream_chat_folds_each_event_once(llm: AIMLAPI, folds) -> None:
    chunks = [c async for c in await llm.astream_chat(MESSAGES)]
    check_one_fold(folds, chunks)
