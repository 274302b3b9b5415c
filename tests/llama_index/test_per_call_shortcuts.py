"""What the adapter does once instead of on every call must give what the per-call work gave.

``_construct.constructor`` builds models without validation; ``AIMLAPI.to_payload`` keeps the
metadata dump; the client lookups read pydantic's private storage; ``_convert`` enters the core's
``caller_input`` net only after a failure. Each is checked here against the framework's own way.
"""

from __future__ import annotations

from typing import Any

import pytest
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    LLMMetadata,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)

from aimlapi_core._types import (
    ChatResult,
    Cost,
    Finish,
    TextDelta,
    TextPart,
    ThinkingDelta,
    ThinkingPart,
    ToolCallDelta,
    ToolCallPart,
    Usage,
)
from aimlapi_core.errors import UnsupportedContentError
from llama_index_aimlapi import AIMLAPI
from llama_index_aimlapi._construct import chat_message, constructor
from llama_index_aimlapi._convert import to_core_messages
from llama_index_aimlapi._responses import (
    PartialChatResponse,
    StreamResponses,
    chat_response,
    completion_response,
    raw_dict,
)


def same_model(made: Any, validated: Any) -> None:
    """Equal as pydantic compares, and equal in everything pydantic's equality leaves out."""
    assert type(made) is type(validated)
    assert made == validated
    assert list(made.__dict__) == list(validated.__dict__)  # field order: repr and dumps
    assert made.model_fields_set == validated.model_fields_set  # exclude_unset dumps
    assert made.__pydantic_extra__ == validated.__pydantic_extra__
    assert made.__pydantic_private__ == validated.__pydantic_private__
    assert made.model_dump() == validated.model_dump()
    assert made.model_dump(exclude_unset=True) == validated.model_dump(exclude_unset=True)
    assert made.model_dump_json() == validated.model_dump_json()
    assert repr(made) == repr(validated)


# --------------------------------------------------------------------------- constructor


def test_constructed_message_is_the_validated_one() -> None:
    blocks = [TextBlock(text="a"), ThinkingBlock(content="t", additional_information={"s": 1})]
    kwargs = {"tool_calls": [{"id": "c1"}]}
    same_model(
        chat_message(role=MessageRole.ASSISTANT, blocks=list(blocks), additional_kwargs=kwargs),
        ChatMessage(role=MessageRole.ASSISTANT, blocks=list(blocks), additional_kwargs=kwargs),
    )


def test_constructed_defaults_are_filled_and_never_shared() -> None:
    first, second = chat_message(role=MessageRole.USER), chat_message(role=MessageRole.USER)
    same_model(first, ChatMessage(role=MessageRole.USER))
    first.blocks.append(TextBlock(text="x"))
    first.additional_kwargs["k"] = 1
    assert second.blocks == []
    assert second.additional_kwargs == {}


def test_constructor_refuses_a_missing_required_field() -> None:
    with pytest.raises(TypeError, match="ChatResponse needs message"):
        constructor(ChatResponse)(delta="x")


def test_partial_response_is_what_model_construct_made() -> None:
    """The streamed chunks were made with model_construct before; they still are, in effect."""
    made = PartialChatResponse.of([], "hi", thinking_delta="t")
    reference = PartialChatResponse.model_construct(  # type: ignore[call-arg]
        delta="hi", additional_kwargs={"thinking_delta": "t"}
    )
    reference._parts = []
    assert "message" not in made.__dict__  # still lazy
    assert list(made.__dict__) == list(reference.__dict__)
    assert made.model_fields_set == reference.model_fields_set
    assert made.__pydantic_private__ == reference.__pydantic_private__
    same_model(made, reference)  # reads (builds) message on both


# --------------------------------------------------------------------------- responses


RESULT = ChatResult(
    parts=[
        ThinkingPart(thinking="hmm", signature="sig"),
        TextPart(text="hello"),
        ToolCallPart(id="t1", name="f", arguments={"x": [1, 2]}),
    ],
    id="m1",
    model="claude",
    stop_reason="tool_use",
    raw_stop_reason="tool_calls",
    usage=Usage(input_tokens=3, output_tokens=4, cache_read_tokens=1),
    cost=Cost(credits_used=1.5),
    request_id="r",
    raw={"body": 1},
)


