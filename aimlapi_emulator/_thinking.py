"""Thinking, checked per model and answered (docs/wire.md "Thinking").

Three forms: ``{"type": "enabled", "budget_tokens": N}``, ``{"type": "disabled"}`` and, where
the model's schema lists it (the catalogue's ``thinking`` capability), ``{"type": "adaptive"}``;
``display`` ("summarized" | "omitted") where the schema has ``thinking_display``. Enabled and
adaptive thinking share Anthropic's rules: ``temperature`` only 1, no forced tool use. With
enabled thinking, replayed thinking blocks must carry this emulator's signature.

The default assistant thinks for enabled thinking; :func:`adaptive_thinking` adds a short
thought for adaptive thinking when the reply has none ("" when display is "omitted").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._envelopes import schema_error, upstream_error
from ._usage import count_tokens

if TYPE_CHECKING:
    from aimlapi_core.catalog import Capabilities

    from ._answer import Answer
    from ._context import ChatCall
    from ._signing import ThinkingSigner

__all__ = ["adaptive_thinking", "check_thinking"]

_DEFAULT_MAX_TOKENS = 32000  # claude-4-sonnet.json default, for the thinking budget check


def check_thinking(
    body: dict[str, Any], dialect: str, signer: ThinkingSigner, caps: Capabilities | None
) -> None:
    """APIError(400) for the first problem in ``body["thinking"]`` (absent: fine)."""
    thinking = body.get("thinking")
    if thinking is None:
        return
    if isinstance(thinking, dict) and "display" in thinking:
        if thinking["display"] not in ("summarized", "omitted"):
            raise schema_error(
                "thinking.display: Invalid enum value. Expected 'summarized' | 'omitted'"
            )
        if caps is not None and not caps.thinking_display:
            raise schema_error("thinking: Unrecognized key(s) in object: 'display'")
    if isinstance(thinking, dict) and thinking.get("type") == "adaptive":
        _check_adaptive(body, thinking, caps)
        return
    if not isinstance(thinking, dict) or thinking.get("type") not in ("enabled", "disabled"):
        raise schema_error(
            "thinking: Expected {'type': 'enabled', 'budget_tokens': N} or {'type': 'disabled'}"
        )
    if thinking["type"] == "disabled":
        if set(thinking) != {"type"}:
            raise schema_error("thinking: Unrecognized key(s) in object for type 'disabled'")
        return
    extra = set(thinking) - {"type", "budget_tokens", "display"}
    if extra:
        raise schema_error(f"thinking: Unrecognized key(s) in object: {sorted(extra)}")
    budget = thinking.get("budget_tokens")
    if not isinstance(budget, int) or isinstance(budget, bool):
        raise schema_error("thinking.budget_tokens: Required (an integer >= 1024)")
    if budget < 1024:
        raise upstream_error(
            "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"
        )
    max_tokens = body.get("max_tokens", _DEFAULT_MAX_TOKENS)
    if budget >= max_tokens:
        raise upstream_error(
            f"`max_tokens` must be greater than `thinking.budget_tokens` ({max_tokens} <= "
            f"{budget}). Please consult our documentation at "
            "https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size"
        )
    _check_thinking_rules(body)
    if dialect == "messages":
        _check_replayed_thinking(body["messages"], signer)


def _check_adaptive(
    body: dict[str, Any], thinking: dict[str, Any], caps: Capabilities | None
) -> None:
    if caps is not None and "adaptive" not in caps.thinking:
        # The 4.x chat schemas list only {"type": "enabled", "budget_tokens": N}.
        raise schema_error(
            "thinking.type: Invalid enum value. Expected 'enabled' | 'disabled', "
            "received 'adaptive'"
        )
    extra = set(thinking) - {"type", "display"}
    if extra:
        raise schema_error(f"thinking: Unrecognized key(s) in object: {sorted(extra)}")
    _check_thinking_rules(body)


def _check_thinking_rules(body: dict[str, Any]) -> None:
    """What Anthropic refuses with thinking on, whatever its form."""
    choice = body.get("tool_choice", {}).get("type")
    if choice in ("any", "tool"):
        raise upstream_error("Thinking may not be enabled when tool_choice forces tool use.")
    if "temperature" in body and body["temperature"] != 1:
        raise upstream_error("`temperature` may only be set to 1 when thinking is enabled.")


def _check_replayed_thinking(messages: list[dict[str, Any]], signer: ThinkingSigner) -> None:
    last_assistant = max(
        (i for i, m in enumerate(messages) if m["role"] == "assistant"), default=None
    )
    for i, message in enumerate(messages):
        content = message["content"]
        if message["role"] != "assistant" or isinstance(content, str):
            continue
        for j, block in enumerate(content):
            if block["type"] == "thinking" and not signer.verify(
                block["thinking"], block.get("signature", "")
            ):
                raise upstream_error(
                    f"messages.{i}.content.{j}: Invalid `signature` in `thinking` block"
                )
        uses_tools = any(b["type"] == "tool_use" for b in content)
        if (
            i == last_assistant
            and uses_tools
            and content[0]["type"]
            not in (
                "thinking",
                "redacted_thinking",
            )
        ):
            raise upstream_error(
                f"messages.{i}.content.0.type: Expected `thinking` or `redacted_thinking`, but "
                f"found `{content[0]['type']}`. When `thinking` is enabled, a final `assistant` "
                "message must start with a thinking block (preceeding the lastmost set of "
                "`tool_use` and `tool_result` blocks). We recommend you include thinking blocks "
                "from previous turns. To avoid this requirement, disable `thinking`."
            )


def adaptive_thinking(call: ChatCall, answer: Answer) -> None:
    """A short thought for ``{"type": "adaptive"}`` when the reply has none."""
    thinking = call.body.get("thinking")
    if not isinstance(thinking, dict) or thinking.get("type") != "adaptive":
        return
    if answer.thinking is not None:
        return
    thought = "Adaptive thinking: this needs a short, direct answer."
    answer.thinking = "" if thinking.get("display") == "omitted" else thought
    tokens = count_tokens(thought)
    answer.output_tokens += tokens
    answer.reasoning_tokens = tokens
