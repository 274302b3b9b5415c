"""The default assistant: what the emulator answers when a test scripts nothing.

Small and deterministic on purpose (the same request always gets the same `Reply`). Tests that
need exact words script them with `Emulator(replies=...)`; this assistant only has to keep
frameworks' loops moving with plausible, checkable answers. In order:

1. **Tool results** in the last user turn (and no forced `tool_choice`): a text quoting them,
   "Here is what I found: get_weather returned “18C”." (JSON filled from them when the system
   prompt asks for JSON and gives a schema).
2. **ReAct** (the system prompt has LlamaIndex's "Thought: / Action: / Action Input:" format): an
   `Action` for the tool the user names, with JSON arguments from its "Tool Args" schema; after
   an "Observation:", a final "Answer:" quoting it.
3. **Tool calls**, when tools are offered and the user spoke last: one call per mention of a
   tool's name in the user's text (the same tool twice included), each taking its arguments from
   the words after its mention; else, when the system prompt asks for an answer by tool call or
   `tool_choice` forces one, the named tool or the first one not called yet.
4. **Structured output**: a prompt that asks for JSON and carries a JSON schema gets a JSON
   value of that schema, filled from the user's words (`{"answer": ...}` when a system prompt
   asks for JSON without a schema).
5. **Retrieval**: a context and a question (LlamaIndex's "Context information ... Query:", or a
   chat engine's context in the system prompt) get the context sentence sharing the most
   stemmed content words with the question, a capitalised name counting 0.6 of a common word
   (names find the topic, shared by every sentence about it; common words find the answer).
   The last "Query:" is the question (a template may show an example first); a sentence from
   a chunk numbered "Source N:" (``CitationQueryEngine``) is followed by "[N]". Search
   results are answered by ``_grounded.py`` with the same retrieval, cited.
6. Otherwise a fixed sentence naming the prompt; images and documents are acknowledged first.

With thinking enabled, a short thinking text comes first ("The user wrote: “…”. I should …").
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from typing import Any, TypeVar

from ._reply import Reply, ToolCall
from ._schema_args import TextCues, build_value

_QUERY_RE = re.compile(r"^\s*(?:query|question)\s*:\s*(.+)$", re.I | re.M)
_FOLLOW_UP_RE = re.compile(r"Follow Up Input:\s*(.+?)\s*\n\s*Standalone question:", re.I | re.S)
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+|\n+")
_SOURCE_RE = re.compile(r"^Source (\d+):", re.M)
K = TypeVar("K")
_WORD_RE = re.compile(r"[A-Za-z0-9]+")
_STOPWORDS = frozenset(
    [
        "what",
        "when",
        "where",
        "which",
        "while",
        "with",
        "that",
        "this",
        "there",
        "their",
        "them",
        "they",
        "have",
        "from",
        "into",
        "about",
        "who",
        "were",
        "will",
        "would",
        "could",
        "should",
        "does",
        "your",
        "the",
        "and",
        "for",
        "are",
        "was",
        "how",
        "why",
        "can",
        "did",
        "its",
        "answer",
        "query",
        "information",
        "context",
        "given",
        "prior",
        "knowledge",
        "below",
        "above",
    ]
)
_PLURALS = (("ies", "y"), ("es", ""), ("s", ""))
_ENDINGS = (("ing", ""), ("ed", ""), ("er", ""))
_ASKS_FOR_TOOL_RE = re.compile(r"\bcall(?:ing)?\b[^.\n]*\btools?\b", re.I)
_REACT_TOOL_RE = re.compile(r"^> Tool Name: (\S+)\s*$", re.M)
_REACT_ARGS_RE = re.compile(r"^Tool Args: (.+)$", re.M)


def respond(body: dict[str, Any]) -> Reply:
    """The default answer to a validated request body (either dialect)."""
    messages: list[dict[str, Any]] = body["messages"]
    system = _text_of(body.get("system") or "")
    last_user = next((m for m in reversed(messages) if m["role"] == "user"), messages[-1])
    blocks = _blocks(last_user["content"])
    user_text = "\n".join(b["text"] for b in blocks if b["type"] == "text")
    results = [b for b in blocks if b["type"] == "tool_result"]
    choice = body.get("tool_choice", {}).get("type", "auto")
    user_last = last_user is messages[-1]

    reply = Reply()
    if results and user_last and choice not in ("any", "tool"):
        reply.text, plan = _answer_results(results, messages, system, user_text), "summarise"
    elif "Action Input:" in system and "Thought:" in system:
        reply.text, plan = _react(system, user_text), "follow the ReAct format"
    elif calls := _tool_calls(body, system, user_text, results, user_last):
        reply.tool_calls = [*calls]
        names = ", ".join(c.name for c in calls)
        plan = f"call {names}"
        if choice == "auto":  # Claude says what it is about to do, unless the call is forced
            reply.text = f"I'll use {names} to help with that."
    else:
        reply.text, plan = _answer(user_text, system, blocks), "answer directly"
    if body.get("thinking", {}).get("type") == "enabled":
        reply.thinking = f"The user wrote: “{_snippet(user_text or 'the tool results', 20)}”. "
        reply.thinking += f"I should {plan}."
    return reply


# -- helpers over the request ------------------------------------------------------------------


def _blocks(content: Any) -> list[dict[str, Any]]:
    return [{"type": "text", "text": content}] if isinstance(content, str) else list(content)


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "\n".join(b["text"] if b["type"] == "text" else f"[{b['type']}]" for b in content)


def _snippet(text: str, words: int) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


# -- 1. tool results ---------------------------------------------------------------------------


def _answer_results(
    results: list[dict[str, Any]], messages: list[dict[str, Any]], system: str, user_text: str
) -> str:
    names = {
        b["id"]: b["name"]
        for m in messages
        for b in _blocks(m["content"])
        if b["type"] == "tool_use"
    }
    said = [_text_of(r.get("content", "")) for r in results]
    schema = _find_schema(system) if "json" in system.lower() else None
    if schema is not None:  # asked for JSON: fill the schema from what the tools said
        return json.dumps(build_value(schema, TextCues("\n".join([*said, user_text]))))
    parts = [
        f"{names.get(r['tool_use_id'], 'the tool')} "
        f"{'failed with' if r.get('is_error') else 'returned'} “{text}”"
        for r, text in zip(results, said, strict=True)
    ]
    return "Here is what I found: " + "; ".join(parts) + "."


# -- 2. ReAct (LlamaIndex's ReActAgent: agent/react/templates/system_header_template.md) -------


def _react(system: str, user_text: str) -> str:
    if user_text.lstrip().startswith("Observation:"):
        observation = user_text.split("Observation:", 1)[1].strip()
        return (
            "Thought: I can answer without using any more tools. I'll use the user's language "
            f"to answer\nAnswer: {observation}"
        )
    names = _REACT_TOOL_RE.findall(system)
    schemas = [_find_schema(s) or {} for s in _REACT_ARGS_RE.findall(system)]
    for name, schema in zip(names, schemas, strict=False):
        if _mentions(user_text, name):
            args = build_value(schema, TextCues(user_text), name)
            return (
                "Thought: The current language of the user is: English. I need to use a tool "
                f"to help me answer the question.\nAction: {name}\nAction Input: {json.dumps(args)}"
            )
    return (
        "Thought: I can answer without using any more tools. I'll use the user's language to "
        f"answer\nAnswer: {_answer(user_text, '', [])}"
    )


# -- 3. tool calls -----------------------------------------------------------------------------


def _tool_calls(
    body: dict[str, Any],
    system: str,
    user_text: str,
    results: list[dict[str, Any]],
    user_last: bool,
) -> list[ToolCall]:
    tools: list[dict[str, Any]] = body.get("tools", [])
    choice = body.get("tool_choice", {"type": "auto"})
    if not tools or not user_last or choice["type"] == "none":
        return []
    by_name = {t["name"]: t for t in tools}
    # After tool results, the values a forced call needs come from them (as a model takes them).
    said = "\n".join(_text_of(r.get("content", "")) for r in results)
    context = f"{said}\n{user_text}" if said else user_text
    if choice["type"] == "tool":
        calls = [(by_name[choice["name"]], context)]
    else:
        # Mentions in this turn's own words only (never in tool results: an agent would loop).
        calls = [] if results else _mentioned(tools, user_text)
        asked = _ASKS_FOR_TOOL_RE.search(system)
        if not calls and asked:
            calls = [(t, context) for t in tools if _mentions(system, t["name"])][:1]
        if not calls and (asked or choice["type"] == "any"):
            called = {
                b.get("name")
                for m in body["messages"]
                if m["role"] == "assistant"
                for b in _blocks(m["content"])
                if b.get("type") == "tool_use"
            }
            calls = [(next((t for t in tools if t["name"] not in called), tools[0]), context)]
        if choice.get("disable_parallel_tool_use"):
            calls = calls[:1]
    return [
        ToolCall(tool["name"], build_value(tool["input_schema"], TextCues(words), tool["name"]))
        for tool, words in calls
    ]


def _name_pattern(name: str, exact: bool) -> re.Pattern[str]:
    spaced = name.lower().replace("_", " ").replace("-", " ")
    # "get_weather" is also meant by "the weather": a leading get/fetch verb is optional.
    bare = re.sub(r"^(get|fetch|lookup|look up) ", "", spaced)
    names = [name.lower()] if exact else sorted({spaced, bare}, key=len, reverse=True)
    return re.compile("|".join(rf"(?<!\w){re.escape(n)}(?!\w)" for n in names))


def _mentions(text: str, name: str) -> bool:
    lowered = text.lower()
    return any(_name_pattern(name, exact).search(lowered) for exact in (True, False))


def _mentioned(tools: list[dict[str, Any]], text: str) -> list[tuple[dict[str, Any], str]]:
    """(tool, the words its arguments come from) per mention, in the order of the text.

    Every use of a tool's exact name is one call ("get_weather for Paris and get_weather for
    Rome" → two calls); a tool named only loosely ("the weather") is called once. A call's words
    are the text from its mention to the next one, then the rest of the text for what they lack.
    """
    lowered = text.lower()
    found: list[tuple[int, dict[str, Any]]] = []
    for tool in tools:
        exact = [m.start() for m in _name_pattern(tool["name"], True).finditer(lowered)]
        loose = _name_pattern(tool["name"], False).search(lowered)
        found += [(i, tool) for i in exact] or ([(loose.start(), tool)] if loose else [])
    found.sort(key=lambda item: item[0])
    ends = [i for i, _ in found[1:]] + [len(text)] if found else []
    spans = zip(found, ends, strict=True)
    return [(tool, f"{text[i:end]}\n{text[:i]}\n{text[end:]}") for (i, tool), end in spans]


# -- 4.-6. text answers ------------------------------------------------------------------------


def _answer(user_text: str, system: str, blocks: list[dict[str, Any]]) -> str:
    found = [b for b in blocks if b["type"] in ("image", "document")]
    notes = " ".join(_acknowledge(kind, found) for kind in ("image", "document"))
    answer = _answer_text(user_text, system)
    return f"{notes.strip()} {answer}".strip()


def _answer_text(user_text: str, system: str) -> str:
    if "json" in f"{system}\n{user_text}".lower():
        schema = _find_schema(system) or _find_schema(user_text)
        if schema is not None:
            return json.dumps(build_value(schema, TextCues(user_text)))
    if follow_up := _FOLLOW_UP_RE.search(user_text):  # a chat engine's "condense" step
        return follow_up.group(1)
    grounded = _answer_from_context(user_text, system)
    topic = _snippet(user_text.strip().splitlines()[0] if user_text.strip() else "", 12)
    answer = grounded or (
        f"This is the AI/ML API emulator's default answer to “{topic}”. Script exact answers "
        "with Emulator(replies=...)."
    )
    # A system prompt asking for JSON without a schema (a "json_object" response format).
    return json.dumps({"answer": answer}) if "json" in system.lower() else answer


def _answer_from_context(user_text: str, system: str) -> str | None:
    # The last "Query:": a template may show an example first (CitationQueryEngine's does).
    queries = list(_QUERY_RE.finditer(user_text))
    if queries:
        before = queries[-2].end() if len(queries) > 1 else 0
        question, context = queries[-1].group(1), user_text[before : queries[-1].start()]
        context += "\n" + system
    elif system and user_text.strip():
        question, context = user_text, system
    else:
        return None
    found = best_sentence(question, [(0, context)])
    if found is None:
        return None
    sentence = found[1]
    # CitationQueryEngine numbers its chunks "Source N:" and asks for [N] after each claim.
    numbers = _SOURCE_RE.findall(context[: context.find(sentence)])
    return f"According to the context: {sentence}" + (f" [{numbers[-1]}]" if numbers else "")


def best_sentence(question: str, texts: Iterable[tuple[K, str]]) -> tuple[K, str] | None:
    """The sentence of ``texts`` sharing the most stemmed content words with ``question`` (at
    least two; a capitalised name counting 0.6), with its text's key; None if none does."""
    common, names = _content_words(question)
    best, best_score = None, 0.0
    for key, text in texts:
        for sentence in _SENTENCE_RE.split(text):
            sentence = sentence.strip()
            if len(sentence.split()) < 5 or sentence.startswith("#"):  # no headings or fragments
                continue
            words = set().union(*_content_words(sentence))
            shared_common, shared_names = len(common & words), len(names & words)
            # A name counts 0.6: "Harbor Point Lighthouse" finds the topic, "last keeper" the
            # answer.
            score = shared_common + 0.6 * shared_names
            if shared_common + shared_names >= 2 and score > best_score:
                best, best_score = (key, sentence), score
    return best


