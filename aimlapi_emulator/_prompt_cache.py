"""Prompt caching, accounted as Anthropic does it (docs/wire.md "Prompt caching").

Each ``cache_control`` breakpoint names the prompt prefix up to it (tools, then system, then
messages); a prefix seen before is read from the cache, the rest up to the last breakpoint is
written. No minimum length is applied (the gateway's docs give none). Which models take
``cache_control`` is the validator's (the catalogue's ``cache_control`` capability). The
renderers draw :class:`CacheUse` into usage: ``cache_read_input_tokens`` /
``cache_creation_input_tokens`` on /messages, ``prompt_tokens_details`` on /chat/completions.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from ._answer import Answer, CacheUse
from ._envelopes import schema_error
from ._usage import count_tokens

if TYPE_CHECKING:
    from ._context import ChatCall

__all__ = ["check_cache_control", "prompt_cache_use"]


def check_cache_control(value: Any, path: str) -> None:
    """APIError(400) unless ``value`` is ``{"type": "ephemeral", "ttl"?: "5m" | "1h"}``."""
    if not isinstance(value, dict) or value.get("type") != "ephemeral":
        raise schema_error(f"{path}: Expected {{'type': 'ephemeral'}} (with an optional 'ttl')")
    extra = set(value) - {"type", "ttl"}
    if extra:
        raise schema_error(f"{path}: Unrecognized key(s) in object: {sorted(extra)}")
    if "ttl" in value and value["ttl"] not in ("5m", "1h"):
        raise schema_error(f"{path}.ttl: Invalid enum value. Expected '5m' | '1h'")


def prompt_cache_use(call: ChatCall, answer: Answer) -> None:
    """Reads and writes for the request's breakpoints; its prefixes are cached from now on."""
    points = _breakpoints(call.body)
    if not points:
        return
    read = max((tokens for digest, tokens in points if digest in call.prompt_cache), default=0)
    last_digest, last_tokens = points[-1]
    write = 0 if last_digest in call.prompt_cache else max(last_tokens - read, 0)
    answer.cache = CacheUse(read, write)
    call.prompt_cache.update(digest for digest, _ in points)


def _breakpoints(body: dict[str, Any]) -> list[tuple[str, int]]:
    """(prefix digest, prefix tokens) for each cache_control, in prompt order."""
    order: list[Any] = []
    out: list[tuple[str, int]] = []

    def visit(item: Any) -> None:
        order.append(item)
        if isinstance(item, dict) and item.get("cache_control"):
            prefix = json.dumps(order, sort_keys=True, default=str)
            digest = hashlib.sha256(prefix.encode()).hexdigest()
            out.append((digest, count_tokens(prefix) // 4 + 1))

    for tool in body.get("tools") or []:
        visit(tool)
    system = body.get("system")
    for block in system if isinstance(system, list) else [system] if system else []:
        visit(block)
    for message in body.get("messages") or []:
        content = message.get("content")
        for block in content if isinstance(content, list) else [content]:
            visit(block)
    return out
