"""Tool input schemas as the API takes them.

``input_schema`` must be a self-contained object schema (docs/wire.md "Tools"; the Claude specs
require ``{"type": "object", ...}``). Schemas produced by pydantic or LangChain often carry
``$defs`` and ``$ref``: those are inlined here. A recursive reference cannot be inlined, and a
root ``anyOf`` / ``oneOf`` is not an object schema: both raise ``UnsupportedContentError`` naming
the tool, before anything is sent. The caller's dict is never modified.

Inlining is linear in the size of the schema: each ``$defs`` entry is resolved once and the
result shared by every ``$ref`` to it (the output is a tree of shared nodes, not a copy per
use). Without that a chain of definitions that each refer to the next twice doubled the work
per link (18 links took seconds; tests/core/test_schema.py
``test_each_definition_is_inlined_once_and_shared``). Two bounds keep a hostile or generated
schema from exhausting the interpreter: nesting depth (``MAX_SCHEMA_DEPTH``, counted through inlined
references; a 3,000-deep schema used to raise ``RecursionError``) and the size of the inlined
result (``MAX_SCHEMA_NODES``, counted from memoised sizes, so a schema that would expand to
2**40 nodes is refused without expanding it). Both are far above any schema a model can use.
"""

from __future__ import annotations

from typing import Any

from .errors import UnsupportedContentError

__all__ = ["MAX_SCHEMA_DEPTH", "MAX_SCHEMA_NODES", "tool_input_schema"]

_DEF_KEYS = ("$defs", "definitions")
# Objects and arrays nested in one another, references followed. Generated schemas of deeply
# nested pydantic models stay well under 50; the interpreter's recursion limit is 1,000 frames.
MAX_SCHEMA_DEPTH = 128
# Nodes (objects, arrays and scalars) of the schema once every $ref is inlined: the API receives
# the inlined form, and a tool schema this large would use most of any context window.
MAX_SCHEMA_NODES = 100_000


def tool_input_schema(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``schema`` with every local ``$ref`` inlined and ``$defs`` removed.

    Subschemas a ``$ref`` points to appear once per definition: every reference to the same
    definition is the same (shared) object in the result. Do not mutate the result in place.

    Example:
        >>> tool_input_schema("t", {"properties": {"a": {"$ref": "#/$defs/A"}},
        ...                         "$defs": {"A": {"type": "integer"}}})
        {'properties': {'a': {'type': 'integer'}}, 'type': 'object'}

    Raises:
        UnsupportedContentError: naming the tool, for a schema the API cannot take (recursive or
            non-local ``$ref``, a root that is not one object schema, nesting deeper than
            ``MAX_SCHEMA_DEPTH`` or an inlined size over ``MAX_SCHEMA_NODES``).
    """
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
    root, _ = _Inliner(name, defs).inline(body, (), 0)
    assert isinstance(root, dict)
    root = dict(root)  # the root may be a shared definition's object: the fills below are ours
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


class _Inliner:
    """One schema's inlining: resolved definitions and their sizes, memoised by ``$ref``."""

    def __init__(self, name: str, defs: dict[str, Any]) -> None:
        self.name = name
        self.defs = defs
        # $ref -> (inlined value, its node count, the depth of its deepest node below it)
        self.memo: dict[str, tuple[Any, int, int]] = {}

    def inline(self, node: Any, seen: tuple[str, ...], depth: int) -> tuple[Any, int]:
        """``node`` inlined, and its node count; ``depth`` is how deep ``node`` sits."""
        value, size, _ = self._inline(node, seen, depth)
        return value, size

    def _check(self, depth: int, size: int) -> None:
        if depth > MAX_SCHEMA_DEPTH:
            raise UnsupportedContentError(
                f"tool {self.name!r}: input_schema is nested deeper than {MAX_SCHEMA_DEPTH} "
                "levels (references followed); flatten it, or send the deep part as a JSON string"
            )
        if size > MAX_SCHEMA_NODES:
            raise UnsupportedContentError(
                f"tool {self.name!r}: input_schema expands to more than {MAX_SCHEMA_NODES:,} "
                "nodes once its $refs are inlined (the API takes no $ref); definitions used many "
                "times over multiply: simplify the schema"
            )

    def _inline(self, node: Any, seen: tuple[str, ...], depth: int) -> tuple[Any, int, int]:
        # Returns (value, node count, height below node).
        self._check(depth, 0)
        if isinstance(node, list):
            items = [self._inline(item, seen, depth + 1) for item in node]
            return self._done([v for v, _, _ in items], items, depth)
        if not isinstance(node, dict):
            return node, 1, 0
        ref = node.get("$ref")
        if isinstance(ref, str):
            resolved, size, height = self._resolve(ref, seen, depth)
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            if not siblings:
                return resolved, size, height
            merged = dict(resolved) if isinstance(resolved, dict) else {}
            extra, extra_size, extra_height = self._inline(siblings, seen, depth)
            merged.update(extra)
            total = size + extra_size
            self._check(depth, total)
            return merged, total, max(height, extra_height)
        entries = [(key, self._inline(value, seen, depth + 1)) for key, value in node.items()]
        value = {key: v for key, (v, _, _) in entries}
        return self._done(value, [entry for _, entry in entries], depth)

    def _done(
        self, value: Any, children: list[tuple[Any, int, int]], depth: int
    ) -> tuple[Any, int, int]:
        size = 1 + sum(size for _, size, _ in children)
        self._check(depth, size)
        return value, size, 1 + max((height for _, _, height in children), default=0)

    def _resolve(self, ref: str, seen: tuple[str, ...], depth: int) -> tuple[Any, int, int]:
        if ref in seen or ref == "#":
            raise UnsupportedContentError(
                f"tool {self.name!r}: input_schema refers to itself ({ref}); recursive schemas "
                "cannot be inlined. Give the recursive field a non-recursive schema (e.g. a JSON "
                "string)"
            )
        found = self.memo.get(ref)
        if found is None:
            target = self.defs.get(ref)
            if target is None:
                raise UnsupportedContentError(
                    f"tool {self.name!r}: input_schema has a $ref {ref!r} that does not point "
                    "into its $defs; only local references can be sent"
                )
            # Resolved where first used (so the depth bound stops a long chain of references
            # before the interpreter's recursion limit does); the value, size and height do not
            # depend on where, so every later use reuses them and checks its own depth.
            found = self._inline(target, (*seen, ref), depth)
            self.memo[ref] = found
        self._check(depth + found[2], found[1])
        return found
