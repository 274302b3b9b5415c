"""The deterministic scripted assistant (DESIGN.md "The emulator's scripted assistant").

It reads a validated request body (either dialect: both share the Claude request shape) and
produces a `Reply` that the renderers turn into whole bodies or streams. The same request always
gets the same reply (ids apart), so tests can assert on it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ._schema_args import TextCues, build_value
from ._usage import count_tokens, truncate_tokens

_COUNT_RE = re.compile(r"\bcount\s+(?:from\s+(-?\d+)\s+)?(?:up\s+)?to\s+(-?\d+)", re.I)
_SAY_RE = re.compile(r"\b(?:say|repeat|reply with|respond with)\s*:?\s*[\"“]([^\"”]+)[\"”]", re.I)
_MATH_RE = re.compile(r"(-?\d+(?:\.\d+)?)\s*([-+*/×x])\s*(-?\d+(?:\.\d+)?)")
_QUERY_RE = re.compile(r"^\s*(?:query|question)\s*:\s*(.+)$", re.I | re.M)
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+|\n+")
_MIN_ANSWER_WORDS = 5
_STOPWORDS = frozenset(
    re.findall(
        r"\w+",
        "what when where which while with that this there their them they have from into about "
        "were will would could should does your information context given answer query prior "
        "knowledge below above",
    )
)
_GREETING_RE = re.compile(r"^\s*(hi|hello|hey|good (morning|afternoon|evening))\b[\s!.,?]*", re.I)
_MAX_COUNT = 1000


@dataclass
class ToolCall:
    id: str
    name: str
    input: dict[str, Any]


@dataclass
class Reply:
    thinking: str | None = None
    text: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    stop_reason: str = "end_turn"  # end_turn | tool_use | max_tokens | stop_sequence
    stop_sequence: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0


def respond(body: dict[str, Any]) -> Reply:
    """The scripted answer to a validated request body."""
    messages: list[dict[str, Any]] = body["messages"]
    system = _system_text(body.get("system"))
    last_user = next((m for m in reversed(messages) if m["role"] == "user"), messages[-1])
    blocks = _blocks(last_user["content"])
    user_text = "\n".join(b["text"] for b in blocks if b["type"] == "text")
    results = [b for b in blocks if b["type"] == "tool_result"]

    reply = Reply()
    forced = body.get("tool_choice", {}).get("type") in ("any", "tool")
    # Values for arguments (or a JSON answer) right after tool results come from the results
    # and the user's last words, as a model would take them.
    cue_text = _cue_text(user_text, results, messages)
    if results and last_user is messages[-1] and not forced:
        reply.text = _answer_tool_results(results, messages, system, cue_text)
        plan = "summarise the results"
    else:
        reply.tool_calls = _choose_tool_calls(body, user_text, cue_text, last_user is messages[-1])
        if reply.tool_calls:
            names = ", ".join(c.name for c in reply.tool_calls)
            plan = f"call {names} with " + "; ".join(json.dumps(c.input) for c in reply.tool_calls)
            if body.get("tool_choice", {}).get("type", "auto") == "auto":
                # Claude usually says what it is about to do before a tool_use block; with a
                # forced tool_choice it does not (Anthropic tool-use docs).
                reply.text = f"I'll use {names} to help with that."
        else:
            reply.text, plan = _answer_text(user_text, system, blocks), "answer directly"
    if _thinking_enabled(body):
        snippet = _snippet(user_text or "the tool results", 20)
        reply.thinking = f"The user wrote: “{snippet}”. I should {plan}."
    _apply_limits(reply, body)
    reply.input_tokens = _input_tokens(body, system)
    return reply


def _cue_text(user_text: str, results: list[dict[str, Any]], messages: list[dict[str, Any]]) -> str:
    if not results:
        return user_text
    said = next(
        (
            text
            for m in reversed(messages)
            if m["role"] == "user"
            for text in ["\n".join(b["text"] for b in _blocks(m["content"]) if b["type"] == "text")]
            if text
        ),
        "",
    )
    return "\n".join([*(_result_text(r.get("content", "")) for r in results), said])


def _thinking_enabled(body: dict[str, Any]) -> bool:
    return bool(body.get("thinking", {}).get("type") == "enabled")


def _system_text(system: Any) -> str:
    if isinstance(system, list):
        return "\n".join(b.get("text", "") for b in system)
    return system or ""


def _blocks(content: Any) -> list[dict[str, Any]]:
    return [{"type": "text", "text": content}] if isinstance(content, str) else list(content)


def _snippet(text: str, words: int) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def _choose_tool_calls(
    body: dict[str, Any], user_text: str, cue_text: str, user_last: bool
) -> list[ToolCall]:
    """Which tools to call: named in the user's own words of this turn (never in tool results,
    or an agent would loop), else the forced one; arguments come from ``cue_text``."""
    tools: list[dict[str, Any]] = body.get("tools", [])
    choice = body.get("tool_choice", {"type": "auto"})
    if not tools or not user_last or choice["type"] == "none":
        return []
    by_name = {t["name"]: t for t in tools}
    if choice["type"] == "tool":
        chosen = [by_name[choice["name"]]]
    else:
        lowered = user_text.lower()
        chosen = [t for t in tools if _mentions(lowered, t["name"])]
        if not chosen and choice["type"] == "any":
            # Forced to call some tool (also right after tool results, as the real API is):
            # the first tool not called yet in this conversation, else the first tool.
            called = {
                b.get("name")
                for m in body["messages"]
                if m["role"] == "assistant"
                for b in _blocks(m["content"])
                if b.get("type") == "tool_use"
            }
            chosen = [next((t for t in tools if t["name"] not in called), tools[0])]
        if choice.get("disable_parallel_tool_use"):
            chosen = chosen[:1]
    seed = json.dumps(body["messages"], sort_keys=True)
    return [
        ToolCall(
            id=_tool_id(seed, i),
            name=t["name"],
            # Fresh cues per call: parallel calls about one thing ("weather and time for
            # 'Lisbon'") each take the same values from the text.
            input=build_value(t["input_schema"], TextCues(cue_text), t["name"]),
        )
        for i, t in enumerate(chosen)
    ]


def _mentions(lowered: str, name: str) -> bool:
    name = name.lower()
    spaced = name.replace("_", " ").replace("-", " ")
    # "get_weather" is meant by "what is the weather": a leading get/fetch verb is optional.
    bare = re.sub(r"^(get|fetch|lookup|look up) ", "", spaced)
    names = {name, spaced, bare}
    return any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", lowered) for n in names)


def _tool_id(seed: str, index: int) -> str:
    digest = hashlib.sha256(f"{seed}\x00{index}".encode()).hexdigest()
    return f"toolu_01{digest[:22]}"


def _answer_tool_results(
    results: list[dict[str, Any]], messages: list[dict[str, Any]], system: str, cue_text: str
) -> str:
    names: dict[str, str] = {}
    for message in messages:
        for block in _blocks(message["content"]):
            if block["type"] == "tool_use":
                names[block["id"]] = block["name"]
    parts = []
    for result in results:
        name = names.get(result["tool_use_id"], "the tool")
        content = _result_text(result.get("content", ""))
        verb = "failed with" if result.get("is_error") else "returned"
        parts.append(f"{name} {verb} “{content}”")
    found = "; ".join(parts)
    schema = _find_schema(system) if "json" in system.lower() else None
    if schema is not None:  # asked to answer in JSON: fill the schema from what the tools said
        return json.dumps(build_value(schema, TextCues(cue_text)))
    return "Here is what I found: " + found + "."


def _result_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return " ".join(p["text"] if p["type"] == "text" else f"[{p['type']}]" for p in content)


def _answer_text(user_text: str, system: str, blocks: list[dict[str, Any]]) -> str:
    ack = _acknowledge_attachments(blocks)
    answer = _answer_prompt(user_text, system)
    return f"{ack} {answer}".strip() if ack else answer


def _answer_prompt(user_text: str, system: str) -> str:
    if "json" in f"{system}\n{user_text}".lower():
        schema = _find_schema(system) or _find_schema(user_text)
        value = (
            build_value(schema, TextCues(user_text))
            if schema is not None
            else {"answer": _snippet(user_text, 12)}
        )
        return json.dumps(value)
    if m := _SAY_RE.search(user_text):
        return m.group(1)
    if m := _COUNT_RE.search(user_text):
        start, end = int(m.group(1) or 1), int(m.group(2))
        step = 1 if end >= start else -1
        if abs(end - start) < _MAX_COUNT:
            return ", ".join(str(n) for n in range(start, end + step, step))
    if m := _MATH_RE.search(user_text):
        return _arithmetic(m.group(1), m.group(2), m.group(3))
    if _GREETING_RE.match(user_text) and len(user_text.split()) <= 4:
        return "Hello! How can I help you today?"
    if not user_text.strip():
        return "I'm ready when you are: what would you like to know?"
    if grounded := _answer_from_context(user_text, system):
        return grounded
    topic = _snippet(user_text.strip().splitlines()[0], 12)
    return (
        f"Here is a short answer to “{topic}”: this is the AI/ML API emulator's scripted "
        "assistant, which replies deterministically so that tests and demos can rely on it."
    )


def _answer_from_context(user_text: str, system: str) -> str | None:
    """Retrieval-augmented prompts (a query engine's "Context information is below … Query: …",
    or a chat engine's context in the system prompt): answer with the context sentence that
    shares the most words with the question, so RAG pipelines get a grounded, checkable answer."""
    query = _QUERY_RE.search(user_text)
    if query:
        question, context = query.group(1), user_text[: query.start()] + "\n" + system
    else:
        lines = [ln for ln in user_text.splitlines() if "?" in ln]
        if not lines or not system:
            return None
        question, context = lines[-1], system
    wanted = _content_words(question)
    sentences = [
        (s.strip(), _content_words(s))
        for s in _SENTENCE_RE.split(context)
        if len(s.split()) >= _MIN_ANSWER_WORDS and not s.lstrip().startswith("#")  # no headings
    ]
    spread = Counter(w for _, words in sentences for w in words & wanted)
    best, best_score = None, 0.0
    for sentence, words in sentences:
        shared = words & wanted
        # Words found in many sentences ("Harbor Point") tell less than rare ones ("keeper").
        score = sum(1 / spread[w] ** 2 for w in shared)
        if len(shared) >= 2 and score > best_score:
            best, best_score = sentence, score
    return f"According to the context: {best}" if best else None


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 3} - _STOPWORDS


def _arithmetic(left: str, op: str, right: str) -> str:
    a, b = float(left), float(right)
    if op in "x×*":
        value = a * b
    elif op == "/":
        if b == 0:
            return f"{left} / {right} is undefined: division by zero."
        value = a / b
    else:
        value = a + b if op == "+" else a - b
    shown = int(value) if value == int(value) else round(value, 6)
    return f"{left} {op} {right} = {shown}"


def _find_schema(text: str) -> dict[str, Any] | None:
    decoder = json.JSONDecoder()
    for match in re.finditer(r"\{", text):
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        if isinstance(value, dict) and ("properties" in value or value.get("type") == "object"):
            return value
    return None


def _acknowledge_attachments(blocks: list[dict[str, Any]]) -> str:
    sentences = []
    for kind in ("image", "document"):
        found = [b for b in blocks if b["type"] == kind]
        if not found:
            continue
        details = "; ".join(_describe_source(b["source"]) for b in found)
        plural = "s" if len(found) > 1 else ""
        sentences.append(f"I received {len(found)} {kind}{plural} ({details}).")
    return " ".join(sentences)


def _describe_source(source: dict[str, Any]) -> str:
    if source["type"] == "text":
        return f"text/plain, {len(source['data'].encode())} bytes"
    size = len(base64.b64decode(source["data"]))
    return f"{source['media_type']}, {size} bytes"


def _apply_limits(reply: Reply, body: dict[str, Any]) -> None:
    """Stop sequences, then max_tokens, exactly as a generation would hit them."""
    best: tuple[int, str] | None = None
    for seq in body.get("stop_sequences", []):
        index = reply.text.find(seq)
        if index >= 0 and (best is None or index < best[0]):
            best = (index, seq)
    if best is not None:
        reply.text, reply.tool_calls = reply.text[: best[0]], []
        reply.stop_reason, reply.stop_sequence = "stop_sequence", best[1]
    elif reply.tool_calls:
        reply.stop_reason = "tool_use"
    limit = int(body.get("max_tokens", 32000))
    thinking_tokens = count_tokens(reply.thinking or "")
    if thinking_tokens > limit:
        reply.thinking = truncate_tokens(reply.thinking or "", limit)
        thinking_tokens = limit
    text_tokens = count_tokens(reply.text)
    if thinking_tokens + text_tokens > limit:
        reply.text = truncate_tokens(reply.text, limit - thinking_tokens)
        text_tokens = count_tokens(reply.text)
        reply.tool_calls, reply.stop_reason, reply.stop_sequence = [], "max_tokens", None
    used = thinking_tokens + text_tokens
    kept = []
    for call in reply.tool_calls:
        cost = count_tokens(call.name) + count_tokens(json.dumps(call.input))
        if used + cost > limit:
            reply.stop_reason = "max_tokens"
            break
        kept.append(call)
        used += cost
    reply.tool_calls = kept
    reply.output_tokens = max(used, 1)
    reply.reasoning_tokens = thinking_tokens


def _input_tokens(body: dict[str, Any], system: str) -> int:
    total = count_tokens(system)
    for tool in body.get("tools", []):
        total += count_tokens(json.dumps(tool))
    for message in body["messages"]:
        total += 3  # role and turn markers
        for block in _blocks(message["content"]):
            total += _block_tokens(block)
    return total


def _block_tokens(block: dict[str, Any]) -> int:
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
        return sum(_block_tokens(p) for p in content)
    if kind in ("image", "document"):
        data = block["source"]["data"]
        # Roughly what Anthropic charges: an image costs by its size, a text by its words.
        if block["source"]["type"] == "text":
            return count_tokens(data)
        return 85 + len(data) // 1000
    return count_tokens(block.get("data", ""))
