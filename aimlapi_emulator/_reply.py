"""Replies: what a test scripts (`Reply`), and the script a server holds (`ReplyScript`).

A `Reply` says what the model answers; the emulator turns it into an `Answer` for the request at
hand (tool-call ids, token counts, `max_tokens` and stop sequences applied) and renders that in
the request's dialect, whole or streamed, exactly as it renders the default assistant's answers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._records import RecordedRequest

_STOP_REASONS = ("end_turn", "tool_use", "max_tokens", "stop_sequence", "refusal", "pause_turn")
_USAGE_KEYS = frozenset({"input_tokens", "output_tokens"})


@dataclass
class ToolCall:
    """One tool call of an answer. `id` is derived from the conversation when not given."""

    name: str
    input: dict[str, Any] = field(default_factory=dict)
    id: str | None = None


@dataclass
class Reply:
    """What the emulated model answers to one request.

    Example:
        >>> Reply(text="Paris.")  # doctest: +SKIP
        >>> Reply(tool_calls=[{"name": "get_weather", "input": {"city": "Oslo"}}])  # doctest: +SKIP
        >>> with Emulator(replies=[Reply(text="exactly this")]) as emu:  # doctest: +SKIP
        ...     ...

    Args:
        text: the answer's text ("" for none).
        tool_calls: `ToolCall`s or dicts `{"name": ..., "input": {...}, "id": optional}`.
        thinking: a thinking text shown before the answer (signed on /messages), or None.
        stop_reason: Anthropic's stop reason ("end_turn", "tool_use", "max_tokens",
            "stop_sequence", ...). None: "tool_use" when there are tool calls, else "end_turn",
            and the request's `max_tokens` and stop sequences cut the answer as they would a
            real one. Given explicitly, the answer is sent as scripted.
        usage: `{"input_tokens": N, "output_tokens": M}` to report instead of the emulator's
            estimate (either key alone is fine).
        citations: indexes of the request's search results the text cites, in order (each
            quoting its first text block; `_grounded.py`). A request without that many search
            results is answered 400.
    """

    text: str = ""
    tool_calls: list[ToolCall | dict[str, Any]] = field(default_factory=list)
    thinking: str | None = None
    stop_reason: str | None = None
    usage: dict[str, int] | None = None
    citations: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not isinstance(self.text, str):
            raise TypeError(f"Reply.text must be a string, got {type(self.text).__name__}")
        self.tool_calls = [_tool_call(c) for c in self.tool_calls]
        if self.stop_reason is not None and self.stop_reason not in _STOP_REASONS:
            raise ValueError(
                f"Reply.stop_reason must be one of {_STOP_REASONS} or None, "
                f"got {self.stop_reason!r}"
            )
        if not all(isinstance(i, int) and not isinstance(i, bool) for i in self.citations):
            raise ValueError(
                f"Reply.citations takes search result indexes (ints), got {self.citations!r}"
            )
        if self.usage is not None:
            unknown = set(self.usage) - _USAGE_KEYS
            if unknown or not all(isinstance(v, int) and v >= 0 for v in self.usage.values()):
                raise ValueError(
                    "Reply.usage takes non-negative integers under 'input_tokens' and "
                    f"'output_tokens', got {self.usage!r}"
                )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Reply:
        """Build a reply from a JSON object (the CLI's `--reply` form)."""
        known = {"text", "tool_calls", "thinking", "stop_reason", "usage", "citations"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown Reply field(s) {unknown}; valid fields: {sorted(known)}")
        return cls(**data)


def _tool_call(call: Any) -> ToolCall:
    if isinstance(call, ToolCall):
        return call
    if isinstance(call, Mapping):
        unknown = set(call) - {"name", "input", "id"}
        if unknown or not isinstance(call.get("name"), str):
            raise ValueError(
                "a scripted tool call is a ToolCall or {'name': str, 'input': dict, 'id': "
                f"optional str}}, got {dict(call)!r}"
            )
        return ToolCall(call["name"], dict(call.get("input", {})), call.get("id"))
    raise TypeError(f"a scripted tool call must be a ToolCall or a dict, got {call!r}")


# A test's script: Reply objects (or plain strings) in order, or a function of the request that
# returns a Reply, a string, or None for the default assistant.
ReplyFunction = Callable[[RecordedRequest], Reply | str | None]
Replies = Iterable[Reply | str] | ReplyFunction


def as_reply(value: Any) -> Reply | None:
    if value is None or isinstance(value, Reply):
        return value
    if isinstance(value, str):
        return Reply(text=value)
    raise TypeError(f"a reply must be a Reply, a string or None, got {type(value).__name__}")


class ReplyScript:
    """Thread-safe: scripted replies consumed in order, or a function of the request.

    A request that finds no script (none given, or every reply consumed, or the function
    returned None) gets the default assistant's answer.
    """

    def __init__(self, replies: Replies | None = None) -> None:
        self._lock = threading.Lock()
        self._function: ReplyFunction | None = None
        self._queue: list[Reply] = []
        self.set(replies)

    def set(self, replies: Replies | None) -> None:
        if replies is not None and not callable(replies) and isinstance(replies, (str, Reply)):
            raise TypeError("replies= takes a list of Reply (or str), or a function of the request")
        queue = [] if replies is None or callable(replies) else [as_reply(r) for r in replies]
        with self._lock:
            self._function = replies if callable(replies) else None
            self._queue = [r for r in queue if r is not None]

    def add(self, reply: Reply | str) -> None:
        value = as_reply(reply)
        if value is None:
            raise TypeError("add_reply() takes a Reply or a string")
        with self._lock:
            if self._function is not None:
                raise RuntimeError("this emulator answers with a function; cannot add replies")
            self._queue.append(value)

    def pending(self) -> list[Reply]:
        with self._lock:
            return list(self._queue)

    def next(self, request: RecordedRequest) -> Reply | None:
        """The next scripted reply for ``request``, or None for the default assistant.

        Raises:
            ReplyFunctionError: the replies function raised (anything, ``BaseException``s such
                as ``SystemExit`` or pytest's ``Failed`` included) or returned what is not a
                reply; the message names the function.
        """
        with self._lock:
            function = self._function
            if function is None:
                return self._queue.pop(0) if self._queue else None
        try:
            value = function(request)  # outside the lock: it may take its time
        except BaseException as exc:  # the test's function: its failure is this answer
            raise ReplyFunctionError(
                f"the replies function raised {type(exc).__name__}: {exc} "
                f"(replies={_name(function)})"
            ) from exc
        try:
            return as_reply(value)
        except TypeError as exc:
            raise ReplyFunctionError(f"the replies function {_name(function)}: {exc}") from exc


class ReplyFunctionError(Exception):
    """The test's replies function failed; ``str()`` says how and names the function."""


def _name(function: Callable[..., Any]) -> str:
    name = getattr(function, "__qualname__", None) or type(function).__qualname__
    return f"{getattr(function, '__module__', None) or '?'}.{name}"
