"""SSE decoding per the WHATWG spec, over bytes split anywhere."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aimlapi_core._sse import ServerSentEvent, SSEDecoder

FIXTURES = Path(__file__).parent / "fixtures"


def decode(*chunks: bytes) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    events: list[ServerSentEvent] = []
    for chunk in chunks:
        events.extend(decoder.feed(chunk))
    events.extend(decoder.flush())
    return events


def E(data: str, event: str | None = None, id: str | None = None, retry: int | None = None):
    return ServerSentEvent(event=event, data=data, id=id, retry=retry)


@pytest.mark.parametrize(
    ("stream", "expected"),
    [
        # The spec's own examples (HTML §9.2.6).
        (b"data: YHOO\ndata: +2\ndata: 10\n\n", [E("YHOO\n+2\n10")]),
        (
            b": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\n"
            b"data:  third event\n\n",
            [E("first event", id="1"), E("second event"), E(" third event")],
        ),
        (b"data\n\ndata\ndata\n\n", [E(""), E("\n")]),
        (b"data:test\n\ndata: test\n\n", [E("test"), E("test")]),
        # event type, persistent id, retry
        (
            b"event: message_start\nid: 7\ndata: a\n\ndata: b\n\n",
            [E("a", event="message_start", id="7"), E("b", id="7")],
        ),
        (b"retry: 1500\ndata: x\n\n", [E("x", retry=1500)]),
        (b"retry: 15s\ndata: x\n\n", [E("x")]),
        (b"id: a\0b\ndata: x\n\n", [E("x")]),
        # comments, unknown fields, events without data
        (b": keep-alive\n\n", []),
        (b"event: ping\n\ndata: after\n\n", [E("after")]),
        (b"foo: bar\ndata: x\n\n", [E("x")]),
        # line ends: CRLF, CR, mixed; a leading BOM
        (b"data: a\r\n\r\ndata: b\r\rdata: c\n\r\n", [E("a"), E("b"), E("c")]),
        (b"\xef\xbb\xbfdata: bom\n\n", [E("bom")]),
        # UTF-8 content
        ("data: café ☕ 😀\n\n".encode(), [E("café ☕ 😀")]),
        # flush: complete lines without the final blank line are dispatched; a cut line is not
        (b"data: last\n", [E("last")]),
        (b"data: whole\n\ndata: cut mid-li", [E("whole")]),
    ],
)
def test_spec_table(stream: bytes, expected: list[ServerSentEvent]) -> None:
    assert decode(stream) == expected


def test_feed_returns_events_as_soon_as_they_complete() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: one\n") == []
    assert decoder.feed(b"\ndata: tw") == [E("one")]
    assert decoder.feed(b"o\n\n") == [E("two")]
    assert decoder.flush() == []


def test_crlf_split_across_chunks_is_one_line_end() -> None:
    # "\r" ends one chunk and "\n" starts the next: one line end, not an empty line.
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"\ndata: b\r") == []
    assert decoder.feed(b"\n\r\n") == [E("a\nb")]


def test_bom_split_across_chunks() -> None:
    assert decode(b"\xef", b"\xbb\xbfdata: x\n\n") == [E("x")]


def test_retry_is_remembered_on_the_decoder() -> None:
    decoder = SSEDecoder()
    decoder.feed(b"retry: 3000\n\n")
    assert decoder.retry == 3000


SAMPLE = (
    '\ufeff: comment\r\nevent: message_start\r\nid: 1\r\ndata: {"a": "café"}\r\n\r\n'
    "data: line one\ndata: ☕ two\n\n"
    "retry: 10\rdata: 😀\r\r"
    "event: message_stop\ndata: {}\n\n"
).encode()
SAMPLE_EVENTS = [
    E('{"a": "café"}', event="message_start", id="1"),
    E("line one\n☕ two", id="1"),
    E("😀", id="1", retry=10),
    E("{}", event="message_stop", id="1"),
]


def test_every_two_way_split_gives_the_same_events() -> None:
    for cut in range(len(SAMPLE) + 1):
        assert decode(SAMPLE[:cut], SAMPLE[cut:]) == SAMPLE_EVENTS, cut


def test_byte_by_byte() -> None:
    assert decode(*(SAMPLE[i : i + 1] for i in range(len(SAMPLE)))) == SAMPLE_EVENTS


@given(st.lists(st.integers(min_value=0, max_value=len(SAMPLE)), max_size=30))
def test_any_chunking_gives_the_same_events(cuts: list[int]) -> None:
    points = sorted(set(cuts))
    bounds = [0, *points, len(SAMPLE)]
    chunks = [SAMPLE[a:b] for a, b in itertools.pairwise(bounds)]
    assert decode(*chunks) == SAMPLE_EVENTS


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.sse")))
def test_fixture_line_endings_do_not_matter(name: str) -> None:
    raw = (FIXTURES / name).read_bytes()
    lf = decode(raw)
    assert lf, name
    assert decode(raw.replace(b"\n", b"\r\n")) == lf
    assert decode(raw.replace(b"\n", b"\r")) == lf
