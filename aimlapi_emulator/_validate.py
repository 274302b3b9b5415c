"""Request validation, written from the specs and docs — never from the client's encoder.

Two kinds of message, as the service answers them:
- gateway schema errors: "Body validation error!" plus a line naming the field and the fix
  (errors-with-status-code-4xx.md), or the exact documented message where there is one;
- upstream (Anthropic) rule errors, with Anthropic's wording and dotted paths
  ("messages.1.content.0: Invalid `signature` in `thinking` block").
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from aimlapi_core import TOOL_FIELDS

from ._context import Dialect
from ._envelopes import schema_error, upstream_error
from ._prompt_cache import check_cache_control
from ._server_tools import check_server_tool, is_server_tool
from ._signing import ThinkingSigner
from ._thinking import check_thinking
from ._validate_content import check_block_keys, check_content

if TYPE_CHECKING:
    from aimlapi_core import TOOL_FIELDS
from aimlapi_core.catalog import Capabilities

# Top-level fields listed by any of the Claude specs (aimlapi-docs/specs/*.json).
_KNOWN_FIELDS = frozenset(
    {
        "model", "messages", "metadata", "stop_sequences", "stream", "system", "tool_choice",
        "tools", "thinking", "max_tokens", "temperature", "top_p", "top_k", "frequency_penalty",
    }
)  # fmt: skip
# OpenAI-only fields (absent from every Claude spec: docs/wire.md "Request on
# /chat/completions") and the fix for each.
_OPENAI_ONLY = {
    "stop": "use 'stop_sequences' instead",
    "n": "Claude returns exactly one choice; omit 'n'",
    "stream_options": "usage is always sent in the stream; omit 'stream_options'",
    "response_format": "ask for JSON in the prompt or force a tool instead",
    "parallel_tool_calls": "use tool_choice.disable_parallel_tool_use instead",
    "max_completion_tokens": "use 'max_tokens' instead",
}
_TOOL_NAME_RE = re.compile(r"^[a-zA-Z0-9_-]{1,128}$")


def check_object(body: Any) -> dict[str, Any]:
    """``body`` when it is a JSON object; APIError(400) for anything else."""
    if not isinstance(body, dict):
        raise schema_error("the request body must be a JSON object")
    return body


def validate(
    body: dict[str, Any], dialect: Dialect, signer: ThinkingSigner, caps: Capabilities | None
) -> None:
    """Raise APIError(400) naming the first problem in `body`; return None when it is valid.

    ``caps``: the model's schema for this endpoint (None for an unknown id, which the model
    rules refuse afterwards); what only some schemas take is checked against it.
    """
    _reject_nulls(body, "")
    for key in body:
        if key in _OPENAI_ONLY:
            raise schema_error(
                f"Unsupported parameter: '{key}' is not supported with this model; "
                f"{_OPENAI_ONLY[key]}."
            )
        # /messages takes a top-level cache_control: Anthropic's automatic caching
        # (docs/wire.md "Prompt caching"; _prompt_cache.py checks and bills it).
        if key not in _KNOWN_FIELDS and not (key == "cache_control" and dialect == "messages"):
            raise schema_error(f"Unrecognized key(s) in object: '{key}'")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise schema_error("model: Required (a non-empty string such as 'claude-sonnet-4')")
    _check_sampling(body, dialect)
    _check_tools(body, caps)
    _check_system(body.get("system"), dialect, caps)
    _check_messages(body.get("messages"), dialect, caps)
    check_thinking(body, dialect, signer, caps)


_USER_JSON = frozenset({"input_schema", "input"})


def _reject_nulls(value: Any, path: str) -> None:
    # docs/wire.md "Request on /chat/completions": no explicit nulls, several models answer 400.
    if value is None:
        raise schema_error(f"{path or 'body'}: Expected a value, received null; omit the field")
    if isinstance(value, dict):
        for key, item in value.items():
            if key in _USER_JSON:  # a JSON Schema or tool arguments: null is a legal value there
                continue
            _reject_nulls(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _reject_nulls(item, f"{path}[{i}]")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_sampling(body: dict[str, Any], dialect: Dialect) -> None:
    if "max_tokens" in body:
        mt = body["max_tokens"]
        if not _is_number(mt) or mt != int(mt) or mt < 1:
            raise schema_error(f"max_tokens: Expected a positive integer, received {mt!r}")
    elif dialect == "messages":
        raise upstream_error("max_tokens: Field required")
    for key in ("temperature", "top_p"):
        if key in body:
            value = body[key]
            if not _is_number(value):
                raise schema_error(f"{key}: Expected number, received {type(value).__name__}")
            if not 0 <= value <= 1:
                raise schema_error(
                    f"{key}: Number must be between 0 and 1 (inclusive), received {value}"
                )
    top_k = body.get("top_k", 0)
    if not _is_number(top_k) or top_k != int(top_k) or top_k < 0:
        raise schema_error(f"top_k: Expected an integer >= 0, received {top_k!r}")
    if "stream" in body and not isinstance(body["stream"], bool):
        raise schema_error(f"stream: Expected boolean, received {body['stream']!r}")
    if "stop_sequences" in body:
        seqs = body["stop_sequences"]
        if not isinstance(seqs, list) or not all(isinstance(s, str) for s in seqs):
            raise schema_error("stop_sequences: Expected an array of strings")
        if any(not s.strip() for s in seqs):
            raise upstream_error("stop_sequences: each stop sequence must contain non-whitespace")
    if "metadata" in body:
        meta = body["metadata"]
        if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
            raise schema_error("metadata: Expected an object of strings, e.g. {'user_id': 'u1'}")


def _check_tools(body: dict[str, Any], caps: Capabilities | None) -> list[str]:
    names: list[str] = []
    if "tools" in body:
        tools = body["tools"]
        if not isinstance(tools, list):
            raise schema_error("tools: Expected array")
        if not tools:
            raise schema_error("tools: Array must contain at least 1 element(s); omit 'tools'")
        for i, tool in enumerate(tools):
            if is_server_tool(tool):
                names.append(check_server_tool(tool, i, caps))
            else:
                names.append(_check_tool(tool, f"tools[{i}]"))
        if len(set(names)) != len(names):
            raise upstream_error("tools: Tool names must be unique.")
    if "tool_choice" in body:
        _check_tool_choice(body["tool_choice"], names, "tools" in body)
    return names


def _check_tool(tool: Any, path: str) -> str:
    if not isinstance(tool, dict):
        raise schema_error(f"{path}: Expected object")
    if "function" in tool or tool.get("type") == "function":
        raise schema_error(
            f"{path}: OpenAI-style function tools ({{'type': 'function', 'function': ...}}) are "
            "not supported with this model; send {'name', 'description', 'input_schema'}"
        )
    # The per-tool fields (TOOL_FIELDS) are each model's to allow: _models.py.
    extra = set(tool) - {"name", "description", "input_schema", "cache_control", "type"}
    extra -= set(TOOL_FIELDS)
    if extra:
        raise schema_error(f"{path}: Unrecognized key(s) in object: {sorted(extra)}")
    if tool.get("type", "custom") != "custom":
        raise schema_error(f"{path}.type: Invalid literal value, expected 'custom'")
    name = tool.get("name")
    if not isinstance(name, str) or not _TOOL_NAME_RE.match(name):
        raise upstream_error(f"{path}.name: String should match pattern '^[a-zA-Z0-9_-]{{1,128}}$'")
    if "cache_control" in tool:
        check_cache_control(tool["cache_control"], f"{path}.cache_control")
    if "description" in tool and not isinstance(tool["description"], str):
        raise schema_error(f"{path}.description: Expected string")
    schema = tool.get("input_schema")
    if not isinstance(schema, dict):
        raise schema_error(f"{path}.input_schema: Required (a JSON schema object)")
    if schema.get("type") != "object":
        raise upstream_error(
            f"{path}.input_schema.type: Input should be 'object' (a root-level anyOf/oneOf is "
            "not a valid input_schema)"
        )
    return name


def _check_tool_choice(choice: Any, names: list[str], has_tools: bool) -> None:
    if isinstance(choice, str):
        raise schema_error(
            f"tool_choice: Expected object, received string {choice!r}; send {{'type': 'auto'}}, "
            "{'type': 'any'}, {'type': 'tool', 'name': ...} or {'type': 'none'}"
        )
    if not isinstance(choice, dict) or choice.get("type") not in ("auto", "any", "tool", "none"):
        raise schema_error("tool_choice.type: Expected 'auto' | 'any' | 'tool' | 'none'")
    kind = choice["type"]
    allowed = {"type", "disable_parallel_tool_use"} | ({"name"} if kind == "tool" else set())
    if kind == "none":
        allowed = {"type"}
    extra = set(choice) - allowed
    if extra:
        raise schema_error(f"tool_choice: Unrecognized key(s) in object: {sorted(extra)}")
    if "disable_parallel_tool_use" in choice and not isinstance(
        choice["disable_parallel_tool_use"], bool
    ):
        raise schema_error("tool_choice.disable_parallel_tool_use: Expected boolean")
    if kind != "none" and not has_tools:
        raise upstream_error("tool_choice: tool_choice may only be specified while providing tools")
    if kind == "tool":
        name = choice.get("name")
        if not isinstance(name, str) or name not in names:
            raise upstream_error(
                f"tool_choice.name: Tool {name!r} not found in the provided tools {names}"
            )


def _check_system(system: Any, dialect: Dialect, caps: Capabilities | None) -> None:
    if system is None or isinstance(system, str):
        return
    blocks_taken = dialect == "messages" or (caps is not None and caps.system_blocks)
    if blocks_taken and isinstance(system, list):
        for i, block in enumerate(system):
            if not isinstance(block, dict) or block.get("type") != "text":
                raise schema_error(f"system[{i}]: Expected a text block")
            if "citations" in block and caps is not None and not caps.system_citations:
                raise schema_error(f"system[{i}]: Unrecognized key(s) in object: 'citations'")
            check_block_keys(block, f"system[{i}]", dialect, caps)
            if not isinstance(block.get("text"), str) or not block["text"]:
                raise upstream_error(f"system.{i}.text: text content blocks must be non-empty")
        return
    raise schema_error(
        "system: Expected string" + (" or array of text blocks" * (dialect == "messages"))
    )


def _check_messages(messages: Any, dialect: Dialect, caps: Capabilities | None) -> None:
    if not isinstance(messages, list):
        raise schema_error("messages: Required (an array of {role, content} objects)")
    if not messages:
        raise schema_error("messages: Array must contain at least 1 element(s)")
    previous_role: str | None = None
    previous_tool_ids: set[str] = set()
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            raise schema_error(f"messages[{i}]: Expected object")
        role = message.get("role")
        if role in ("system", "tool", "developer", "function"):
            if dialect == "messages" and role == "system":
                raise upstream_error(
                    'messages: Unexpected role "system". The Messages API accepts a top-level '
                    '`system` parameter, not "system" as an input message role.'
                )
            # The documented message, verbatim (errors-with-status-code-4xx.md).
            raise upstream_error(
                f"Unsupported value: 'messages[{i}].role' does not support '{role}' with this "
                "model."
            )
        if role not in ("user", "assistant"):
            raise schema_error(
                f"messages[{i}].role: Invalid enum value. Expected 'user' | 'assistant', "
                f"received {role!r}"
            )
        extra = set(message) - {"role", "content"}
        if extra:
            raise schema_error(f"messages[{i}]: Unrecognized key(s) in object: {sorted(extra)}")
        if role == previous_role:
            raise upstream_error(
                f'messages: roles must alternate between "user" and "assistant", but found '
                f'multiple "{role}" roles in a row (messages.{i - 1} and messages.{i})'
            )
        blocks = check_content(message.get("content"), i, role, len(messages), dialect, caps)
        tool_ids = {b["id"] for b in blocks if b.get("type") == "tool_use"}
        result_ids = [b["tool_use_id"] for b in blocks if b.get("type") == "tool_result"]
        for j, rid in enumerate(result_ids):
            if rid not in previous_tool_ids:
                raise upstream_error(
                    f"messages.{i}.content.{j}: unexpected `tool_use_id` found in `tool_result` "
                    f"blocks: {rid}. Each `tool_result` block must have a corresponding "
                    "`tool_use` block in the previous message."
                )
        if previous_tool_ids and role == "user":
            missing = sorted(previous_tool_ids - set(result_ids))
            if missing:
                raise upstream_error(
                    f"messages.{i - 1}: `tool_use` ids were found without `tool_result` blocks "
                    f"immediately after: {', '.join(missing)}. Each `tool_use` block must have a "
                    "corresponding `tool_result` block in the next message."
                )
        previous_role, previous_tool_ids = role, tool_ids
