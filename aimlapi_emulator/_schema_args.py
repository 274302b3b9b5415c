"""Tool arguments (and JSON answers) built from a JSON schema and the user's words.

Deterministic: numbers and "quoted strings" from the text are used in order where their type
fits, enums pick a value the text mentions, and everything else gets a sensible default.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_NUMBER_RE = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w])")
# "double", “curly” and 'single' quotes; a single quote must stand apart from letters so that
# apostrophes ("what's", "Paris's") are not read as quotes.
_QUOTED_RE = re.compile(r'"([^"\n]+)"|“([^”\n]+)”|(?<!\w)\'([^\'\n]+)\'(?!\w)')
_PLACE_RE = re.compile(r"\b(?:in|for|at|of|near|to)\s+((?:[A-Z][\w'-]*)(?:[ ,]+[A-Z][\w'-]*)*)")
_PLACE_WORDS = ("location", "city", "place", "country", "address", "destination", "region")
_MAX_DEPTH = 6
_Builder = Callable[[dict[str, Any], "TextCues", str, Any, int], Any]


class TextCues:
    """The values in a user text that arguments may take, consumed in order."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lowered = text.lower()
        self.numbers = [m.group(0) for m in _NUMBER_RE.finditer(text)]
        self.quoted = [a or b or c for a, b, c in _QUOTED_RE.findall(text)]
        place = _PLACE_RE.search(text)
        self.place = place.group(1).rstrip(" ,") if place else None

    def take_number(self, integer: bool) -> float | int | None:
        for i, raw in enumerate(self.numbers):
            if integer and "." in raw:
                continue
            del self.numbers[i]
            return int(raw) if integer else (float(raw) if "." in raw else int(raw))
        return None

    def take_quoted(self) -> str | None:
        return self.quoted.pop(0) if self.quoted else None


def build_value(schema: Any, cues: TextCues, name: str = "value", root: Any = None) -> Any:
    """A value valid for `schema` (the subset of JSON Schema tools use)."""
    return _build(schema, cues, name, root if root is not None else schema, 0)


def _resolve(schema: dict[str, Any], root: Any) -> dict[str, Any]:
    ref = schema.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return schema
    target: Any = root
    for part in ref[2:].split("/"):
        target = target.get(part, {}) if isinstance(target, dict) else {}
    return target if isinstance(target, dict) else {}


def _build(schema: Any, cues: TextCues, name: str, root: Any, depth: int) -> Any:
    if not isinstance(schema, dict) or depth > _MAX_DEPTH:
        return name
    schema = _resolve(schema, root)
    if "const" in schema:
        return schema["const"]
    for key in ("anyOf", "oneOf", "allOf"):
        options = [o for o in schema.get(key, []) if isinstance(o, dict)]
        options = [o for o in options if o.get("type") != "null"]
        if options:
            return _build(options[0], cues, name, root, depth + 1)
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return _pick_enum(schema["enum"], cues)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind is None:
        kind = "object" if "properties" in schema else "string"
    builder: _Builder = _BUILDERS.get(kind, _build_string)
    return builder(schema, cues, name, root, depth)


def _pick_enum(values: list[Any], cues: TextCues) -> Any:
    for value in values:
        if isinstance(value, str) and value.lower() in cues.lowered:
            return value
    return values[0]


def _build_string(schema: dict[str, Any], cues: TextCues, name: str, root: Any, d: int) -> str:
    fmt = schema.get("format")
    if fmt == "date":
        return "2025-01-01"
    if fmt == "date-time":
        return "2025-01-01T00:00:00Z"
    if fmt == "email":
        return "user@example.com"
    if fmt in ("uri", "url"):
        return "https://example.com"
    if cues.place and any(word in name.lower() for word in _PLACE_WORDS):
        return cues.place
    quoted = cues.take_quoted()
    if quoted is not None:
        return quoted
    if "default" in schema and isinstance(schema["default"], str):
        return str(schema["default"])
    text = " ".join(cues.text.split())
    return text[:100] if text else name


def _build_number(schema: dict[str, Any], cues: TextCues, name: str, root: Any, d: int) -> Any:
    integer = schema.get("type") == "integer" or (
        isinstance(schema.get("type"), list) and "integer" in schema["type"]
    )
    low, high = schema.get("minimum"), schema.get("maximum")
    value = cues.take_number(integer)
    if value is not None and (low is None or value >= low) and (high is None or value <= high):
        return value
    if "default" in schema and isinstance(schema["default"], (int, float)):
        return schema["default"]
    fallback = low if low is not None else (min(1, high) if high is not None else 1)
    return int(fallback) if integer else fallback


def _build_boolean(schema: dict[str, Any], cues: TextCues, name: str, root: Any, d: int) -> bool:
    if isinstance(schema.get("default"), bool):
        return bool(schema["default"])
    return any(word in cues.lowered.split() for word in ("true", "yes", "enable", "enabled"))


def _build_array(schema: dict[str, Any], cues: TextCues, name: str, root: Any, d: int) -> list[Any]:
    items = schema.get("items", {"type": "string"})
    items = _resolve(items, root) if isinstance(items, dict) else {"type": "string"}
    count = max(1, int(schema.get("minItems", 1)))
    if items.get("type") in ("number", "integer") and len(cues.numbers) > count:
        count = len(cues.numbers)  # "add 3, 4 and 5" → [3, 4, 5]
    elif items.get("type", "string") == "string" and len(cues.quoted) > count:
        count = len(cues.quoted)  # 'tags "a" and "b"' → ["a", "b"]
    if "maxItems" in schema:
        count = min(count, int(schema["maxItems"]))
    return [_build(items, cues, name, root, d + 1) for _ in range(count)]


def _build_object(
    schema: dict[str, Any], cues: TextCues, name: str, root: Any, d: int
) -> dict[str, Any]:
    props = schema.get("properties")
    if not isinstance(props, dict):
        return {}
    required = schema.get("required")
    # With a required list, fill exactly those; without one, fill every property (a model asked
    # "weather in Paris" still passes location even when the schema marks nothing required).
    names = [n for n in props if n in required] if isinstance(required, list) else list(props)
    return {n: _build(props[n], cues, n, root, d + 1) for n in names}


def _build_null(schema: dict[str, Any], cues: TextCues, name: str, root: Any, d: int) -> None:
    return None


_BUILDERS: dict[str, _Builder] = {
    "string": _build_string,
    "number": _build_number,
    "integer": _build_number,
    "boolean": _build_boolean,
    "array": _build_array,
    "object": _build_object,
    "null": _build_null,
}
