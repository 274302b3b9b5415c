"""What an answer carries: the reply made concrete for one request (:func:`make_answer`), and
each answer feature's part of it. The renderers (``_render_chat.py``, ``_render_messages.py``)
draw every field; the pipeline's answer features (``_pipeline.py``) fill them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ._reply import Reply, ToolCall
from ._usage import count_tokens, prompt_tokens, truncate_tokens

__all__ = [
    "Answer",
    "CacheUse",
    "WebSearch",
    "make_answer",
    "snippet",
    "tool_id",
    "url_citations",
]


@dataclass
class Answer:
    """A reply made concrete for one request: what the renderers draw."""

    thinking: str | None = None
    text: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    stop_reason: str = "end_turn"
    stop_sequence: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0
    web_search: WebSearch | None = None  # the scripted web search turn (_web_search.py)
    cache: CacheUse | None = None  # prompt-cache reads and writes (_prompt_cache.py)
    # The text's citations of the request's search results, Claude's form (_grounded.py), and
    # the indexes a scripted reply asked for (Reply.citations), resolved into them.
    citations: list[dict[str, Any]] = field(default_factory=list)
    cited_results: list[int] = field(default_factory=list)

    def annotations(self) -> list[dict[str, Any]] | None:
        """The text's citations as /chat/completions carries them (``url_citation``)."""
        if self.web_search is not None:
            return self.web_search.annotations(self.text)
        return url_citations(self.text, self.citations) if self.citations else None


@dataclass
class WebSearch:
    """One scripted search (``_web_search.py``): its query, results and server tool call id."""

    query: str
    results: list[dict[str, Any]]
    tool_id: str

    def blocks(self) -> list[dict[str, Any]]:
        """The ``server_tool_use`` and ``web_search_tool_result`` blocks, in answer order."""
        return [
            {"type": "server_tool_use", "id": self.tool_id, "name": "web_search",
             "input": {"query": self.query}},
            {"type": "web_search_tool_result", "tool_use_id": self.tool_id,
             "content": self.results},
        ]  # fmt: skip

    def citation(self) -> dict[str, Any]:
        first = self.results[0]
        return {
            "type": "web_search_result_location",
            "cited_text": snippet(first),
            "url": first["url"],
            "title": first["title"],
            "encrypted_index": first["encrypted_content"][:16],
        }

    def annotations(self, text: str) -> list[dict[str, Any]]:
        """OpenAI ``url_citation`` annotations over ``text``, one per result."""
        return [
            {
                "type": "url_citation",
                "url_citation": {
                    "url": r["url"],
                    "title": r["title"],
                    "start_index": 0,
                    "end_index": len(text),
                },
            }
            for r in self.results
        ]


