"""A tiny server of fixed streamed answers of a chosen size, for ``answer_size.py``.

``python benchmarks/_sse_server.py [--chunk-bytes 20]`` prints its base URL, then answers
``POST {base}/size/{N}/v1/chat/completions`` and ``.../v1/messages`` (``stream: true``) with an
answer of N bytes of text in deltas of ``--chunk-bytes``, in the emulator's documented stream
shapes (the 2026 chat stream; Anthropic's event stream). Each stream is rendered once and then
served from memory in 64 KiB writes, so a 10 MB answer costs this process almost nothing and the
emulator's own logic stays out of the measurement. It runs in its own process like the emulator.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
from collections.abc import AsyncIterator
from functools import lru_cache
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

WRITE = 64 * 1024
WORDS = b"the sea is wide and deep and full of light and salt and quiet motion "


def text_of(size: int) -> str:
    return (WORDS * (size // len(WORDS) + 1))[:size].decode()


def _sse(data: dict[str, Any], event: str | None = None) -> bytes:
    prefix = f"event: {event}\n" if event else ""
    return f"{prefix}data: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


def chat_stream(pieces: list[str], model: str) -> bytes:
    def chunk(choice: dict[str, Any], usage: Any = None, first: bool = False) -> dict[str, Any]:
        return {
            "id": "msg_bench" if first else "",
            "choices": [{"index": 0, **choice}],
            "created": 1764460800,
            "model": model,
            "object": "chat.completion.chunk",
            "usage": usage,
        }

    def delta(text: str) -> dict[str, Any]:
        return {"delta": {"content": text, "role": "assistant", "refusal": None}}

    usage = {
        "prompt_tokens": 10,
        "completion_tokens": len(pieces),
        "total_tokens": 10 + len(pieces),
    }
    out = [_sse(chunk(delta(""), first=True))]
    out += [_sse(chunk(delta(p))) for p in pieces]
    out.append(_sse(chunk({**delta(""), "finish_reason": "stop"}, usage=usage)))
    last = chunk({"finish_reason": "stop"})
    last["meta"] = {"usage": {"credits_used": 1, "usd_spent": 0.0000005}}
    out.append(_sse(last))
    return b"".join(out)


def messages_stream(pieces: list[str], model: str) -> bytes:
    usage = {"input_tokens": 10, "output_tokens": 1}
    start = {
        "id": "msg_bench",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": usage,
    }
    out = [
        _sse({"type": "message_start", "message": start}, "message_start"),
        _sse({"type": "ping"}, "ping"),
        _sse(
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            },
            "content_block_start",
        ),
    ]
    for p in pieces:
        delta = {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "text_delta", "text": p},
        }
        out.append(_sse(delta, "content_block_delta"))
    out += [
        _sse({"type": "content_block_stop", "index": 0}, "content_block_stop"),
        _sse(
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": len(pieces)},
            },
            "message_delta",
        ),
        _sse(
            {
                "type": "message_stop",
                "meta": {"usage": {"credits_used": 1, "usd_spent": 0.0000005}},
            },
            "message_stop",
        ),
    ]
    return b"".join(out)


def build_app(chunk_bytes: int) -> Starlette:
    @lru_cache(maxsize=8)
    def rendered(dialect: str, size: int, model: str) -> bytes:
        text = text_of(size)
        pieces = [text[i : i + chunk_bytes] for i in range(0, len(text), chunk_bytes)]
        render = messages_stream if dialect == "messages" else chat_stream
        return render(pieces, model)

    async def answer(request: Request) -> Response:
        body = json.loads(await request.body())
        dialect = request.path_params["dialect"]
        if dialect == "chat":
            dialect = "chat_completions"
        if not body.get("stream"):
            return Response(b'{"message":"only streams here"}', 400, media_type="application/json")
        blob = rendered(dialect, int(request.path_params["size"]), body["model"])

        async def chunks() -> AsyncIterator[bytes]:
            view = memoryview(blob)
            for i in range(0, len(view), WRITE):
                yield bytes(view[i : i + WRITE])

        status = 200 if dialect == "messages" else 201
        return StreamingResponse(chunks(), status, media_type="text/event-stream; charset=utf-8")

    return Starlette(
        routes=[
            Route("/size/{size:int}/v1/{dialect:str}/completions", answer, methods=["POST"]),
            Route("/size/{size:int}/v1/{dialect:str}", answer, methods=["POST"]),
        ]
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--chunk-bytes", type=int, default=20)
    args = p.parse_args()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # see aimlapi_emulator/_runner.py
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    print(f"http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    config = uvicorn.Config(
        build_app(args.chunk_bytes),
        log_level="warning",
        access_log=False,
        lifespan="off",
        http="h11",
    )
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    sys.exit(main())
