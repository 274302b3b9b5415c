"""The scripted web search: a request offering ``web_search_*`` whose user asks to search.

When the user's last words ask to search (search / look up / web / latest / news) and the
request offers a ``web_search_*`` server tool, the default answer is a web search turn: a
``server_tool_use``, a ``web_search_tool_result`` with two canned results made from the query,
and a text citing the first result (``web_search_result_location``). ``/chat/completions`` has
no documented server tool blocks in answers; it gets the text with OpenAI ``annotations``
(``url_citation``: "as when using the web search tool", the chat response schemas). A scripted
reply is answered as scripted. The renderers draw :class:`WebSearch` (``_render_*.py``).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import TYPE_CHECKING, Any

from ._answer import Answer, WebSearch, snippet
from ._usage import count_tokens

if TYPE_CHECKING:
    from ._context import ChatCall

__all__ = ["search_results", "web_search_turn"]

_SEARCH_WORDS = re.compile(r"\b(search|look\s+up|web|latest|news)\b", re.I)


def web_search_turn(call: ChatCall, answer: Answer) -> None:
    """The default answer becomes the search turn when the request asks for one."""
    tools = call.body.get("tools") or []
    offered = any(str(t.get("type", "")).startswith("web_search_") for t in tools)
    if call.scripted or not offered or not _SEARCH_WORDS.search(_last_user_text(call.view)):
        return
    query = _query(call.view)
    digest = hashlib.sha256(json.dumps(call.body["messages"]).encode()).hexdigest()
    search = WebSearch(query, search_results(query), f"srvtoolu_01{digest[:22]}")
    answer.web_search = search
    answer.text = f"According to {search.results[0]['title']}: {snippet(search.results[0])}"
    answer.tool_calls = []
    answer.stop_reason, answer.stop_sequence = "end_turn", None
    answer.output_tokens = count_tokens(answer.text) + count_tokens(query)


def _last_user_text(body: dict[str, Any]) -> str:
    last = (body.get("messages") or [{}])[-1]
    if last.get("role") != "user":
        return ""
    content = last.get("content")
    if isinstance(content, str):
        return content
    if any(b.get("type") == "tool_result" for b in content):
        return ""
    return " ".join(b.get("text", "") for b in content if b.get("type") == "text")


def _query(body: dict[str, Any]) -> str:
    text = _last_user_text(body)
    text = re.sub(r"(?i)^.*?\b(search(\s+the\s+web)?|look\s+up)\b(\s+for)?", "", text).strip()
    return text.rstrip("?.! ") or "the question"


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
