"""Grounded answers: a request that carries ``search_result`` blocks is answered from them,
with citations that quote them exactly (docs/wire.md "Citations").

The default assistant's retrieval (``_assistant.py``: the sentence sharing the most stemmed
content words with the question) runs over the search results' text blocks, in the order the
API numbers them (message by message, a tool result's where it stands). The answer is that
sentence, cited:

* ``/messages``: the text block carries a ``search_result_location`` citation — the sentence as
  ``cited_text``, the search result's index, source and title, and the block holding the
  sentence (``start_block_index``; ``end_block_index`` is exclusive) — streamed as a
  ``citations_delta`` before the text [INF: Anthropic's format; the newer schemas list this
  citation type].
* ``/chat/completions``: its response schemas document one citation form, OpenAI's
  ``url_citation`` annotation (``message.annotations``); the search result's ``source`` is its
  ``url`` and ``start_index``/``end_index`` cover the quoted sentence in the answer. Streamed,
  the annotations come with the first text delta, as for the web search.

A scripted reply cites what the test says: ``Reply(citations=[2, 0])`` cites search results 2
and 0 (each its first text block, whole), in that order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ._assistant import best_sentence
from ._envelopes import upstream_error
from ._usage import count_tokens

if TYPE_CHECKING:
    from ._answer import Answer
    from ._context import ChatCall

__all__ = ["grounded_turn", "search_results"]


def grounded_turn(call: ChatCall, answer: Answer) -> None:
    """The answer feature: a scripted reply's ``citations`` resolved against the request's
    search results; an unscripted answer that calls no tool, when the request carries search
    results, becomes the cited sentence (module docstring)."""
    if answer.cited_results:
        try:
            answer.citations = cite(call.body, answer.cited_results)
        except ValueError as exc:
            raise upstream_error(str(exc)) from None
        return
    if call.scripted or answer.tool_calls:
        return
    grounded = grounded_reply(call.body)
    if grounded is not None:
        answer.text, answer.citations = grounded
        answer.stop_reason, answer.stop_sequence = "end_turn", None
        answer.output_tokens = count_tokens(answer.text)


def search_results(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Every ``search_result`` block of the request, in the API's numbering."""
    out: list[dict[str, Any]] = []
    for message in body.get("messages") or []:
        content = message.get("content")
        for block in content if isinstance(content, list) else []:
            if block.get("type") == "search_result":
                out.append(block)
            elif block.get("type") == "tool_result" and isinstance(block.get("content"), list):
                out.extend(b for b in block["content"] if b.get("type") == "search_result")
    return out


def _texts(result: dict[str, Any]) -> list[str]:
    content = result.get("content")
    blocks = content if isinstance(content, list) else [content]
    return [b.get("text", "") for b in blocks if isinstance(b, dict)]


def _citation(
    results: Sequence[dict[str, Any]], index: int, block: int, cited: str
) -> dict[str, Any]:
    result = results[index]
    return {
        "type": "search_result_location",
        "cited_text": cited,
        "search_result_index": index,
        "source": result.get("source", ""),
        "title": result.get("title", ""),
        "start_block_index": block,
        "end_block_index": block + 1,
    }


def question(body: dict[str, Any]) -> str:
    """The user's latest words (a tool result turn has none: the question came before)."""
    for message in reversed(body.get("messages") or []):
        if message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            return content
        words = " ".join(b.get("text", "") for b in content if b.get("type") == "text")
        if words.strip():
            return words
    return ""


def grounded_reply(body: dict[str, Any]) -> tuple[str, list[dict[str, Any]]] | None:
    """The default answer to a request with search results: the sentence that best answers
    the question (the default assistant's retrieval), cited; None without search results."""
    results = search_results(body)
    if not results:
        return None
    blocks = [((i, j), text) for i, r in enumerate(results) for j, text in enumerate(_texts(r))]
    found = best_sentence(question(body), blocks)
    if found is None:
        return "The search results do not answer that.", []
    (index, block), sentence = found
    text = f"According to {results[index].get('title', 'the sources')}: {sentence}"
    return text, [_citation(results, index, block, sentence)]


def cite(body: dict[str, Any], indexes: Sequence[int]) -> list[dict[str, Any]]:
    """Citations of the search results at ``indexes`` (a scripted reply's), each quoting its
    first text block whole. Raises ValueError for an index the request does not have."""
    results = search_results(body)
    for index in indexes:
        if not 0 <= index < len(results):
            raise ValueError(
                f"Reply.citations names search result {index}, but the request has {len(results)}"
            )
    return [_citation(results, i, 0, (_texts(results[i]) or [""])[0]) for i in indexes]
