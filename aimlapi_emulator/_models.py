"""Per-model strictness and `GET /models`, from the core's catalogue (one source: the docs).

`aimlapi_core.catalog.lookup(id)` knows exactly the ids the docs list and each model's limits;
the emulator refuses what the real service refuses for that model:

- an id the docs do not list: "Body validation error!" with Zod's "Invalid enum value. Expected
  ... received ..." line, as errors-with-status-code-4xx.md shows for a wrong enum value;
- `max_tokens` above the model's maximum output, a prompt (estimated as in `_usage`) over its
  context window, and thinking on a model without it: 400 in Anthropic's own wording, which the
  gateway passes through (docs/wire.md "Errors": upstream 400s keep the provider's message);
- what the model's schema for the endpoint lacks (`Capabilities` per dialect: thinking, images,
  documents, documents in tool results, redacted thinking, cache_control, system blocks, the
  per-tool fields of custom tools, `thinking: {"type": "disabled"}`, the sampling parameters):
  "Body validation error!" naming the model and the schema it was read from;
- a deprecated id (the catalogue's judgement "deprecated"): 400, "no longer available for API
  calls", naming the successor. The client warns and sends it (the server decides); this server
  decides as the docs' model table says.

Content rules come from the catalogue's per-endpoint capabilities, never from the specs here:
the specs disagree with one another (some Claude chat specs list only OpenAI's `image_url`), and
the catalogue generator (scripts/) is where those judgements are made once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aimlapi_core import TOOL_FIELDS
from aimlapi_core.catalog import Capabilities, lookup, model_ids

from ._envelopes import schema_error, upstream_error
from ._usage import prompt_tokens

if TYPE_CHECKING:
    from ._context import ChatCall


def check_model(call: ChatCall) -> None:
    """APIError(400) when the request's model cannot serve it (its catalogue entry, read once
    by the pipeline)."""
    body, model, info = call.body, call.body["model"], call.info
    if info is None:
        expected = " | ".join(f"'{m}'" for m in model_ids())
        raise schema_error(f"model: Invalid enum value. Expected {expected}, received '{model}'")
    if info.deprecated is not None:
        raise upstream_error(
            f"model: {model} is deprecated and no longer available for API calls; use "
            f"{info.deprecated.successor}"
        )
    max_tokens = body.get("max_tokens")
    if isinstance(max_tokens, int) and max_tokens > info.max_output_tokens:
        raise upstream_error(
            f"max_tokens: {max_tokens} > {info.max_output_tokens}, which is the maximum allowed "
            f"number of output tokens for {model}"
        )
    if call.caps is not None:
        _check_capabilities(body, model, call.caps)


def _check_capabilities(body: dict[str, Any], model: str, caps: Capabilities) -> None:
    """What this model's schema for this endpoint lacks (catalog.json, per dialect)."""
    where = f"{model} on this endpoint (schema {caps.schema})"
    thinking = body.get("thinking")
    if (
        isinstance(thinking, dict)
        and thinking.get("type") == "enabled"
        and ("enabled" not in caps.thinking)
    ):
        raise schema_error(f"thinking: extended thinking is not supported by {where}")
    if "tools" in body and not caps.tool_choice:
        raise schema_error(f"tools: {where} takes no tools; omit 'tools'")
    disabled = isinstance(thinking, dict) and thinking.get("type") == "disabled"
    if disabled and not caps.thinking_disabled:
        raise schema_error(f"thinking: type 'disabled' is not accepted by {where}")
    for key in ("temperature", "top_p", "top_k"):
        if key in body and key not in caps.sampling:
            raise schema_error(f"{key}: Unrecognized key(s) in object for {where}")
    for i, tool in enumerate(body.get("tools", [])):
        if "input_schema" in tool:  # a custom tool; server tools are _server_tools.py's
            extra = sorted(k for k in TOOL_FIELDS if k in tool and k not in caps.tool_fields)
            if extra:
                raise schema_error(f"tools[{i}]: Unrecognized key(s) in object: {extra} ({where})")
    if isinstance(body.get("system"), list) and not caps.system_blocks:
        raise schema_error(f"system: Expected string; {where} takes no system blocks")
    found = _block_types(body)
    refused = {
        "image": caps.images,
        "document": caps.documents,
        "tool_result.document": caps.tool_result_documents,
        "redacted_thinking": caps.redacted_thinking,
        "cache_control": caps.cache_control,
    }
    for kind, allowed in refused.items():
        if kind in found and not allowed:
            raise schema_error(f"messages: {where} does not accept {kind} content")


def _block_types(body: dict[str, Any]) -> set[str]:
    """Every content block type in the request ("tool_result.document" for a document inside a
    tool result), plus "cache_control" when any block, system block or tool carries one."""
    found: set[str] = set()
    system = body.get("system")
    blocks = list(system) if isinstance(system, list) else []
    blocks += body.get("tools", [])
    for message in body["messages"]:
        if not isinstance(message["content"], str):
            blocks += message["content"]
    for block in blocks:
        found.add(block.get("type", "tool"))
        if "cache_control" in block:
            found.add("cache_control")
        inner = block.get("content") if block.get("type") == "tool_result" else None
        for part in inner if isinstance(inner, list) else []:
            found.add(f"tool_result.{part['type']}")
    return found


def check_prompt_size(call: ChatCall) -> None:
    """A request whose prompt cannot fit the model's context window gets a 400."""
    assert call.info is not None  # check_model ran first
    tokens = prompt_tokens(call.view)
    if tokens > call.info.context_window:
        raise upstream_error(
            f"prompt is too long: {tokens} tokens > {call.info.context_window} maximum"
        )


def models_listing() -> dict[str, Any]:
    """The body of `GET /models` (models.json: info.contextLength, info.outputMax): every
    documented id; no key needed."""
    data = []
    for model in model_ids():
        info = lookup(model)
        assert info is not None  # every listed id is known
        data.append(
            {
                "id": model,
                "info": {
                    "name": model,
                    "developer": "Anthropic",
                    "contextLength": info.context_window,
                    "outputMax": info.max_output_tokens,
                },
                "type": "anthropic/chat-completions",
                "aliases": [],
                "tags": ["playground:chat"],
            }
        )
    return {"object": "list", "data": data}
