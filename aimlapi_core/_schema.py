"""Tool input schemas as the API takes them.

``input_schema`` must be a self-contained object schema (docs/wire.md "Tools"; the Claude specs
require ``{"type": "object", ...}``). Schemas produced by pydantic or LangChain often carry
``$defs`` and ``$ref``: those are inlined here. A recursive reference cannot be inlined, and a
root ``anyOf`` / ``oneOf`` is not an object schema: both raise ``UnsupportedContentError`` naming
the tool, before anything is sent. The caller's dict is never modified.
"""

from __future__ import annotations

from typing import Any

from .errors import UnsupportedContentError

__all__ = ["tool_input_schema"]

_DEF_KEYS = ("$defs", "definitions")


def tool_input_schema(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``schema`` with every local ``$ref`` inlined and ``$defs`` removed."""
    if not isinstance(schema, dict):
        raise UnsupportedContentError(
            f"tool {name!r}: input_schema must be a JSON object schema, got {type(schema).__name__}"
        )
    defs: dict[str, Any] = {}
    for key in _DEF_KEYS:
        table = schema.get(key)
        if isinstance(table, dict):
            defs.update({f"#/{key}/{k}": v for k, v in table.items()})
    body = {k: v for k, v in schema.items() if k not in _DEF_KEYS}
    root = _inline(name, body, defs, ())
    assert isinstance(root, dict)
    # Anthropic: "input_schema does not support oneOf, allOf, or anyOf at the top level".
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in root:
            raise UnsupportedContentError(
                f"tool {name!r}: the root of input_schema is a {combinator}; the API needs "
                "one plain object schema at the root. Move the combination into a property, e.g. "
                "{'type': 'object', 'properties': {'value': <the union>}}"
            )
    kind = root.get("type")
    if kind is None:
        root = {"type": "object", **root}
    elif kind != "object":
        raise UnsupportedContentError(
            f"tool {name!r}: input_schema must have type 'object', got {kind!r}; wrap the value "
            "in an object property"
        )
    if "properties" not in root:
        root["properties"] = {}
    return root


def _inline(name: str, node: Any, defs: dict[str, Any], seen: tuple[str, ...]) -> Any:
    if isinstance(node, list):
        return [_inline(name, item, defs, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str):
        if ref in seen or ref == "#":
            raise UnsupportedContentError(
                f"tool {name!r}: input_schema refers to itself ({ref}); recursive schemas cannot "
                "be inlined. Give the recursive field a non-recursive schema (e.g. a JSON string)"
            )
        target = defs.get(ref)
        if target is None:
            raise UnsupportedContentError(
                f"tool {name!r}: input_schema has a $ref {ref!r} that does not point into its "
                "$defs; only local references can be sent"
            )
        resolved = _inline(name, target, defs, (*seen, ref))
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        if not siblings:
            return resolved
        merged = dict(resolved) if isinstance(resolved, dict) else {}
        merged.update(_inline(name, siblings, defs, seen))
        return merged
    return {key: _inline(name, value, defs, seen) for key, value in node.items()}
