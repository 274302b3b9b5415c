"""Prompt caching, billed as the API bills it: what each request reads and writes.

Billed as the API bills it (docs/wire.md "Prompt caching"):

- The prompt is a sequence of blocks in the order tools, system, messages (each tool, each
  system block, each content block; a string is one block). A block with ``cache_control`` is a
  breakpoint; the prefix ending there is cached for its ``ttl`` ("5m", the default, or "1h").
  A top-level ``cache_control`` (Anthropic's automatic caching, which langchain-anthropic's
  ``ChatAnthropic`` sends) is a breakpoint on the last block.
- More than four breakpoints: a 400 with Anthropic's words.
- A prefix shorter than the model's minimum cacheable length
  (``aimlapi_core.catalog.min_cacheable_tokens``) is not cached.
- A request reads the longest cached prefix that ends at one of its breakpoints or at most
  20 blocks before one (the lookback); reading refreshes the entry's TTL. What lies between
  that and its last cacheable breakpoint is written. The key is the model and the prefix's
  content, its ``cache_control`` hints left out (a breakpoint moves along as the conversation
  grows; the content before it does not change).
- The clock is injectable (``Emulator(clock=...)``), so tests step over a TTL without waiting.

The pipeline (``_pipeline.py``) runs :func:`check_breakpoints` among its checks and
:func:`prompt_cache_use` among its answer features; the renderers draw :class:`CacheUse` into
usage (``cache_read_input_tokens`` / ``cache_creation_input_tokens`` on /messages,
``prompt_tokens_details`` on /chat/completions) and the route bills it (``_usage.cost``).

Token counts are the emulator's tokenizer's (``_usage.py``), so cache figures add up to the
prompt's ``input_tokens``; the price follows them in ``_usage.cost``: writes 1.25x the input
price (2x for the 1-hour TTL), reads 0.1x.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from aimlapi_core.catalog import min_cacheable_tokens

from ._answer import Answer, CacheUse
from ._envelopes import schema_error, upstream_error
from ._usage import block_tokens, count_tokens, tool_tokens

__all__ = ["PromptCacheLedger", "check_breakpoints", "check_cache_control", "prompt_cache_use"]

MAX_BREAKPOINTS = 4
LOOKBACK_BLOCKS = 20
TTL_SECONDS = {"5m": 300.0, "1h": 3600.0}
MESSAGE_TOKENS = 3  # role and turn markers, as _usage.prompt_tokens counts them


@dataclass(frozen=True)
class _Block:
    key: str  # digest of the model and every block up to this one, hints left out
    end: int  # prompt tokens up to the end of this block
    ttl: str | None  # this block's breakpoint TTL; None: not a breakpoint


class ChatCall(Protocol):
    """What these read of ``_context.ChatCall`` (named structurally: the context holds the
    ledger, so this module does not import it back)."""

    @property
    def body(self) -> dict[str, Any]: ...
    @property
    def prompt_cache(self) -> PromptCacheLedger: ...


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
    """The answer feature: the request's reads and writes, its prefixes cached from now on."""
    answer.cache = call.prompt_cache.use(call.body)


def check_breakpoints(call: ChatCall) -> None:
    """The check: each hint as the schemas type it (``{"type": "ephemeral", "ttl"?: "5m" |
    "1h"}``), no more than four of them, and no 1-hour one after a 5-minute one (Anthropic's
    400s)."""
    body = call.body
    hints = [item.get("cache_control") for item, _ in _items(body) if isinstance(item, dict)]
    for hint in [*hints, body.get("cache_control")]:
        if hint is None:
            continue
        if not isinstance(hint, dict) or hint.get("type") != "ephemeral":
            raise schema_error(
                "cache_control.type: Invalid enum value. Expected 'ephemeral', received "
                f"{hint.get('type') if isinstance(hint, dict) else hint!r}"
            )
        if hint.get("ttl", "5m") not in TTL_SECONDS or set(hint) - {"type", "ttl"}:
            raise schema_error(
                f"cache_control: Expected {{type: 'ephemeral', ttl?: '5m' | '1h'}}, received {hint}"
            )
    message = breakpoint_error(count_breakpoints(body))
    if message is not None:
        raise upstream_error(message)
    ttls = [h.get("ttl", "5m") for h in [*hints, body.get("cache_control")] if h]
    if "5m" in ttls and "1h" in ttls[ttls.index("5m") :]:
        raise upstream_error(
            "A cache_control block with ttl='1h' must not come after one with ttl='5m' "
            "(blocks are ordered tools, system, messages)."
        )