@pytest.mark.parametrize("delta", [None, ""])
def test_chat_response_is_the_validated_one(delta: str | None) -> None:
    made = chat_response(RESULT, delta=delta)
    message = made.message
    validated = ChatResponse(
        message=ChatMessage(
            role=MessageRole.ASSISTANT,
            blocks=list(message.blocks),
            additional_kwargs=dict(message.additional_kwargs),
        ),
        raw=made.raw,
        delta=delta,
        additional_kwargs=dict(made.additional_kwargs),
    )
    same_model(made, validated)
    same_model(message, validated.message)
    assert [type(b) for b in message.blocks] == [ThinkingBlock, TextBlock, ToolCallBlock]


def test_raw_cost_is_a_plain_copy() -> None:
    raw = raw_dict(RESULT)
    assert raw["cost"] == {"credits_used": 1.5, "usd_spent": None}
    raw["cost"]["credits_used"] = 0
    assert RESULT.cost is not None
    assert RESULT.cost.credits_used == 1.5


def test_streamed_chunks_and_completions_read_as_before() -> None:
    state = StreamResponses()
    events = [
        ThinkingDelta(0, "th"),
        TextDelta(1, "Hel"),
        TextDelta(1, "lo"),
        ToolCallDelta(2, "t1", "f", '{"x": '),
        Finish(stop_reason="tool_use", raw_stop_reason="tool_use"),
    ]
    chunks = [c for c in map(state.on_event, events) if c is not None]
    assert [c.delta for c in chunks] == ["", "Hel", "lo", ""]
    assert chunks[0].additional_kwargs == {"thinking_delta": "th"}
    assert chunks[2].message.content == "Hello"
    assert chunks[1].message.content == "Hel"  # a snapshot: later chunks do not change it
    assert chunks[3].message.blocks[-1] == ToolCallBlock(
        tool_call_id="t1", tool_name="f", tool_kwargs='{"x": '
    )
    completion = completion_response(chunks[2])
    assert (completion.text, completion.delta, completion.raw) == ("Hello", "lo", None)
    assert completion.model_fields_set == {"delta", "raw", "additional_kwargs"}


# --------------------------------------------------------------------------- model


def framework_payload(llm: AIMLAPI) -> dict[str, Any]:
    """LlamaIndex's own ``to_payload`` (BaseLLM), which AIMLAPI's must equal."""
    return {"class_name": llm.class_name(), **llm.metadata.model_dump()}


def test_payload_is_the_frameworks_and_follows_the_fields() -> None:
    llm = AIMLAPI(model="claude-sonnet-4-20250514", max_tokens=256)
    assert llm.to_payload() == framework_payload(llm)
    llm.max_tokens = 77
    llm.context_window = 12345
    assert llm.to_payload()["num_output"] == 77
    assert llm.to_payload() == framework_payload(llm)
    llm.model = "anthropic/claude-3-haiku"
    assert llm.to_payload() == framework_payload(llm)
    assert llm.to_payload()["model_name"] == "anthropic/claude-3-haiku"


def test_payload_is_a_new_dict_each_time() -> None:
    llm = AIMLAPI()
    llm.to_payload()["num_output"] = -1
    assert llm.to_payload() == framework_payload(llm)


def test_payload_of_a_subclass_reads_its_own_metadata() -> None:
    class Mine(AIMLAPI):
        @property
        def metadata(self) -> LLMMetadata:
            return LLMMetadata(model_name="mine", context_window=7)

    payload = Mine().to_payload()
    assert (payload["model_name"], payload["context_window"]) == ("mine", 7)


def test_clients_are_made_once_and_after_close_again() -> None:
    llm = AIMLAPI(api_key="k")
    sync, aclient = llm._sync_core(), llm._async_core()
    assert llm._sync_core() is sync
    assert llm._client is sync
    assert llm._async_core() is aclient
    assert llm._async_client is aclient
    llm.close()
    assert llm._client is None
    assert llm._sync_core() is not sync


# --------------------------------------------------------------------------- conversion


