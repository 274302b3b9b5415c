"""Fuzzing the readers of batch results and embedding answers: whatever the server sends, only
the library's errors escape, and what is returned is exactly what the server said.

Batches: JSON Lines of results with any custom_id (canonical positions, ``"01"``, ``"١"``,
``"1e20"``, numbers, nulls) and any outcome (succeeded, errored, canceled, garbage) are read by
``read_body``; ``in_input_order`` then holds exactly ``size`` slots, and a slot holds an answer
only when exactly one result answered that position, with that result's text.
Embeddings: answers with any ``data`` items are folded by the collector; what it returns is one
vector of finite numbers per input, of the requested length, each the one its index named.

Budgets as in test_fuzz_decoders.py: ``default`` 100 examples per test, ``make fuzz`` 2,500.
"""

from __future__ import annotations

import contextlib
import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aimlapi_core import ChatResult, in_input_order
from aimlapi_core._embeddings import EmbeddingCollector, plan_embeddings
from aimlapi_core.errors import AIMLAPIError
from aimlapi_core.wire.batches import read_body

pytestmark = pytest.mark.fuzz

JSON_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
)
ANY_JSON = st.recursive(
    JSON_LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)

# --------------------------------------------------------------------------- batches

CUSTOM_IDS = st.one_of(
    st.integers(0, 5).map(str),
    st.sampled_from(["01", "00", "+1", " 1", "1e20", "1000000", "\u0661", "\uff11", "\u00b2", ""]),
    st.text(max_size=6),
    st.integers(0, 5),
    st.none(),
)


def _message(text: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "role": "assistant",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
    }


OUTCOMES = st.one_of(
    st.builds(lambda t: {"type": "succeeded", "message": _message(t)}, st.text(max_size=8)),
    st.builds(
        lambda m: {
            "type": "errored",
            "error": {"type": "error", "error": {"type": "api_error", "message": m}},
        },
        st.text(max_size=8),
    ),
    st.sampled_from([{"type": "canceled"}, {"type": "expired"}, {"type": "succeeded"}]),
    st.builds(lambda v: {"type": "succeeded", "message": _message(v)}, ANY_JSON),
    st.builds(lambda t, v: {"type": t, "message": v}, st.text(max_size=6), ANY_JSON),
    ANY_JSON,
)
LINES = st.lists(
    st.one_of(
        st.builds(lambda c, o: {"custom_id": c, "result": o}, CUSTOM_IDS, OUTCOMES),
        ANY_JSON,
    ),
    min_size=1,
    max_size=8,
)


def _expected_text(line: Any) -> Any:
    """The answer a line gives, when it is a readable success (else None)."""
    try:
        text = line["result"]["message"]["content"][0]["text"]
        ok = line["result"]["type"] == "succeeded" and isinstance(text, str)
    except (KeyError, IndexError, TypeError):
        return None
    return text if ok else None


@given(lines=LINES, size=st.one_of(st.none(), st.integers(0, 6)))
def test_batch_results_only_library_errors_and_every_answer_in_its_own_slot(
    lines: list[Any], size: int | None
) -> None:
    content = b"".join(json.dumps(line).encode() + b"\n" for line in lines)
    try:
        batch = read_body(content, "b1")
        slots = in_input_order(batch, size)
    except AIMLAPIError:
        return
    assert batch.results is not None
    assert len(slots) == (len(batch.results) if size is None else size)
    for i, slot in enumerate(slots):
        answering = [
            line for line in lines if isinstance(line, dict) and line.get("custom_id") == str(i)
        ]
        if isinstance(slot, ChatResult):
            assert len(answering) == 1, (i, answering)  # answered once, by its own position
            assert slot.text == _expected_text(answering[0])
        else:
            assert isinstance(slot, AIMLAPIError)


@given(content=st.binary(max_size=200))
def test_batch_answers_as_raw_bytes_raise_only_library_errors(content: bytes) -> None:
    with contextlib.suppress(AIMLAPIError):
        read_body(content, "b1")


# --------------------------------------------------------------------------- embeddings

DIMS = 3
NUMBERS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-(2**70), 2**70))
VECTOR = st.one_of(st.lists(NUMBERS, min_size=DIMS, max_size=DIMS), st.lists(ANY_JSON, max_size=4))
ITEMS = st.lists(
    st.one_of(
        st.builds(lambda i, v: {"index": i, "embedding": v}, st.integers(-1, 3), VECTOR),
        st.builds(lambda i, v: {"index": i, "embedding": v}, ANY_JSON, ANY_JSON),
        ANY_JSON,
    ),
    max_size=4,
)


def _finite_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


@given(items=ITEMS, extra=st.dictionaries(st.sampled_from(["usage", "model", "error"]), ANY_JSON))
def test_embedding_answers_only_library_errors_and_only_storable_vectors(
    items: list[Any], extra: dict[str, Any]
) -> None:
    plan = plan_embeddings(["a", "b"], dimensions=DIMS)
    collector = EmbeddingCollector(plan)
    try:
        collector.add(0, {"data": items, **extra}, {})
        result = collector.result()
    except AIMLAPIError:
        return
    assert len(result.vectors) == 2
    for i, vector in enumerate(result.vectors):
        assert len(vector) == DIMS
        assert all(_finite_number(v) for v in vector)
        named = [
            it
            for it in items
            if isinstance(it, dict)
            and not isinstance(it.get("index"), bool)
            and it.get("index") == i
        ]
        assert len(named) == 1
        assert vector == named[0]["embedding"]