def count_breakpoints(body: dict[str, Any]) -> int:
    """The breakpoints a request sets: every block with ``cache_control``, and the top-level
    one (automatic caching) unless the last block carries its own."""
    items = [item for item, _ in _items(body)]
    count = sum(1 for item in items if isinstance(item, dict) and item.get("cache_control"))
    last = items[-1] if items else None
    if body.get("cache_control") and not (isinstance(last, dict) and last.get("cache_control")):
        count += 1
    return count


def breakpoint_error(count: int) -> str | None:
    """Anthropic's 400 for too many breakpoints, or None."""
    if count <= MAX_BREAKPOINTS:
        return None
    return (
        f"A maximum of {MAX_BREAKPOINTS} blocks with cache_control may be provided. Found {count}."
    )


class PromptCacheLedger:
    """The cached prefixes of one emulator, with their expiry times (thread-safe)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, str]] = {}  # key -> (expires at, ttl)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def use(self, body: dict[str, Any]) -> CacheUse | None:
        """Read and write the cache for a validated request; ``None`` without breakpoints."""
        blocks = list(_blocks(body))
        points = [i for i, b in enumerate(blocks) if b.ttl is not None]
        if not points:
            return None
        minimum = min_cacheable_tokens(body.get("model"))
        with self._lock:
            now = self._clock()
            read_at = self._longest_hit(blocks, points, now)
            read = blocks[read_at].end if read_at is not None else 0
            write = {"5m": 0, "1h": 0}
            start = read
            for i in points:
                block = blocks[i]
                if block.end < minimum or block.end <= start:
                    continue
                assert block.ttl is not None
                write[block.ttl] += block.end - start
                start = block.end
            for i in [*points, *([read_at] if read_at is not None else [])]:
                block = blocks[i]
                ttl = block.ttl or self._entries[block.key][1]
                if block.end >= minimum:
                    self._entries[block.key] = (now + TTL_SECONDS[ttl], ttl)
        return CacheUse(read=read, write_5m=write["5m"], write_1h=write["1h"])

    def _longest_hit(self, blocks: list[_Block], points: list[int], now: float) -> int | None:
        best: int | None = None
        for point in points:
            for i in range(point, max(point - LOOKBACK_BLOCKS, 0) - 1, -1):
                entry = self._entries.get(blocks[i].key)
                if entry is not None and entry[0] > now:
                    if best is None or blocks[i].end > blocks[best].end:
                        best = i
                    break  # the nearest hit before this breakpoint is its longest
        return best


def _blocks(body: dict[str, Any]) -> Iterator[_Block]:
    digest = hashlib.sha256(str(body.get("model")).encode())
    end = 0
    auto = body.get("cache_control")
    items = list(_items(body))
    for n, (item, tokens) in enumerate(items):
        hint = item.get("cache_control") if isinstance(item, dict) else None
        if auto and n == len(items) - 1 and not hint:
            hint = auto
        # The rendered prompt is what is cached: a string is its one text block, and a hint
        # is not content.
        if isinstance(item, str):
            content: Any = {"type": "text", "text": item}
        else:
            content = {k: v for k, v in item.items() if k != "cache_control"}
        digest.update(json.dumps(content, sort_keys=True, default=str).encode())
        end += tokens
        ttl = (hint.get("ttl") or "5m") if isinstance(hint, dict) else None
        yield _Block(key=digest.copy().hexdigest(), end=end, ttl=ttl)


def _items(body: dict[str, Any]) -> Iterator[tuple[Any, int]]:
    """Every block of the prompt with its tokens, in cache order: tools, system, messages."""
    for tool in body.get("tools") or []:
        yield tool, tool_tokens(tool)
    system = body.get("system")
    for block in system if isinstance(system, list) else [system] if system else []:
        yield block, count_tokens(block.get("text", "") if isinstance(block, dict) else block)
    for message in body.get("messages") or []:
        content = message.get("content")
        blocks = content if isinstance(content, list) else [content]
        for n, block in enumerate(blocks):
            tokens = _block_tokens(block) + (MESSAGE_TOKENS if n == 0 else 0)
            yield block, tokens


def _block_tokens(block: Any) -> int:
    if isinstance(block, str):
        return count_tokens(block)
    return block_tokens(block) if isinstance(block, dict) and "type" in block else 0
