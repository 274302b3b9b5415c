"""The one fault seam: an :class:`~aimlapi_emulator._context.Output` onto the wire, altered by
the request's fault (``_faults.py``) when it has one.

An error-status fault answers before any route runs (``_server.py``); every other fault alters
the success answer here and only here: its body (``body``, ``malformed_json``), a stream's events
(``legacy_stream``, ``done_marker``, ``stream_events``, ``malformed_json``, ``cut_after``) and
content headers (``content_type``, ``content_encoding``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.responses import Response, StreamingResponse

from ._context import Output
from ._faults import Fault
from ._render_chat import legacy_wrap

__all__ = ["send"]


def send(output: Output, fault: Fault | None, authorization: str) -> Response:
    """``output`` as the response sent, with ``fault``'s alterations (None: none)."""
    if output.events is None:
        return _whole(output, fault, authorization)
    return _stream(output, fault, authorization)


def _whole(output: Output, fault: Fault | None, authorization: str) -> Response:
    content, headers = output.content, output.headers
    if fault is not None:
        if fault.malformed_json:
            content = content[: len(content) // 2]
        content, headers = fault.alter_whole(content, headers, authorization)
    return Response(content, output.status, media_type=output.media_type, headers=headers)


def _stream(output: Output, fault: Fault | None, authorization: str) -> Response:
    assert output.events is not None
    items = output.events
    chat = output.dialect == "chat_completions"
    if fault is not None and fault.legacy_stream and chat:
        items = [(None, line) for line in legacy_wrap([data for _, data in items])]
    events = [_sse(data, name) for name, data in items]
    headers = dict(output.headers)
    if fault is not None:
        if fault.done_marker and chat:
            events.append(b"data: [DONE]\n\n")
        events = fault.alter_events(events, authorization)
        if fault.malformed_json and len(events) > 1:
            broken = events[1].split(b"data: ", 1)
            events[1] = broken[0] + b"data: " + broken[1][: len(broken[1]) // 2] + b"\n\n"
        if fault.cut_after is not None:
            events = events[: fault.cut_after]  # the body just ends: no finish, no message_stop
        headers = fault.stream_headers(headers)

    async def body() -> AsyncIterator[bytes]:
        for event in events:
            yield event
            await asyncio.sleep(0)  # one event per write, as a real stream arrives

    return StreamingResponse(
        body(), status_code=output.status, media_type=output.media_type, headers=headers
    )


def _sse(data: dict[str, Any], event: str | None = None) -> bytes:
    prefix = f"event: {event}\n" if event else ""
    return f"{prefix}data: {json.dumps(data, separators=(',', ':'))}\n\n".encode()
