"""What the current Claude line adds to an answer (issue 15): the :class:`Line` that
``_claude_line.prepare`` returns for each request, and the scripted web search's results.

A ``Line`` finishes the default assistant's reply (thinking for ``{"type": "adaptive"}``, the
web search turn's text), then the rendered body — whole (:meth:`Line.finish_whole`) or streamed
(:meth:`Line.finish_messages_stream`, :meth:`Line.finish_chat_stream`): cache reads and writes
in usage, and for a web search the ``server_tool_use`` and ``web_search_tool_result`` blocks and
the text's citation on ``/messages``, OpenAI ``url_citation`` annotations on
``/chat/completions``. See ``_claude_line.py`` for the rules behind each.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from ._cache_ledger import CacheUse
from ._usage import count_tokens

__all__ = ["Line", "search_results"]


@dataclass
class Line:
    """What the answer to one request must add (see the module docstring)."""

    dialect: str
    adaptive: bool = False
    display: str | None = None
    search_query: str | None = None
    search_results: list[dict[str, Any]] = field(default_factory=list)
    cache: CacheUse | None = None  # the request's breakpoints read and wrote (_cache_ledger)
    server_tool_id: str = ""

    # ------------------------------------------------------------------ the reply

    def adjust_reply(self, reply: Any) -> None:
        """Thinking for adaptive thinking; the web search turn's text. ``reply`` is the
        default assistant's answer (``text``, ``thinking``, ``tool_calls``, token counts)."""
        if self.search_query is not None:
            first = self.search_results[0]
            reply.text = f"According to {first['title']}: {_snippet(first)}"
            reply.tool_calls = []
            reply.stop_reason, reply.stop_sequence = "end_turn", None
            reply.output_tokens = count_tokens(reply.text) + count_tokens(self.search_query)
        if self.adaptive and reply.thinking is None:
            thought = "Adaptive thinking: this needs a short, direct answer."
            reply.thinking = "" if self.display == "omitted" else thought
            tokens = count_tokens(thought)
            reply.output_tokens += tokens
            reply.reasoning_tokens = tokens

    # ------------------------------------------------------------------ usage

    def _messages_usage(self, usage: dict[str, Any]) -> None:
        # Anthropic's naming: input_tokens counts only the prompt neither read nor written.
        if self.cache is None:
            return
        usage["cache_read_input_tokens"] = self.cache.read
        usage["cache_creation_input_tokens"] = self.cache.write
        usage["input_tokens"] = usage.get("input_tokens", 0) - self.cache.read - self.cache.write
        if "cache_creation" in usage:
            usage["cache_creation"] = {
                "ephemeral_5m_input_tokens": self.cache.write_5m,
                "ephemeral_1h_input_tokens": self.cache.write_1h,
            }

    def _chat_usage(self, usage: dict[str, Any]) -> None:
        # OpenAI's naming: prompt_tokens counts every input token; the claude-sonnet-latest
        # page shows prompt_tokens_details {cached_tokens, cache_write_tokens}.
        if self.cache is None:
            return
        usage["prompt_tokens_details"] = {
            "cached_tokens": self.cache.read,
            "cache_write_tokens": self.cache.write,
        }

    # ------------------------------------------------------------------ whole answers

    def finish_whole(self, body: dict[str, Any]) -> dict[str, Any]:
        if self.dialect == "messages":
            self._messages_usage(body["usage"])
            if self.search_query is not None:
                text = next(b for b in body["content"] if b["type"] == "text")
                text["citations"] = [self._citation()]
                at = next(i for i, b in enumerate(body["content"]) if b["type"] == "text")
                body["content"][at:at] = self._server_blocks()
        else:
            self._chat_usage(body["usage"])
            if self.search_query is not None:
                message = body["choices"][0]["message"]
                message["annotations"] = self._annotations(message.get("content") or "")
        return body

    # ------------------------------------------------------------------ streams

    def finish_messages_stream(
        self, events: list[tuple[str, dict[str, Any]]]
    ) -> list[tuple[str, dict[str, Any]]]:
        """Usage with cache reads/writes; for the web search turn, the server tool blocks
        just before the text block (as in the whole answer) and the text's citation."""
        out: list[tuple[str, dict[str, Any]]] = []
        pending = self.search_query is not None
        shift = 0
        for name, data in events:
            if name == "message_start":
                self._messages_usage(data["message"]["usage"])
            start = data.get("content_block") if name == "content_block_start" else None
            if pending and start is not None and start["type"] == "text":
                pending, shift = False, 2
                at = data["index"]
                for i, block in enumerate(self._server_blocks(), start=at):
                    call = block["type"] == "server_tool_use"
                    opening = {**block, "input": {}} if call else block
                    out.append(_event("content_block_start", index=i, content_block=opening))
                    if call:
                        fragment = {"type": "input_json_delta",
                                    "partial_json": json.dumps(block["input"])}  # fmt: skip
                        out.append(_event("content_block_delta", index=i, delta=fragment))
                    out.append(_event("content_block_stop", index=i))
                opening = {**start, "citations": []}
                out.append((name, {**data, "index": at + shift, "content_block": opening}))
                cite = {"type": "citations_delta", "citation": self._citation()}
                out.append(_event("content_block_delta", index=at + shift, delta=cite))
                continue
            if shift and "index" in data:
                data = {**data, "index": data["index"] + shift}
            out.append((name, data))
        return out

    def finish_chat_stream(self, chunks: list[dict[str, Any]]) -> list[dict[str, Any]]:
        text = "".join(
            c["choices"][0].get("delta", {}).get("content") or ""
            for c in chunks
            if c.get("choices")
        )
        annotated = self.search_query is None
        for chunk in chunks:
            if chunk.get("usage"):
                self._chat_usage(chunk["usage"])
            delta = chunk["choices"][0].get("delta") if chunk.get("choices") else None
            if not annotated and delta and delta.get("content"):
                delta["annotations"] = self._annotations(text)
                annotated = True
        return chunks

    # ------------------------------------------------------------------ blocks

    def _server_blocks(self) -> list[dict[str, Any]]:
        return [
            {"type": "server_tool_use", "id": self.server_tool_id, "name": "web_search",
             "input": {"query": self.search_query}},
            {"type": "web_search_tool_result", "tool_use_id": self.server_tool_id,
             "content": self.search_results},
        ]  # fmt: skip

    def _citation(self) -> dict[str, Any]:
        first = self.search_results[0]
        return {
            "type": "web_search_result_location",
            "cited_text": _snippet(first),
            "url": first["url"],
            "title": first["title"],
            "encrypted_index": first["encrypted_content"][:16],
        }

    def _annotations(self, text: str) -> list[dict[str, Any]]:
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
            for r in self.search_results
        ]


def _event(name: str, **data: Any) -> tuple[str, dict[str, Any]]:
    return name, {"type": name, **data}


def _snippet(result: dict[str, Any]) -> str:
    return f"{result['title']} reports mild weather and light wind."


def search_results(query: str) -> list[dict[str, Any]]:
    """Two canned results for ``query``, the same every time."""
    slug = re.sub(r"[^a-z0-9]+", "-", query.lower()).strip("-") or "query"
    digest = hashlib.sha256(query.encode()).hexdigest()
    return [
        {
            "type": "web_search_result",
            "title": f"{query.strip().capitalize()} — result {n}",
            "url": f"https://search.example/{slug}/{n}",
            "encrypted_content": f"{digest}{n}",
            "page_age": f"{n} days ago",
        }
        for n in (1, 2)
    ]
