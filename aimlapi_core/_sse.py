"""Incremental Server-Sent Events decoding, per the WHATWG HTML spec (§9.2 "Server-sent events").

Bytes may arrive split anywhere: in the middle of a line, of a ``\\r\\n`` pair or of a UTF-8
sequence. The decoder keeps the partial line (and the partial UTF-8 sequence, in an incremental
codec) until the rest arrives, and hands back every event completed by a chunk.

What the spec says and this follows:

* lines end with ``\\r\\n``, ``\\n`` or ``\\r``; one leading U+FEFF (BOM) is ignored;
* ``:`` starts a comment line; ``field: value`` loses one space after the colon; a line without
  a colon is a field with an empty value; unknown fields are ignored;
* ``data`` lines accumulate, joined with ``\\n``; a blank line dispatches the event, and an event
  without any ``data`` line is not dispatched;
* ``id`` persists across events (the "last event ID"), an ``id`` containing NUL is ignored;
* ``retry`` is taken only when it is all ASCII digits.

One deliberate leniency, in :meth:`SSEDecoder.flush` only: at the end of the body, an event whose
lines were all complete but which lacks the final blank line is still dispatched (servers do end
bodies that way, and dropping the last chunk — often the finish or the cost — would silently
truncate an answer). A line cut before its line end is a truncated tail and is discarded, as the
spec says; the stream decoder then reports the missing finish.

One deliberate strictness: the spec decodes with replacement characters, this decoder raises
``ResponseValidationError`` on bytes that are not UTF-8. A whole JSON body with the same bytes
fails to parse, and a streamed answer must not silently differ from the whole one (U+FFFD in
place of what the model wrote).
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from .errors import ResponseValidationError

__all__ = ["SSEDecoder", "ServerSentEvent"]


@dataclass(slots=True)
class ServerSentEvent:
    event: str | None
    data: str
    id: str | None = None
    retry: int | None = None


class SSEDecoder:
    """Turns response body bytes into :class:`ServerSentEvent` values.

    Example:
        >>> d = SSEDecoder()
        >>> d.feed(b"data: hel")
        []
        >>> d.feed(b"lo\\n\\n")
        [ServerSentEvent(event=None, data='hello', id=None, retry=None)]
    """

    __slots__ = (
        "_buffer",
        "_data",
        "_decoder",
        "_event",
        "_last_id",
        "_retry",
        "_skip_lf",
        "_started",
        "retry",
    )

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
        self._buffer = ""  # the current, not yet terminated line
        self._skip_lf = False  # the previous chunk ended with "\r": a leading "\n" belongs to it
        self._started = False  # the BOM check has been done
        self._data: list[str] = []
        self._event: str | None = None
        self._retry: int | None = None  # retry given in the event being built
        self._last_id = ""
        self.retry: int | None = None  # the reconnection time, in ms, last set by the server

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Decode a chunk of the body; return the events it completed (possibly none)."""
        try:
            text = self._decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            raise _not_utf8(exc) from None
        if not text:
            return []
        return self._feed_text(text)

    def flush(self) -> list[ServerSentEvent]:
        """Call once at the end of the body: returns a last event left without a blank line."""
        try:
            text = self._decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise _not_utf8(exc) from None
        events = self._feed_text(text) if text else []
        # A non-empty self._buffer is a line cut before its end: discarded (see module docstring).
        self._buffer = ""
        if self._data:
            events.append(self._dispatch())
        return events

    def _feed_text(self, text: str) -> list[ServerSentEvent]:
        if not self._started:
            self._started = True
            if text[0] == "\ufeff":
                text = text[1:]
                if not text:
                    return []
        if self._skip_lf:
            self._skip_lf = False
            if text[0] == "\n":
                text = text[1:]
                if not text:
                    return []
        if "\r" in text:
            # Normalise CR and CRLF to LF. A CR ending the chunk ends its line now; remember to
            # swallow the LF that may start the next chunk.
            self._skip_lf = text[-1] == "\r"
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if "\n" not in text:
            self._buffer += text
            return []
        lines = (self._buffer + text).split("\n")
        self._buffer = lines.pop()
        events: list[ServerSentEvent] = []
        for line in lines:
            if not line:
                if self._data:
                    events.append(self._dispatch())
                else:
                    self._event = None
                    self._retry = None
            elif line.startswith("data:"):
                # The hot path: almost every line of a completion stream is a data line.
                value = line[5:]
                self._data.append(value[1:] if value[:1] == " " else value)
            elif line.startswith("event:"):  # before each data line on /messages
                value = line[6:]
                self._event = value[1:] if value[:1] == " " else value
            else:
                self._field(line)
        return events

    def _field(self, line: str) -> None:
        if line[0] == ":":
            return  # a comment, e.g. a keep-alive
        name, colon, value = line.partition(":")
        if colon and value[:1] == " ":
            value = value[1:]
        if name == "data":
            self._data.append(value)  # "data" without a colon
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\0" not in value:
                self._last_id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            self._retry = self.retry = int(value)

    def _dispatch(self) -> ServerSentEvent:
        lines = self._data
        data = lines[0] if len(lines) == 1 else "\n".join(lines)
        event = ServerSentEvent(self._event or None, data, self._last_id or None, self._retry)
        self._data = []
        self._event = None
        self._retry = None
        return event


def _not_utf8(exc: UnicodeDecodeError) -> ResponseValidationError:
    bad = exc.object[exc.start : exc.end + 16]
    return ResponseValidationError(
        f"the stream is not valid UTF-8 ({exc.reason} at {bad!r}); the answer cannot be read "
        "without altering it"
    )
