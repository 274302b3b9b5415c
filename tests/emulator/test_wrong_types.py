"""A wrong-typed field is the documented 400, never a 500 (which clients retry).

For each endpoint (chat completions, messages, embeddings, batches), valid bodies that use every
field the emulator reads; each field in turn (at every depth) gets a value of each other JSON
type, and hypothesis draws arbitrary JSON of a wrong type for it. Every such body must get a 400
in the documented envelope — for a batch, a 400 at create or an ``errored`` result for that
request, the batch ending — and the server must answer a valid request correctly afterwards.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aimlapi_emulator import Emulator

FIVE = "anthropic/claude-sonnet-5"
CACHE = {"type": "ephemeral", "ttl": "5m"}
TOOL = {
    "name": "get_weather",
    "description": "The weather in a city.",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
    "cache_control": CACHE,
}
PNG = "iVBORw0KGgo="
CALL = {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Oslo"}}
RESULT = {"type": "tool_result", "tool_use_id": "toolu_1", "is_error": False}
RESULT["content"] = [{"type": "text", "text": "18C"}]
HISTORY = [
    {
        "role": "user",
        "content": [
            {"type": "text", "text": "Hi", "cache_control": CACHE},
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}},
            {"type": "document", "source": {"type": "text", "data": "A document."}},
        ],
    },
    {"role": "assistant", "content": [{"type": "text", "text": "Let me check."}, CALL]},
    {"role": "user", "content": [RESULT]},
]
WITH_TOOLS = {
    "model": FIVE,
    "max_tokens": 64,
    "stream": False,
    "stop_sequences": ["zz"],
    "metadata": {"user_id": "u1"},
    "tools": [TOOL],
    "tool_choice": {"type": "auto", "disable_parallel_tool_use": False},
    "messages": HISTORY,
}
HI = [{"role": "user", "content": "Hi"}]
THINKING = {"model": FIVE, "max_tokens": 2048, "messages": HI}
SEARCH = {
    "type": "search_result",
    "source": "https://example.com/oslo",
    "title": "Oslo",
    "content": [{"type": "text", "text": "Mild and windy."}],
}
SERVER_TURN = [
    {"role": "user", "content": [SEARCH, {"type": "text", "text": "Search the web for Oslo"}]},
    {
        "role": "assistant",
        "content": [
            {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search",
             "input": {"query": "Oslo"}},
            {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []},
            {"type": "text", "text": "Mild."},
        ],
    },
    {"role": "user", "content": "Thanks"},
]  # fmt: skip
URL_DOCUMENT = {"type": "document", "source": {"type": "url", "url": "https://example.com/a.pdf"}}
GROUNDED = [
    {"role": "user", "content": [URL_DOCUMENT, {"type": "text", "text": "Look it up"}]},
    {"role": "assistant", "content": [CALL]},
    {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1",
                                  "content": [SEARCH]}]},
]  # fmt: skip
BATCH_PARAMS = {
    "model": "anthropic/claude-sonnet-4.5",  # its /messages schema lists the sampling fields
    "max_tokens": 64,
    "system": "Be brief.",
    "temperature": 1.0,  # a number field: a float, so only integer fields meet fractions
    "top_k": 5,
    "top_p": 0.9,
    "stop_sequences": ["zz"],
    "metadata": {"user_id": "u1"},
    "tools": [TOOL],
    "tool_choice": {"type": "auto"},
    "messages": HI,
}
# (endpoint, a valid body); each body's fields are the ones varied.
BODIES: list[tuple[str, dict[str, Any]]] = [
    ("/chat/completions", {**WITH_TOOLS, "system": "Be brief."}),
    # The sampling fields, on a model whose schema lists them (the 5-series' schemas do not).
    ("/chat/completions", {"model": "claude-sonnet-4-20250514", "max_tokens": 64,
                           "temperature": 0.5, "top_p": 0.9, "top_k": 5, "messages": HI}),
    ("/chat/completions", {**THINKING, "thinking": {"type": "enabled", "budget_tokens": 1024}}),
    ("/chat/completions", {**THINKING, "thinking": {"type": "adaptive", "display": "omitted"}}),
    ("/messages", {**WITH_TOOLS, "system": [{"type": "text", "text": "Be brief.",
                                             "cache_control": CACHE}]}),
    ("/messages", {**THINKING, "thinking": {"type": "enabled", "budget_tokens": 1024}}),
    ("/messages", {**THINKING, "thinking": {"type": "adaptive", "display": "summarized"},
                   "tools": [{"type": "web_search_20250305", "name": "web_search"}],
                   "messages": SERVER_TURN}),
    ("/messages", {"model": FIVE, "max_tokens": 64, "tools": [TOOL], "messages": GROUNDED}),
    ("/embeddings", {"model": "text-embedding-3-small", "input": ["a", "b"],
                     "encoding_format": "float", "dimensions": 8}),
    ("/embeddings", {"model": "text-multilingual-embedding-002", "input": "a",
                     "task_type": "RETRIEVAL_DOCUMENT", "title": "t", "auto_truncate": True}),
    ("/embeddings", {"model": "voyage-2", "input": "a", "input_type": "document"}),
    ("/batches", {"requests": [{"custom_id": "a", "params": BATCH_PARAMS}]}),
    ("/batches", {"requests": [{"custom_id": "b", "params": {
        **THINKING, "thinking": {"type": "enabled", "budget_tokens": 1024}}}]}),
]  # fmt: skip
# Where any JSON is legal beneath: a tool's JSON schema and a tool call's arguments.
_FREE = frozenset({"input_schema", "input"})
# Fields that take a second type (values of it in the bodies above would be legal).
_EMBEDDING_ALSO = {"input": {"string", "list"}, "encoding_format": {"null"}, "dimensions": {"null"}}
_SAMPLES = {
    "null": None,
    "bool": True,
    "number": 7,
    "string": "x",
    "list": ["x"],
    "object": {"x": 1},
}
Path = tuple[str | int, ...]


def kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "list" if isinstance(value, list) else "object"


def fields(value: Any, prefix: Path = ()) -> Iterator[Path]:
    """Every field and item path of ``value``, depth first."""
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        yield (*prefix, key)
        if isinstance(item, dict | list) and key not in _FREE:
            yield from fields(item, (*prefix, key))


def get(body: Any, path: Path) -> Any:
    for key in path:
        body = body[key]
    return body


def replaced(body: dict[str, Any], path: Path, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(body)
    get(out, path[:-1])[path[-1]] = value
    return out


def is_wrong(endpoint: str, body: dict[str, Any], path: Path, value: Any) -> bool:
    """``value`` is of a type the field at ``path`` does not take."""
    original = get(body, path)
    if kind(value) == kind(original):
        # An integer field given a fraction is wrong; any other number is a value matter.
        return (
            isinstance(original, int)
            and not isinstance(original, bool)
            and isinstance(value, float)
            and not value.is_integer()
        )
    return kind(value) not in _also_takes(endpoint, body, path)


def _also_takes(endpoint: str, body: dict[str, Any], path: Path) -> set[str]:
    if endpoint == "/embeddings":
        return _EMBEDDING_ALSO.get(str(path[-1]), set())
    parent = get(body, path[:-1])
    either = {"string", "list"}
    if path[-1] == "content" and ("role" in parent or parent.get("type") == "tool_result"):
        return either  # a message's or a tool result's content: a string or blocks
    if path == ("system",):
        return either  # a string or text blocks (the 5-series chat schemas take blocks too)
    return set()


def wrong_values(endpoint: str, body: dict[str, Any], path: Path) -> list[Any]:
    values = [*_SAMPLES.values(), 1.5]
    return [v for v in values if is_wrong(endpoint, body, path, v)]


CASES = [
    (endpoint, body, path, value)
    for endpoint, body in BODIES
    for path in fields(body)
    for value in wrong_values(endpoint, body, path)
]


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with Emulator(batch_polls=0) as emu:
        headers = {"Authorization": f"Bearer {emu.api_key}"}
        with httpx.Client(base_url=emu.base_url, headers=headers, timeout=30) as client:
            yield client


def outcome(http: httpx.Client, endpoint: str, body: Any) -> str:
    """What the server made of ``body``: "400", "errored" (a batch whose request errored),
    or anything else (a status, "succeeded")."""
    response = http.post(endpoint, json=body)
    if response.status_code == 400:
        envelope = response.json()
        assert set(envelope) == {"message", "path", "requestId", "statusCode", "timestamp"}
        assert envelope["statusCode"] == 400
        return "400"
    if endpoint != "/batches" or response.status_code != 200:
        return str(response.status_code)
    return batch_outcome(http, response.json()["id"])


def batch_outcome(http: httpx.Client, batch_id: str) -> str:
    for _ in range(2000):  # the batch must end: a bound on polls, not a timing
        response = http.get("/batches", params={"batch_id": batch_id})
        if response.headers["content-type"].startswith("application/x-ndjson"):
            results = [json.loads(line) for line in response.text.splitlines()]
            return "errored" if results[0]["result"]["type"] == "errored" else "succeeded"
    return "in progress forever"


def answers_correctly(http: httpx.Client) -> bool:
    response = http.post("/messages", json={"model": FIVE, "max_tokens": 64, "messages": HI})
    return response.status_code == 200 and response.json()["content"][0]["type"] == "text"


def test_the_bodies_are_valid_and_the_sweep_is_wide(http: httpx.Client) -> None:
    # Each body as given is answered, so each refusal below is its one wrong field's.
    for endpoint, body in BODIES:
        assert outcome(http, endpoint, body) in ("200", "201", "succeeded"), (endpoint, body)
    assert len(CASES) > 600


@pytest.mark.parametrize("endpoint", ["/chat/completions", "/messages", "/embeddings", "/batches"])
def test_every_wrong_typed_field_is_a_400(http: httpx.Client, endpoint: str) -> None:
    wrong = []
    for case_endpoint, body, path, value in CASES:
        if case_endpoint == endpoint:
            got = outcome(http, endpoint, replaced(body, path, value))
            if got not in ("400", "errored"):
                wrong.append((path, value, got))
    assert wrong == []
    assert answers_correctly(http)


def _json_values() -> st.SearchStrategy[Any]:
    scalars = (
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text()
    )
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
        max_leaves=6,
    )


@pytest.mark.fuzz
@given(data=st.data())
def test_fuzz_any_wrong_typed_value_is_a_400(http: httpx.Client, data: st.DataObject) -> None:
    endpoint, body = data.draw(st.sampled_from(BODIES), label="body")
    path = data.draw(st.sampled_from(list(fields(body))), label="path")
    value = data.draw(
        _json_values().filter(lambda v: is_wrong(endpoint, body, path, v)), label="value"
    )
    assert outcome(http, endpoint, replaced(body, path, value)) in ("400", "errored")
    assert answers_correctly(http)
