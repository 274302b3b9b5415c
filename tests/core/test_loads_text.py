"""``loads_text``, the stream decoders' JSON reader, is ``json.loads`` for text: same values,
same errors (with the same words), whatever whitespace or garbage surrounds the JSON."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from aimlapi_core._json import loads_text

_VALUES = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers() | st.text(),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    max_leaves=10,
)
_AROUND = st.text(alphabet=" \t\n\r\x0b\x0cx,]}", max_size=3)


def _outcome(fn: object, text: str) -> tuple[str, object]:
    try:
        return "value", fn(text)  # type: ignore[operator]
    except ValueError as exc:
        return "error", str(exc)


@settings(max_examples=500)
@given(_VALUES, _AROUND, _AROUND)
def test_json_with_anything_around_it_reads_as_json_loads_reads_it(
    value: object, before: str, after: str
) -> None:
    text = before + json.dumps(value) + after
    assert _outcome(loads_text, text) == _outcome(json.loads, text)


@settings(max_examples=500)
@given(st.text())
def test_any_text_reads_as_json_loads_reads_it(text: str) -> None:
    assert _outcome(loads_text, text) == _outcome(json.loads, text)
