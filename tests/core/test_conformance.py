"""OpenAPI conformance: every body the core sends, for every documented id on both endpoints,
validates against that model's published request schema (docs/schemas/); every input the
schema cannot carry is refused before any I/O instead.

The schema is the one the catalogue read for the model and endpoint (``Capabilities.schema``),
with the ``tools``/``tool_choice`` swap undone where a schema has it and ``model`` relaxed to a
string (a model without its own Anthropic-style schema is held to a neighbour's, whose enum
lists other ids; that ids are documented is tested in test_catalog_data.py). The judgements
behind each choice are in scripts/build_catalog.py.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from aimlapi_core import (
    AIMLAPIClient,
    ChatRequest,
    DocumentPart,
    ImagePart,
    Message,
    SearchResultPart,
    ServerToolCallPart,
    ServerToolResultPart,
    ServerToolSpec,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolChoice,
    ToolResultPart,
    ToolSpec,
)
from aimlapi_core._types import TOOL_FIELDS
from aimlapi_core.catalog import Capabilities, lookup, model_ids
from aimlapi_core.errors import InvalidRequestError

ROOT = Path(__file__).resolve().parents[2]
EPHEMERAL = {"type": "ephemeral"}
PNG = ImagePart(media_type="image/png", data="iVBORw0KGgo=")
PDF = DocumentPart(media_type="application/pdf", data="JVBERi0=", title="Report")
TXT = DocumentPart(media_type="text/plain", data="plain words", title="Notes", context="c")
WEATHER = ToolSpec(
    name="get_weather",
    description="Weather for a city",
    input_schema={"type": "object", "properties": {"city": {"type": "string"}}},
)


def user(*parts: Any) -> Message:
    return Message(
        role="user", parts=[TextPart(text=p) if isinstance(p, str) else p for p in parts]
    )


def assistant(*parts: Any) -> Message:
    return Message(
        role="assistant", parts=[TextPart(text=p) if isinstance(p, str) else p for p in parts]
    )


CALL = ToolCallPart(id="toolu_1", name="get_weather", arguments={"city": "Oslo"})
WEB_SEARCH = ServerToolSpec(type="web_search_20250305", name="web_search", options={"max_uses": 3})
SEARCHED = [
    ServerToolCallPart(id="srvtoolu_1", name="web_search", arguments={"query": "Oslo weather"}),
    ServerToolResultPart(
        type="web_search_tool_result",
        tool_call_id="srvtoolu_1",
        content=[
            {
                "type": "web_search_result",
                "title": "Oslo",
                "url": "https://example.com/oslo",
                "encrypted_content": "abc",
                "page_age": "1 day",
            }
        ],
    ),
    TextPart(text="It is mild in Oslo."),
]
CITATION = {
    "type": "char_location",
    "cited_text": "Oslo is mild",
    "document_index": 0,
    "document_title": "Notes",
    "start_char_index": 0,
    "end_char_index": 12,
}


@dataclass(frozen=True)
class Case:
    name: str
    messages: list[Message]
    # Whether the core may send it for a model with these capabilities on this endpoint.
    allowed: Callable[[Capabilities, str], bool] = lambda caps, api: True
    kw: dict[str, Any] | None = None


CASES = [
    Case("text", [user("Hi")]),
    Case(
        "sampling and turns",
        [user("Hi"), assistant("Hello"), user("Bye")],
        kw={
            "system": [TextPart(text="Be terse."), TextPart(text="Be kind.")],
            "temperature": 0.5,
            "top_p": 0.9,
            "top_k": 5,
            "stop_sequences": ["END"],
            "metadata": {"user_id": "u1"},
        },
        # The sampling parameters are the model's (judgement "sampling-per-model").
        allowed=lambda caps, api: {"temperature", "top_p", "top_k"} <= set(caps.sampling),
    ),
    Case(
        "every per-tool field",
        [user("Weather in Oslo?")],
        allowed=lambda caps, api: set(TOOL_FIELDS) <= set(caps.tool_fields),
        kw={
            "tools": [
                ToolSpec(
                    name="get_weather",
                    input_schema=WEATHER.input_schema,
                    strict=True,
                    eager_input_streaming=True,
                    defer_loading=False,
                    input_examples=[{"city": "Oslo"}],
                    allowed_callers=["direct"],
                )
            ]
        },
    ),
    Case(
        "thinking disabled",
        [user("Hi")],
        allowed=lambda caps, api: caps.thinking_disabled,
        kw={"thinking_disabled": True},
    ),
    *(
        Case(
            f"tools, choice {choice.type}",
            [user("Weather in Oslo?")],
            kw={"tools": [WEATHER], "tool_choice": choice},
        )
        for choice in (
            ToolChoice(type="auto"),
            ToolChoice(type="any", disable_parallel_tool_use=True),
            ToolChoice(type="tool", name="get_weather"),
            ToolChoice(type="none"),
        )
    ),
    Case(
        "tool round trip",
        [
            user("Weather in Oslo?"),
            assistant("Checking.", CALL),
            user(ToolResultPart(tool_call_id="toolu_1", content=[TextPart(text="12C")])),
            assistant(CALL),
            user(
                ToolResultPart(
                    tool_call_id="toolu_1", content=[TextPart(text="a"), PNG], is_error=True
                )
            ),
        ],
        allowed=lambda caps, api: caps.images,
        kw={"tools": [WEATHER]},
    ),
    Case("image", [user("What is this?", PNG)], allowed=lambda caps, api: caps.images),
    Case("pdf", [user("Summarise", PDF)], allowed=lambda caps, api: caps.documents),
    Case("text document", [user("Summarise", TXT)], allowed=lambda caps, api: caps.documents),
    Case(
        "document in a tool result",
        [
            user("Fetch"),
            assistant(CALL),
            user(ToolResultPart(tool_call_id="toolu_1", content=[PDF])),
        ],
        # The encoder puts documents in tool results on /messages only (docs/wire.md).
        allowed=lambda caps, api: caps.tool_result_documents and api == "messages",
        kw={"tools": [WEATHER]},
    ),
    Case(
        "thinking",
        [user("Think")],
        allowed=lambda caps, api: "enabled" in caps.thinking,
        kw={"thinking_budget": 1024},
    ),
    Case(
        "signed thinking replayed",
        [
            user("Weather?"),
            assistant(ThinkingPart(thinking="hmm", signature="sig"), CALL),
            user(ToolResultPart(tool_call_id="toolu_1", content=[TextPart(text="12C")])),
        ],
        allowed=lambda caps, api: "enabled" in caps.thinking,
        kw={"thinking_budget": 1024, "tools": [WEATHER]},
    ),
    Case(
        "adaptive thinking",
        [user("Think")],
        allowed=lambda caps, api: "adaptive" in caps.thinking and caps.thinking_display,
        kw={"adaptive_thinking": True, "thinking_display": "summarized"},
    ),
    Case(
        "thinking display with a budget",
        [user("Think")],
        allowed=lambda caps, api: "enabled" in caps.thinking and caps.thinking_display,
        kw={"thinking_budget": 1024, "thinking_display": "omitted"},
    ),
    Case(
        "server tool offered and replayed",
        [user("Weather in Oslo?"), assistant(*SEARCHED), user("And tomorrow?")],
        allowed=lambda caps, api: WEB_SEARCH.type in caps.server_tools,
        kw={"tools": [WEATHER, WEB_SEARCH]},
    ),
    Case(
        "citations: system text and search results",
        [
            user(
                SearchResultPart(
                    source="https://example.com/oslo",
                    title="Oslo",
                    content=[TextPart(text="Oslo is mild.")],
                    citations=True,
                ),
                "Is Oslo mild?",
            )
        ],
        allowed=lambda caps, api: caps.system_citations and caps.search_results,
        kw={"system": [TextPart(text="Oslo is mild", citations=[CITATION])]},
    ),
    Case(
        "a document the API fetches from a URL",
        [user(DocumentPart(media_type="application/pdf", url="https://e.com/r.pdf"), "Sum up")],
        allowed=lambda caps, api: caps.documents and caps.document_urls,
    ),
    Case(
        "search results returned by a tool, and the cited answer replayed",
        [
            user("Is Oslo mild?"),
            assistant(CALL),
            user(
                ToolResultPart(
                    tool_call_id="toolu_1",
                    content=[
                        SearchResultPart(
                            source="kb://oslo",
                            title="Oslo",
                            content=[TextPart(text="Oslo is mild.")],
                            citations=True,
                        )
                    ],
                )
            ),
            assistant(
                TextPart(
                    text="It is mild.",
                    citations=[
                        {
                            "type": "search_result_location",
                            "cited_text": "Oslo is mild.",
                            "search_result_index": 0,
                            "source": "kb://oslo",
                            "title": "Oslo",
                            "start_block_index": 0,
                            "end_block_index": 1,
                        }
                    ],
                )
            ),
            user("Thanks"),
        ],
        allowed=lambda caps, api: caps.search_results,
        kw={"tools": [WEATHER]},
    ),
    Case(
        "an answer's citations replayed",
        [
            user("Is Oslo mild?"),
            assistant(
                TextPart(
                    text="Yes.",
                    citations=[
                        {
                            **CITATION,
                            "type": "web_search_result_location",
                            "url": "https://e.com",
                            "title": "E",
                            "encrypted_index": "ei",
                        },
                        {"type": "url_citation", "url_citation": {"url": "https://e.com"}},
                    ],
                )
            ),
            user("Thanks"),
        ],
    ),
    Case(
        "cache_control",
        [user(TextPart(text="long", cache_control=EPHEMERAL))],
        # Per model on both endpoints: the 5-series and -latest chat schemas allow it.
        allowed=lambda caps, api: caps.cache_control,
        kw={
            "system": [TextPart(text="sys", cache_control=EPHEMERAL)],
            "tools": [ToolSpec(name="t", cache_control=EPHEMERAL)],
        },
    ),
]


def _script() -> Any:
    spec = importlib.util.spec_from_file_location(
        "build_catalog", ROOT / "scripts/build_catalog.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def validator(schema_name: str, model_id: str) -> jsonschema.Draft7Validator:
    body = json.loads((ROOT / "docs/schemas" / schema_name).read_text())
    variants = body.get("anyOf") or [body]
    # The general /messages reference has a variant per group of models.
    chosen = next(
        (v for v in variants if model_id in v["properties"]["model"].get("enum", [])), variants[0]
    )
    schema = _script().corrected(chosen)
    schema = {**schema, "properties": {**schema["properties"], "model": {"type": "string"}}}
    return jsonschema.Draft7Validator(schema)


def sent_body(api: str, request: ChatRequest, stream: bool) -> dict[str, Any] | None:
    """The body the client puts on the wire, or None when it refuses before any I/O."""
    bodies: list[dict[str, Any]] = []

    def handler(req: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(req.content))
        raise httpx.ConnectError("captured", request=req)  # the body is all this test needs

    client = AIMLAPIClient(
        api_key="sk-test",
        base_url="http://gateway.test/v1",
        api=api,
        max_retries=0,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    try:
        if stream:
            with client.stream(request) as events:
                list(events)
        else:
            client.create(request)
    except InvalidRequestError:
        assert not bodies
        return None
    except Exception:
        pass
    assert len(bodies) == 1
    return bodies[0]


@pytest.mark.filterwarnings("ignore::aimlapi_core.catalog.ModelDeprecationWarning")
@pytest.mark.parametrize("api", ["chat_completions", "messages"])
@pytest.mark.parametrize("model_id", model_ids())
def test_every_body_conforms_to_the_models_schema(model_id: str, api: str) -> None:
    info = lookup(model_id)
    assert info is not None
    caps = info.on(api)
    assert caps is not None
    check = validator(caps.schema, model_id)
    violations: list[str] = []
    for i, case in enumerate(CASES):
        request = ChatRequest(
            model=model_id, max_tokens=2048, messages=case.messages, **(case.kw or {})
        )
        body = sent_body(api, request, stream=i % 2 == 1)
        expected = case.allowed(caps, api)
        if body is None:
            assert not expected, f"{case.name}: refused, but {caps.schema} allows it"
            continue
        assert expected, f"{case.name}: sent, but {caps.schema} does not allow it"
        violations += [
            f"{case.name}: {'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
            for e in check.iter_errors(body)
        ]
    assert violations == [], f"{model_id} on {api} ({caps.schema})"