def url_citations(text: str, citations: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """``/chat/completions``'s form of search-result citations (``_grounded.py``): a
    ``url_citation`` per citation, its ``url`` the search result's source, over the span of
    ``text`` that quotes it (the whole text when it does not)."""
    out = []
    for c in citations:
        at = text.find(c["cited_text"]) if c["cited_text"] else -1
        start, end = (at, at + len(c["cited_text"])) if at >= 0 else (0, len(text))
        out.append(
            {
                "type": "url_citation",
                "url_citation": {
                    "url": c["source"],
                    "title": c["title"],
                    "start_index": start,
                    "end_index": end,
                },
            }
        )
    return out


def snippet(result: dict[str, Any]) -> str:
    """The text a search answer cites from ``result``."""
    return f"{result['title']} reports mild weather and light wind."


@dataclass(frozen=True)
class CacheUse:
    """The prompt tokens one request read from the cache and wrote to it, per TTL
    (``_prompt_cache.py``); ``input_tokens`` of the answer counts them all."""

    read: int = 0
    write_5m: int = 0
    write_1h: int = 0

    @property
    def write(self) -> int:
        return self.write_5m + self.write_1h

    def prices(self) -> dict[str, int]:
        """The keyword arguments of ``_usage.cost`` for these figures."""
        return {"read": self.read, "write_5m": self.write_5m, "write_1h": self.write_1h}

    def messages_usage(self, usage: dict[str, Any]) -> None:
        """Anthropic's naming: ``input_tokens`` counts only what was neither read nor written."""
        usage["cache_read_input_tokens"] = self.read
        usage["cache_creation_input_tokens"] = self.write
        usage["input_tokens"] = usage.get("input_tokens", 0) - self.read - self.write
        if "cache_creation" in usage:
            usage["cache_creation"] = {
                "ephemeral_5m_input_tokens": self.write_5m,
                "ephemeral_1h_input_tokens": self.write_1h,
            }

    def chat_usage(self, usage: dict[str, Any]) -> None:
        """OpenAI's naming: prompt_tokens counts every input token; the claude-sonnet-latest
        page shows prompt_tokens_details {cached_tokens, cache_write_tokens}."""
        usage["prompt_tokens_details"] = {
            "cached_tokens": self.read,
            "cache_write_tokens": self.write,
        }


def make_answer(reply: Reply, body: dict[str, Any]) -> Answer:
    """`reply` as the answer to `body`: ids filled in, limits applied, tokens counted."""
    seed = json.dumps(body.get("messages"), sort_keys=True)
    calls = [
        ToolCall(c.name, c.input, c.id or tool_id(seed, i))
        for i, c in enumerate(reply.tool_calls)
        if isinstance(c, ToolCall)
    ]
    answer = Answer(thinking=reply.thinking, text=reply.text, tool_calls=calls)
    answer.cited_results = list(reply.citations)
    if reply.stop_reason is None:
        _apply_limits(answer, body)
    else:
        answer.stop_reason = reply.stop_reason
        answer.reasoning_tokens = count_tokens(answer.thinking or "")
        answer.output_tokens = max(answer.reasoning_tokens + _content_tokens(answer), 1)
    answer.input_tokens = prompt_tokens(body)
    if reply.usage:
        answer.input_tokens = reply.usage.get("input_tokens", answer.input_tokens)
        answer.output_tokens = reply.usage.get("output_tokens", answer.output_tokens)
    return answer


def tool_id(seed: str, index: int) -> str:
    """A deterministic Anthropic-style tool-use id for the index-th call of a conversation."""
    digest = hashlib.sha256(f"{seed}\x00{index}".encode()).hexdigest()
    return f"toolu_01{digest[:22]}"


def _call_tokens(call: ToolCall) -> int:
    return count_tokens(call.name) + count_tokens(json.dumps(call.input))


def _content_tokens(answer: Answer) -> int:
    return count_tokens(answer.text) + sum(_call_tokens(c) for c in answer.tool_calls)


def _apply_limits(answer: Answer, body: dict[str, Any]) -> None:
    """Stop sequences, then max_tokens, exactly as a generation would hit them."""
    best: tuple[int, str] | None = None
    for seq in body.get("stop_sequences", []):
        index = answer.text.find(seq)
        if index >= 0 and (best is None or index < best[0]):
            best = (index, seq)
    answer.stop_reason = "tool_use" if answer.tool_calls else "end_turn"
    if best is not None:
        answer.text, answer.tool_calls = answer.text[: best[0]], []
        answer.stop_reason, answer.stop_sequence = "stop_sequence", best[1]
    limit = int(body.get("max_tokens", 32000))
    thinking_tokens = count_tokens(answer.thinking or "")
    if thinking_tokens > limit:
        answer.thinking = truncate_tokens(answer.thinking or "", limit)
        thinking_tokens = limit
    text_tokens = count_tokens(answer.text)
    if thinking_tokens + text_tokens > limit:
        answer.text = truncate_tokens(answer.text, limit - thinking_tokens)
        text_tokens = count_tokens(answer.text)
        answer.tool_calls, answer.stop_reason, answer.stop_sequence = [], "max_tokens", None
    used = thinking_tokens + text_tokens
    kept = []
    for call in answer.tool_calls:
        if used + _call_tokens(call) > limit:
            answer.stop_reason = "max_tokens"
            break
        kept.append(call)
        used += _call_tokens(call)
    answer.tool_calls = kept
    answer.output_tokens = max(used, 1)
    answer.reasoning_tokens = thinking_tokens
