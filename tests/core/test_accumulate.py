"""The stream accumulator: parts keyed by index, arguments parsed at the end, replace-usage."""

from __future__ import annotations

import pytest

from aimlapi_core._accumulate import StreamAccumulator, accumulate, events_of
from aimlapi_core._types import (
    ChatResult,
    Cost,
    CostDelta,
    Finish,
    MessageStart,
    RedactedThinkingDelta,
    RedactedThinkingPart,
    SignatureDelta,
    TextDelta,
    TextPart,
    ThinkingDelta,
    ThinkingPart,
    ToolCallDelta,
    ToolCallPart,
    Usage,
    UsageDelta,
)
from aimlapi_core.errors import ResponseValidationError, StreamError

END = Finish(stop_reason="end_turn", raw_stop_reason="end_turn")


def test_interleaved_parts_fold_by_index() -> None:
    result = accumulate(
        [
            MessageStart("msg_1", "claude"),
            ThinkingDelta(0, "a"),
            ThinkingDelta(0, "b"),
            SignatureDelta(0, "sig"),
            RedactedThinkingDelta(1, "opaque"),
            TextDelta(2, "Hel"),
            ToolCallDelta(3, "t1", "f", ""),
            ToolCallDelta(4, "t2", "g", '{"x"'),
            TextDelta(2, "lo"),
            ToolCallDelta(3, None, None, '{"a": 1}'),
            ToolCallDelta(4, None, None, ": [1, 2]}"),
            UsageDelta(input_tokens=10, output_tokens=1),
            UsageDelta(output_tokens=20, reasoning_tokens=5),
            CostDelta(Cost(credits_used=3)),
            CostDelta(Cost(usd_spent=0.5)),
            Finish(stop_reason="tool_use", raw_stop_reason="stop"),
        ]
    )
    assert result == ChatResult(
        parts=[
            ThinkingPart(thinking="ab", signature="sig"),
            RedactedThinkingPart(data="opaque"),
            TextPart(text="Hello"),
            ToolCallPart(id="t1", name="f", arguments={"a": 1}),
            ToolCallPart(id="t2", name="g", arguments={"x": [1, 2]}),
        ],
        id="msg_1",
        model="claude",
        stop_reason="tool_use",
        raw_stop_reason="stop",
        usage=Usage(input_tokens=10, output_tokens=20, reasoning_tokens=5),
        cost=Cost(credits_used=3, usd_spent=0.5),
    )


def test_events_after_finish_still_count() -> None:
    # /chat/completions sends the cost in a chunk after the finish (request-tracing-and-cost.md).
    acc = StreamAccumulator()
    for event in [TextDelta(0, "x"), END, CostDelta(Cost(usd_spent=0.1))]:
        acc.add(event)
    assert acc.finished
    assert acc.result().cost == Cost(usd_spent=0.1)


def test_empty_arguments_mean_no_arguments() -> None:
    result = accumulate([ToolCallDelta(0, "t", "ping", ""), END])
    assert result.tool_calls == [ToolCallPart(id="t", name="ping", arguments={})]


def test_invalid_arguments_name_the_tool() -> None:
    with pytest.raises(ResponseValidationError, match="'lookup'"):
        accumulate([ToolCallDelta(0, "t", "lookup", '{"q": '), END])


def test_unfinished_stream_raises() -> None:
    acc = StreamAccumulator()
    acc.add(TextDelta(0, "partial"))
    assert not acc.finished
    with pytest.raises(StreamError, match=r"ended before the model finished: received 1 part\(s\)"):
        acc.result()


def test_empty_unfinished_stream_says_nothing_came() -> None:
    with pytest.raises(StreamError, match="no content was received"):
        accumulate([])


def test_mixed_kinds_at_one_index_are_refused() -> None:
    with pytest.raises(ResponseValidationError, match="mixed text and thinking"):
        accumulate([TextDelta(0, "a"), ThinkingDelta(0, "b"), END])


def test_a_finish_that_came_before_the_tool_calls_still_says_tool_use() -> None:
    result = accumulate(
        [
            Finish(stop_reason="end_turn", raw_stop_reason="stop"),
            ToolCallDelta(0, "toolu_1", "get_weather", '{"city": "Oslo"}'),
        ]
    )
    assert result.stop_reason == "tool_use"
    assert result.raw_stop_reason == "stop"  # the wire's own word is kept
    assert result.tool_calls == [
        ToolCallPart(id="toolu_1", name="get_weather", arguments={"city": "Oslo"})
    ]


def test_events_of_a_result_accumulate_back_to_it() -> None:
    result = ChatResult(
        parts=[
            ThinkingPart(thinking="hmm", signature="sig"),
            RedactedThinkingPart(data="xyz"),
            TextPart(text="Checking."),
            ToolCallPart(id="toolu_1", name="get_weather", arguments={"city": "Oslo"}),
        ],
        id="msg_1",
        model="claude-sonnet-4-20250514",
        stop_reason="tool_use",
        raw_stop_reason="tool_use",
        usage=Usage(input_tokens=10, output_tokens=5, cache_read_tokens=2, reasoning_tokens=3),
        cost=Cost(credits_used=12.0, usd_spent=0.0006),
    )
    assert accumulate(events_of(result)) == result
