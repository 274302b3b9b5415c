"""Tool input schemas: $ref/$defs inlined, unsendable roots refused, caller's dict untouched."""

from __future__ import annotations

import copy

import pytest

from aimlapi_core._schema import tool_input_schema
from aimlapi_core.errors import UnsupportedContentError

PYDANTIC_STYLE = {
    "$defs": {
        "Unit": {"enum": ["c", "f"], "type": "string"},
        "Place": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "unit": {"$ref": "#/$defs/Unit"}},
        },
    },
    "properties": {
        "place": {"$ref": "#/$defs/Place", "description": "where"},
        "alternatives": {"type": "array", "items": {"$ref": "#/$defs/Place"}},
        "definitions": {"type": "string"},
    },
    "required": ["place"],
    "title": "Weather",
    "type": "object",
}


def test_refs_inlined_and_defs_removed() -> None:
    original = copy.deepcopy(PYDANTIC_STYLE)
    place = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "unit": {"enum": ["c", "f"], "type": "string"}},
    }
    assert tool_input_schema("weather", PYDANTIC_STYLE) == {
        "properties": {
            "place": {**place, "description": "where"},
            "alternatives": {"type": "array", "items": place},
            "definitions": {"type": "string"},  # a property that happens to be named so stays
        },
        "required": ["place"],
        "title": "Weather",
        "type": "object",
    }
    assert original == PYDANTIC_STYLE


def test_legacy_definitions_key() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"$ref": "#/definitions/A"}},
        "definitions": {"A": {"type": "integer"}},
    }
    assert tool_input_schema("t", schema) == {
        "type": "object",
        "properties": {"a": {"type": "integer"}},
    }


def test_missing_type_and_properties_are_filled_in() -> None:
    assert tool_input_schema("t", {}) == {"type": "object", "properties": {}}


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        (
            {
                "type": "object",
                "properties": {"child": {"$ref": "#/$defs/Node"}},
                "$defs": {
                    "Node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/Node"}}}
                },
            },
            "tool 'tree': input_schema refers to itself (#/$defs/Node)",
        ),
        ({"type": "object", "properties": {"me": {"$ref": "#"}}}, "refers to itself (#)"),
        ({"anyOf": [{"type": "object"}, {"type": "string"}]}, "root of input_schema is a anyOf"),
        ({"oneOf": [{"type": "object"}]}, "root of input_schema is a oneOf"),
        ({"type": "string"}, "must have type 'object', got 'string'"),
        (
            {"type": "object", "properties": {"x": {"$ref": "https://e.com/s.json"}}},
            "only local references",
        ),
    ],
)
def test_unsendable_schemas_name_the_tool_and_reason(
    schema: dict[str, object], message: str
) -> None:
    with pytest.raises(UnsupportedContentError) as info:
        tool_input_schema("tree", schema)
    assert message in str(info.value)
    assert "'tree'" in str(info.value)


def _chain(depth: int) -> dict[str, object]:
    """``$defs`` D0..D{depth-1}, each referring to the next twice: inlined naively that is
    2**depth nodes (18 deep took seconds)."""
    defs: dict[str, object] = {
        f"D{i}": {
            "type": "object",
            "properties": {"a": {"$ref": f"#/$defs/D{i + 1}"}, "b": {"$ref": f"#/$defs/D{i + 1}"}},
        }
        for i in range(depth - 1)
    }
    defs[f"D{depth - 1}"] = {"type": "string"}
    return {"type": "object", "properties": {"x": {"$ref": "#/$defs/D0"}}, "$defs": defs}


def test_each_definition_is_inlined_once_and_shared() -> None:
    out = tool_input_schema("chain", _chain(6))
    d0 = out["properties"]["x"]
    assert d0["properties"]["a"] is d0["properties"]["b"]  # memoised: one object per $ref
    leaf = d0
    for _ in range(5):
        leaf = leaf["properties"]["a"]
    assert leaf == {"type": "string"}


def test_a_ref_chain_that_expands_past_the_bound_is_refused_by_counting_not_expanding() -> None:
    # 40 deep would be 2**40 nodes inlined; counted with memoised sizes it is refused at once
    # (before the fix this test would never finish).
    with pytest.raises(UnsupportedContentError) as info:
        tool_input_schema("chain", _chain(40))
    assert "'chain'" in str(info.value)
    assert "nodes" in str(info.value)


def test_a_deeply_nested_schema_is_refused_not_a_recursion_error() -> None:
    node: dict[str, object] = {"type": "string"}
    for _ in range(3_000):
        node = {"type": "object", "properties": {"n": node}}
    with pytest.raises(UnsupportedContentError) as info:
        tool_input_schema("deep", node)
    assert "'deep'" in str(info.value)
    assert "nested deeper than" in str(info.value)


def test_a_deep_ref_chain_counts_towards_the_depth_bound() -> None:
    defs = {f"D{i}": {"type": "array", "items": {"$ref": f"#/$defs/D{i + 1}"}} for i in range(300)}
    defs["D300"] = {"type": "string"}
    schema = {"type": "object", "properties": {"x": {"$ref": "#/$defs/D0"}}, "$defs": defs}
    with pytest.raises(UnsupportedContentError, match="nested deeper than"):
        tool_input_schema("refs", schema)
