"""A deterministic tokenizer and the price table behind `usage` and `meta.usage`.

Tokens are words and single punctuation marks: crude, but stable, so prompt/completion/total
counts are consistent between a whole answer and its stream. Prices are Anthropic's list prices
per million tokens with the gateway's markup; with them the docs' example (27 in, 35 out on
claude-sonnet-4 → 1576 credits, $0.000788) comes out exactly.
"""

from __future__ import annotations

import json
import re
from typing import Any

TOKEN_RE = re.compile(r"\w+|[^\w\s]")

_MARKUP = 1.3
_CREDITS_PER_USD = 2_000_000
# (substring of the model id, input $/Mtok, output $/Mtok); first match wins.
_PRICES: tuple[tuple[str, float, float], ...] = (
    ("opus-4-5", 5.0, 25.0),
    ("opus-4.5", 5.0, 25.0),
    ("opus", 15.0, 75.0),
    ("haiku-4", 1.0, 5.0),
    ("3-5-haiku", 0.8, 4.0),
    ("3.5-haiku", 0.8, 4.0),
    ("haiku", 0.25, 1.25),
)
_DEFAULT_PRICE = (3.0, 15.0)  # the sonnet family


# A document given by URL: its size is unknown here, so it counts as one PDF page, as the
# client's estimate does (aimlapi_core/tokens.py).
_URL_DOCUMENT_TOKENS = 3000


def count_tokens(text: str) -> int:
    return len(TOKEN_RE.findall(text))


def truncate_tokens(text: str, limit: int) -> str:
    """The longest prefix of `text` holding at most `limit` tokens."""
    if limit <= 0:
        return ""
    for i, match in enumerate(TOKEN_RE.finditer(text)):
        if i == limit - 1:
            return text[: match.end()]
    return text


# Prompt caching's prices, as multiples of the input price (Anthropic's; docs/wire.md "Prompt
# caching"): a 5-minute write, a 1-hour write, a read.
WRITE_5M, WRITE_1H, READ = 1.25, 2.0, 0.1


def cost(
    model: str,
    input_tokens: int,
    output_tokens: int,
    *,
    read: int = 0,
    write_5m: int = 0,
    write_1h: int = 0,
) -> dict[str, float | int]:
    """`meta.usage` for a call: {"credits_used": int, "usd_spent": float}. ``input_tokens``
    counts every prompt token; those read from the prompt cache or written to it are billed at
    their own price."""
    lowered = model.lower()
    price_in, price_out = next(((i, o) for key, i, o in _PRICES if key in lowered), _DEFAULT_PRICE)
    billed_in = float(input_tokens)
    billed_in += (WRITE_5M - 1) * write_5m + (WRITE_1H - 1) * write_1h + (READ - 1) * read
    usd = (billed_in * price_in + output_tokens * price_out) / 1_000_000 * _MARKUP
    # Credits are the integer unit; the dollar figure is derived from them (1576 → 0.000788).
    credits = round(usd * _CREDITS_PER_USD)
    return {"credits_used": credits, "usd_spent": credits / _CREDITS_PER_USD}


def prompt_tokens(body: dict[str, Any]) -> int:
    """The estimated input tokens of a validated request body (system, tools, every block)."""
    system = body.get("system") or ""
    if isinstance(system, list):
        system = "\n".join(b.get("text", "") for b in system)
    total = count_tokens(system)
    for tool in body.get("tools", []):
        total += tool_tokens(tool)
    for message in body["messages"]:
        total += 3  # role and turn markers
        content = message["content"]
        if isinstance(content, str):
            total += count_tokens(content)
        else:
            total += sum(block_tokens(block) for block in content)
    return total


def tool_tokens(tool: dict[str, Any]) -> int:
    """A tool definition's tokens: its JSON without the cache hint (a hint is not prompt)."""
    return count_tokens(json.dumps({k: v for k, v in tool.items() if k != "cache_control"}))


def block_tokens(block: dict[str, Any]) -> int:
    kind = block["type"]
    if kind == "text":
        return count_tokens(block["text"])
    if kind == "thinking":
        return count_tokens(block["thinking"])
    if kind == "tool_use":
        return count_tokens(block["name"]) + count_tokens(json.dumps(block["input"]))
    if kind == "tool_result":
        content = block.get("content", "")
        if isinstance(content, str):
            return count_tokens(content)
        return sum(block_tokens(p) for p in content)
    if kind == "document" and block["source"]["type"] == "url":
        return _URL_DOCUMENT_TOKENS  # fetched by the real API; the emulator fetches nothing
    if kind in ("image", "document"):
        data = block["source"]["data"]
        # Roughly what Anthropic charges: an image costs by its size, a text by its words.
        if block["source"]["type"] == "text":
            return count_tokens(data)
        return 85 + len(data) // 1000
    return count_tokens(block.get("data", ""))