def _content_words(text: str) -> tuple[set[str], set[str]]:
    """Stemmed content words of `text`: (common words, capitalised names not starting it)."""
    common: set[str] = set()
    names: set[str] = set()
    for i, match in enumerate(_WORD_RE.finditer(text)):
        word = match.group(0)
        if word.lower() in _STOPWORDS or (len(word) < 3 and not word.isdigit()):
            continue
        stem = _stem(word.lower())
        (names if i > 0 and word[0].isupper() else common).add(stem)
    return common - names, names


def _stem(word: str) -> str:
    """A light suffix stripper: keepers/keeper → keep, leaves/leave → leav, miles → mil."""
    for suffixes in (_PLURALS, _ENDINGS):
        for suffix, replacement in suffixes:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[: len(word) - len(suffix)] + replacement
                break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def _find_schema(text: str) -> dict[str, Any] | None:
    decoder = json.JSONDecoder()
    for match in re.finditer(r"\{", text):
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        if isinstance(value, dict) and ("properties" in value or value.get("type") == "object"):
            return value
    if "{{" in text:
        # LlamaIndex's LLMTextCompletionProgram sends its schema with template braces still
        # doubled ({{"properties": ...}}); a model reads through that, and so does this.
        return _find_schema(text.replace("{{", "{").replace("}}", "}"))
    return None


def _acknowledge(kind: str, blocks: list[dict[str, Any]]) -> str:
    found = [b for b in blocks if b["type"] == kind]
    if not found:
        return ""
    details = "; ".join(_describe(b["source"]) for b in found)
    return f"I received {len(found)} {kind}{'s' if len(found) > 1 else ''} ({details})."


def _describe(source: dict[str, Any]) -> str:
    if source["type"] == "url":
        return f"a PDF at {source['url']}"
    if source["type"] == "text":
        return f"text/plain, {len(source['data'].encode())} bytes"
    return f"{source['media_type']}, {len(base64.b64decode(source['data']))} bytes"
