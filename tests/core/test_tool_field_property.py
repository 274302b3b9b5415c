"""For every documented model × endpoint × per-tool field, the body the client sends carries the
field, or the call raises before any I/O (docs/wire.md "Tools"): never dropped. Bodies are
captured as the conformance test captures them (``test_conformance.sent_body``)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_conformance import sent_body

from aimlapi_core import TOOL_FIELDS, ChatRequest, Message, TextPart, ToolSpec
from aimlapi_core.catalog import lookup, model_ids

VALUES: dict[str, Any] = {
    "strict": True,
    "eager_input_streaming": True,
    "defer_loading": False,
    "input_examples": [{"city": "Oslo"}],
    "allowed_callers": ["direct"],
}
SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}}}


@pytest.mark.filterwarnings("ignore::aimlapi_core.catalog.ModelDeprecationWarning")
@settings(max_examples=150, deadline=None)
@given(
    model=st.sampled_from(model_ids()),
    api=st.sampled_from(["chat_completions", "messages"]),
    field=st.sampled_from(TOOL_FIELDS),
    stream=st.booleans(),
)
def test_every_documented_model_carries_a_tool_field_or_refuses_it_before_io(
    model: str, api: str, field: str, stream: bool
) -> None:
    info = lookup(model)
    assert info is not None
    caps = info.on(api)
    assert caps is not None
    request = ChatRequest(
        model=model,
        max_tokens=64,
        messages=[Message(role="user", parts=[TextPart(text="hi")])],
        tools=[ToolSpec(name="t", input_schema=SCHEMA, **{field: VALUES[field]})],
    )
    body = sent_body(api, request, stream)  # None: refused before any I/O
    if field in caps.tool_fields:
        assert body is not None
        assert body["tools"][0][field] == VALUES[field]
    else:
        assert body is None


def test_the_values_cover_every_field() -> None:
    assert set(VALUES) == set(TOOL_FIELDS)
