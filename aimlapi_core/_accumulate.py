"""Folding neutral stream events into the :class:`ChatResult` a whole response would give.

One accumulator serves sync and async streams and both adapters, so that
``accumulate(stream(x)) == create(x)``. Parts are keyed by the events' ``index`` (the part's
position in the result); tool-call arguments arrive as JSON text fragments and are parsed once,
at :meth:`StreamAccumulator.result`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, NamedTuple

from ._json import parse_arguments
from ._types import (
    ChatResult,
    CitationDelta,
    Cost,
    CostDelta,
    Finish,
    MessageStart,
    Part,
    PartDelta,
    RawPart,
    RedactedThinkingDelta,
    RedactedThinkingPart,
    ServerToolCallDelta,
    ServerToolCallPart,
    ServerToolResultPart,
    SignatureDelta,
    StreamEvent,
    TextDelta,
    TextPart,
    ThinkingDelta,
    ThinkingPart,
    ToolCallDelta,
    ToolCallPart,
    Usage,
    UsageDelta,
)
from .errors import ResponseValidationError, StreamError

__all__ = ["PartialPart", "StreamAccumulator", "accumulate"]

_USAGE_FIELDS = (
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_creation_tokens",
    "reasoning_tokens",
)


class _Builder:
    """One part under construction: ``kind`` is fixed by the first event for its index."""

    __slots__ = ("chunks", "citations", "id", "kind", "name", "signature", "whole")

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.chunks: list[str] = []
        self.id: str | None = None
        self.name: str | None = None
        self.signature: str | None = None
        self.citations: list[dict[str, Any]] = []
        self.whole: Part | None = None

    def build(self) -> Part:
        if self.whole is not None:
            return self.whole
        text = "".join(self.chunks)
        if self.kind == "text":
            return TextPart(text=text, citations=self.citations or None)
        if self.kind == "thinking":
            return ThinkingPart(thinking=text, signature=self.signature)
        if self.kind == "redacted_thinking":
            return RedactedThinkingPart(data=text)
        name = self.name or ""
        if self.kind == "server_tool_call":
            return ServerToolCallPart(
                id=self.id or "", name=name, arguments=parse_arguments(text, name)
            )
        return ToolCallPart(id=self.id or "", name=name, arguments=parse_arguments(text, name))


class PartialPart(NamedTuple):
    """A part as far as the stream has built it, fixed at the moment it was taken: later
    events do not change it. ``text`` (the text, thinking, redacted data or raw JSON arguments
    so far) is joined only when read, so taking one costs the same for any answer size: a
    part's chunk list is only ever appended to, so its first ``chunk_count`` chunks are the
    snapshot. ``position`` is the events' ``index`` (the part's position in the result).
    A text part's citations so far are :attr:`cited`, snapshotted the same way.
    """

    # "text" | "thinking" | "redacted_thinking" | "tool_call" | "server_tool_call" |
    # "whole <PartType>" (a part that arrived whole: server tool results, raw blocks)
    kind: str
    position: int
    id: str | None
    name: str | None
    signature: str | None
    chunks: list[str]  # the accumulator's own list, shared: read only the first chunk_count
    chunk_count: int
    citations: list[dict[str, Any]]  # shared too: read only the first citation_count
    citation_count: int

    @property
    def text(self) -> str:
        return "".join(self.chunks[: self.chunk_count])

    @property
    def cited(self) -> list[dict[str, Any]]:
        return self.citations[: self.citation_count]


_new_tuple = tuple.__new__


class StreamAccumulator:
    """Collects stream events; :meth:`result` gives the final :class:`ChatResult`.

    Example:
        >>> acc = StreamAccumulator()
        >>> for e in [TextDelta(0, "Hi"), Finish(stop_reason="end_turn", raw_stop_reason="stop")]:
        ...     acc.add(e)
        >>> acc.result().text
        'Hi'
    """

    def __init__(self) -> None:
        self._parts: dict[int, _Builder] = {}
        self._id: str | None = None
        self._model: str | None = None
        self._usage: dict[str, int | None] = dict.fromkeys(_USAGE_FIELDS)
        self._cost: Cost | None = None
        self._finish: Finish | None = None

    @property
    def finished(self) -> bool:
        return self._finish is not None

    def _part(self, index: int, kind: str) -> _Builder:
        builder = self._parts.get(index)
        if builder is None:
            builder = self._parts[index] = _Builder(kind)
        elif builder.kind != kind:
            raise ResponseValidationError(
                f"the stream mixed {builder.kind} and {kind} content in part {index}"
            )
        return builder

    def add(self, event: StreamEvent) -> None:
        if isinstance(event, TextDelta):
            self._part(event.index, "text").chunks.append(event.text)
        elif isinstance(event, ThinkingDelta):
            self._part(event.index, "thinking").chunks.append(event.thinking)
        elif isinstance(event, ToolCallDelta):
            builder = self._part(event.index, "tool_call")
            if event.id:
                builder.id = event.id
            if event.name:
                builder.name = event.name
            if event.arguments:
                builder.chunks.append(event.arguments)
        elif isinstance(event, ServerToolCallDelta):
            builder = self._part(event.index, "server_tool_call")
            if event.id:
                builder.id = event.id
            if event.name:
                builder.name = event.name
            if event.arguments:
                builder.chunks.append(event.arguments)
        elif isinstance(event, CitationDelta):
            self._part(event.index, "text").citations.append(event.citation)
        elif isinstance(event, PartDelta):
            self._part(event.index, f"whole {type(event.part).__name__}").whole = event.part
        elif isinstance(event, SignatureDelta):
            builder = self._part(event.index, "thinking")
            builder.signature = (builder.signature or "") + event.signature
        elif isinstance(event, RedactedThinkingDelta):
            self._part(event.index, "redacted_thinking").chunks.append(event.data)
        elif isinstance(event, UsageDelta):
            for name in _USAGE_FIELDS:
                value = getattr(event, name)
                if value is not None:
                    self._usage[name] = value
        elif isinstance(event, CostDelta):
            self._merge_cost(event.cost)
        elif isinstance(event, MessageStart):
            self._id = event.id or self._id
            self._model = event.model or self._model
        elif isinstance(event, Finish):
            self._finish = event
        else:  # pragma: no cover - exhaustive over StreamEvent
            raise TypeError(f"not a stream event: {event!r}")

    def partial_parts(self) -> list[PartialPart]:
        """The parts so far, in order, as :class:`PartialPart` snapshots (chunk lists are only
        appended to, so a snapshot is a count: constant work per part, none per character)."""
        parts = self._parts
        # tuple.__new__ with the fields in order is what PartialPart(...) does, without the
        # generated __new__'s Python frame: this runs on every streamed content event.
        return [
            _new_tuple(
                PartialPart,
                (
                    b.kind,
                    i,
                    b.id,
                    b.name,
                    b.signature,
                    b.chunks,
                    len(b.chunks),
                    b.citations,
                    len(b.citations),
                ),
            )
            for i, b in (parts.items() if _ordered(parts) else sorted(parts.items()))
        ]

    def _merge_cost(self, cost: Cost) -> None:
        if self._cost is None:
            self._cost = Cost(credits_used=cost.credits_used, usd_spent=cost.usd_spent)
            return
        if cost.credits_used is not None:
            self._cost.credits_used = cost.credits_used
        if cost.usd_spent is not None:
            self._cost.usd_spent = cost.usd_spent

    def result(self, raw: dict[str, Any] | None = None) -> ChatResult:
        """The accumulated result; ``StreamError`` (with :meth:`partial`) if the stream never
        finished."""
        if self._finish is None:
            got = self._describe()
            raise StreamError(
                f"the stream ended before the model finished: {got}; the answer is incomplete, "
                "retry the request",
                partial=self.partial(),
            )
        return self._build(self._finish, [self._parts[i].build() for i in sorted(self._parts)], raw)

    def partial(self) -> ChatResult | None:
        """What arrived so far, for an error that ends the stream (``StreamError.partial``):
        ``None`` when nothing did. Its ``stop_reason`` is ``None`` unless the model finished. A
        tool call whose arguments do not parse (they were cut off) is left out rather than
        guessed."""
        if not self._parts and self._id is None and self._model is None:
            return None
        parts: list[Part] = []
        for i in sorted(self._parts):
            try:
                parts.append(self._parts[i].build())
            except ResponseValidationError:
                continue
        return self._build(self._finish, parts, None)

    def _build(
        self, finish: Finish | None, parts: list[Part], raw: dict[str, Any] | None
    ) -> ChatResult:
        usage = self._usage
        reason = finish.stop_reason if finish is not None else None
        if reason == "end_turn" and any(type(p) is ToolCallPart for p in parts):
            # The finish may come before the tool-call chunks it should have counted (the
            # gateway's finish_reason is unreliable, docs/wire.md "Streaming on
            # /chat/completions"): what was received wins.
            reason = "tool_use"
        return ChatResult(
            parts=parts,
            id=self._id,
            model=self._model,
            stop_reason=reason,
            raw_stop_reason=finish.raw_stop_reason if finish is not None else None,
            stop_sequence=finish.stop_sequence if finish is not None else None,
            usage=Usage(
                input_tokens=usage["input_tokens"] or 0,
                output_tokens=usage["output_tokens"] or 0,
                cache_read_tokens=usage["cache_read_tokens"],
                cache_creation_tokens=usage["cache_creation_tokens"],
                reasoning_tokens=usage["reasoning_tokens"],
            ),
            cost=self._cost,
            raw=raw,
        )

    def _describe(self) -> str:
        if not self._parts:
            return "no content was received"
        kinds = [b.kind for b in self._parts.values()]
        chars = sum(len(c) for b in self._parts.values() for c in b.chunks)
        return f"received {len(kinds)} part(s) ({', '.join(kinds)}, {chars} characters)"


def _ordered(parts: dict[int, _Builder]) -> bool:
    # Parts almost always arrive in index order; check (O(parts)) rather than sort each time.
    last = -1
    for index in parts:
        if index < last:
            return False
        last = index
    return True


def accumulate(events: Iterable[StreamEvent]) -> ChatResult:
    """Fold a whole event sequence into its :class:`ChatResult`."""
    acc = StreamAccumulator()
    for event in events:
        acc.add(event)
    return acc.result()


def events_of(result: ChatResult) -> list[StreamEvent]:
    """The events a stream of ``result`` would carry: ``accumulate(events_of(r))`` equals ``r``
    (but for ``raw`` and the ids the client fills in from headers).

    Used when a stream request is answered with one whole JSON response."""
    events: list[StreamEvent] = [MessageStart(result.id, result.model)]
    for i, part in enumerate(result.parts):
        if isinstance(part, TextPart):
            events.append(TextDelta(i, part.text))
            events.extend(CitationDelta(i, c) for c in part.citations or [])
        elif isinstance(part, ThinkingPart):
            events.append(ThinkingDelta(i, part.thinking))
            if part.signature:
                events.append(SignatureDelta(i, part.signature))
        elif isinstance(part, RedactedThinkingPart):
            events.append(RedactedThinkingDelta(i, part.data))
        elif isinstance(part, ToolCallPart):
            events.append(ToolCallDelta(i, part.id, part.name, json.dumps(part.arguments)))
        elif isinstance(part, ServerToolCallPart):
            events.append(ServerToolCallDelta(i, part.id, part.name, json.dumps(part.arguments)))
        elif isinstance(part, (ServerToolResultPart, RawPart)):
            events.append(PartDelta(i, part))
        else:  # images, documents and tool results are inputs, never in an answer
            raise ResponseValidationError(f"an answer cannot hold {type(part).__name__}")
    usage = result.usage
    events.append(
        UsageDelta(
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cache_read_tokens=usage.cache_read_tokens,
            cache_creation_tokens=usage.cache_creation_tokens,
            reasoning_tokens=usage.reasoning_tokens,
        )
    )
    if result.cost is not None:
        events.append(CostDelta(result.cost))
    events.append(
        Finish(
            stop_reason=result.stop_reason,
            raw_stop_reason=result.raw_stop_reason,
            stop_sequence=result.stop_sequence,
        )
    )
    return events
