"""Per-model strictness and `GET /models`, from the core's catalogue (one source: the docs).

`aimlapi_core.catalog.lookup(id)` knows exactly the ids the docs list and each model's limits;
the emulator refuses what the real service refuses for that model:

- an id the docs do not list: "Body validation error!" with Zod's "Invalid enum value. Expected
  ... received ..." line, as errors-with-status-code-4xx.md shows for a wrong enum value;
- `max_tokens` above the model's maximum output, a prompt (estimated as in `_usage`) over its
  context window, and thinking on a model without it: 400 in Anthropic's own wording, which the
  gateway passes through (docs/wire.md "Errors": upstream 400s keep the provider's message);
- tools or images sent to a model the catalogue says takes none: "Body validation error!".

Content rules come from the catalogue's capability flags, not from each spec's content enum:
the specs disagree with one another (claude-sonnet-4.json allows only OpenAI's `image_url`,
claude-3-haiku.json no Claude block at all, while the same models' /messages specs allow
everything), so the catalogue, which reconciles them, is the one source.
"""

from __future__ import annotations

from typing import Any

from aimlapi_core.catalog import ModelInfo, lookup, model_ids

from ._usage import prompt_tokens
from ._validate_content import schema_error, upstream_error


def check_model(body: dict[str, Any]) -> ModelInfo:
    """The catalogue entry for `body["model"]`; APIError(400) when the model cannot serve it."""
    model = body["model"]
    info = lookup(model)
    if info is None:
        expected = " | ".join(f"'{m}'" for m in model_ids())
        raise schema_error(f"model: Invalid enum value. Expected {expected}, received '{model}'")
    max_tokens = body.get("max_tokens")
    if isinstance(max_tokens, int) and max_tokens > info.max_output_tokens:
        raise upstream_error(
            f"max_tokens: {max_tokens} > {info.max_output_tokens}, which is the maximum allowed "
            f"number of output tokens for {model}"
        )
    thinking = body.get("thinking")
    if (
        isinstance(thinking, dict)
        and thinking.get("type") == "enabled"
        and not (info.supports_thinking)
    ):
        raise upstream_error(f"thinking: extended thinking is not supported by {model}")
    if "tools" in body and not info.supports_tools:
        raise schema_error(f"tools: {model} does not support tool use; omit 'tools'")
    if not info.supports_vision and _has_images(body["messages"]):
        raise schema_error(f"messages: {model} does not accept image content")
    return info


def _has_images(messages: list[dict[str, Any]]) -> bool:
    for message in messages:
        content = message["content"]
        for block in [] if isinstance(content, str) else content:
            inner = block.get("content") if block["type"] == "tool_result" else None
            parts = [block, *(inner if isinstance(inner, list) else [])]
            if any(part["type"] == "image" for part in parts):
                return True
    return False


def check_prompt_size(body: dict[str, Any], info: ModelInfo) -> None:
    """A validated body whose prompt cannot fit the model's context window gets a 400."""
    tokens = prompt_tokens(body)
    if tokens > info.context_window:
        raise upstream_error(f"prompt is too long: {tokens} tokens > {info.context_window} maximum")


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