def test_a_malformed_block_still_names_where_it_is() -> None:
    """The core's net is entered after the failure; the error is the one it gave when it was
    wrapped around every block: a bare KeyError becomes UnsupportedContentError naming the block,
    with the KeyError as its cause."""
    block = ThinkingBlock(content="", additional_information={"type": "redacted_thinking"})
    message = ChatMessage(role=MessageRole.ASSISTANT, blocks=[block])  # no "data": KeyError
    with pytest.raises(UnsupportedContentError) as info:
        to_core_messages([ChatMessage(role="user", content="hi"), message])
    assert str(info.value).startswith(
        "ThinkingBlock in message 1 (role assistant): malformed input (KeyError: 'data')"
    )
    assert isinstance(info.value.__cause__, KeyError)


def test_our_own_errors_pass_the_net_unchanged() -> None:
    block = ToolCallBlock(tool_call_id="c1", tool_name="f", tool_kwargs="{not json")
    message = ChatMessage(role=MessageRole.ASSISTANT, blocks=[block])
    with pytest.raises(UnsupportedContentError, match=r"^ToolCallBlock in message 0 .*cannot be"):
        to_core_messages([message])


def test_a_malformed_legacy_tool_call_names_the_message() -> None:
    message = ChatMessage(
        role=MessageRole.ASSISTANT,
        content="x",
        additional_kwargs={"tool_calls": [{"id": "c1", "function": {"name": "f", "arguments": 5}}]},
    )
    with pytest.raises(UnsupportedContentError, match="message 0"):
        to_core_messages([message])


# --------------------------------------------------------------------------- tools


def lookup(city: str, units: str = "metric") -> str:
    """Weather for a city."""
    return city


def test_tool_schemas_are_llamaindexs_and_each_spec_has_its_own() -> None:
    from llama_index.core.tools import FunctionTool

    from llama_index_aimlapi._tools import to_tool_specs

    tool = FunctionTool.from_defaults(fn=lookup)
    first, second = to_tool_specs([tool])[0], to_tool_specs([tool])[0]
    assert first.input_schema == tool.metadata.get_parameters_dict() == second.input_schema
    first.input_schema["properties"]["city"]["type"] = "changed"
    assert to_tool_specs([tool])[0].input_schema == tool.metadata.get_parameters_dict()


def test_tool_schema_follows_the_metadata() -> None:
    from llama_index.core.tools import FunctionTool

    from llama_index_aimlapi._tools import to_tool_specs

    tool = FunctionTool.from_defaults(fn=lookup)
    to_tool_specs([tool])
    tool.metadata.fn_schema = None  # LlamaIndex's default schema: one "input" string
    assert to_tool_specs([tool])[0].input_schema == tool.metadata.get_parameters_dict()
    assert list(to_tool_specs([tool])[0].input_schema["properties"]) == ["input"]


def test_an_overridden_schema_method_is_asked_every_time() -> None:
    from llama_index.core.tools import FunctionTool
    from llama_index.core.tools.types import ToolMetadata

    from llama_index_aimlapi._tools import to_tool_specs

    calls: list[int] = []

    class Counted(ToolMetadata):
        def get_parameters_dict(self) -> dict[str, Any]:
            calls.append(1)
            return {"type": "object", "properties": {"n": {"type": "integer"}}}

    tool = FunctionTool.from_defaults(fn=lookup)
    tool._metadata = Counted(name="counted", description="d")
    to_tool_specs([tool])
    to_tool_specs([tool])
    assert len(calls) == 2


def test_only_small_plain_schemas_are_kept() -> None:
    """Anything else is asked for on every call, as before, and meets the core's checks."""
    from llama_index_aimlapi._tools import _MAX_DEPTH, _plain_copy

    plain = {"type": "object", "properties": {"a": {"type": "array", "items": [{"x": 1}]}}}
    copied = _plain_copy(plain)
    assert copied == plain
    assert copied is not None
    assert copied["properties"]["a"] is not plain["properties"]["a"]
    cyclic: dict[str, Any] = {"type": "object"}
    cyclic["properties"] = {"self": cyclic}
    shared = {"type": "string"}
    deep: dict[str, Any] = {"type": "string"}
    for _ in range(_MAX_DEPTH + 1):
        deep = {"type": "object", "properties": {"n": deep}}
    for schema in (cyclic, {"properties": {"a": shared, "b": shared}}, deep, [plain]):
        assert _plain_copy(schema) is None
