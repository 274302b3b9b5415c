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
