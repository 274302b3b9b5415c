"""`Emulator`: the server on a free 127.0.0.1 port in a background thread.

The socket is bound here (port 0 → the OS picks a free port) before uvicorn starts, so the port
is known at once and two emulators never race for one.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any

import uvicorn

from ._batch_store import BatchStore
from ._context import ServerState
from ._faults import Fault, FaultPlan
from ._prompt_cache import PromptCacheLedger
from ._records import DEFAULT_LOG_LIMIT, Bill, RecordedRequest, RequestLog
from ._reply import Replies, Reply, ReplyScript
from ._server import build_app
from ._signing import ThinkingSigner

# What `emu.api_key` reports when any non-empty key is accepted: a key tests can send.
DEFAULT_API_KEY = "aimlapi-emulator-key"
_START_TIMEOUT = 10.0


class PortInUseError(OSError):
    """The port asked for is taken; pick another, or port=0 for a free one."""


class _QuietCancel(logging.Filter):
    """Drop the CancelledError traceback uvicorn logs when it stops with a response still
    running (a client that timed out while a fault delayed its answer): stopping is expected."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, asyncio.CancelledError):
            return False
        return "timeout graceful shutdown exceeded" not in record.getMessage()


_QUIET_CANCEL = _QuietCancel()


class Emulator:
    """A local AI/ML API for tests, demos and CI.

    Examples:
        >>> with Emulator(replies=[Reply(text="Paris.")]) as emu:  # doctest: +SKIP
        ...     llm = ChatAIMLAPI(api_key=emu.api_key, base_url=emu.base_url)
        ...     assert llm.invoke("Capital of France?").text == "Paris."
        ...     assert emu.last_request.json["messages"][0]["content"] == "Capital of France?"

    Args:
        api_key: the only key accepted; None accepts any non-empty key.
        faults: a fault plan (see `Fault`), consumed by matching requests in order.
        replies: what the model answers: `Reply` objects (or strings) used by successive
            valid /chat/completions and /messages requests in order, or a function of the
            `RecordedRequest` returning a `Reply`, a string, or None. Requests left without a
            scripted reply get the default assistant's answer. A function runs in a worker
            thread (up to 16 at once), so a slow one holds up no other request; if it raises
            anything (``SystemExit`` and pytest's ``fail()`` included) or returns something
            else, that request gets a 500 naming it (a batch request an ``errored`` result),
            and the server carries on.
        host: the loopback address to bind.
        port: 0 for a free port; a taken port raises `PortInUseError`.
        batch_polls: how many status polls of a batch answer "generating" before its results.
        rewrite_request: a function of each /chat/completions and /messages JSON body returning
            the body to check and answer instead (the request log keeps the body as sent).
            None (the default): requests are checked as sent, as the service checks them.
            ``benchmarks/_lenient.py`` uses it to answer other clients' OpenAI-shaped requests.
        request_log_limit: how many requests :attr:`requests` keeps (default 10,000): when it
            is full, the oldest request goes first. Each is kept with its body as sent.
        clock: seconds, for the prompt cache's TTLs (``_prompt_cache.py``); a test passes its
            own to step past a TTL without waiting.
    """

    def __init__(
        self,
        api_key: str | None = None,
        faults: Iterable[Fault] | None = None,
        *,
        replies: Replies | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        batch_polls: int = 1,
        rewrite_request: Callable[[Any], Any] | None = None,
        request_log_limit: int = DEFAULT_LOG_LIMIT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if api_key is not None and not api_key.strip():
            raise ValueError("api_key must be a non-empty string, or None to accept any key")
        self._state = ServerState(
            api_key=api_key,
            signer=ThinkingSigner(),
            faults=FaultPlan(faults or ()),
            log=RequestLog(request_log_limit),
            replies=ReplyScript(replies),
            batches=BatchStore(batch_polls),
            rewrite_request=rewrite_request,
            prompt_cache=PromptCacheLedger(clock),
        )
        self._host, self._port = host, port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    def __repr__(self) -> str:  # never the key
        state = "running" if self._thread else "stopped"
        return f"Emulator({state}, base_url={self._base_url_or_none()!r})"

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Emulator:
        if self._thread is not None:
            raise RuntimeError("this Emulator is already running")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit this. Without it uvicorn's separate writes of headers and
        # body meet Nagle + delayed ACK and every answer waits ~40 ms (measured: 44 ms → 0.8 ms
        # per call on loopback).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            sock.bind((self._host, self._port))
        except OSError as exc:
            sock.close()
            if exc.errno == errno.EADDRINUSE:
                raise PortInUseError(
                    exc.errno,
                    f"port {self._port} on {self._host} is already in use: stop what holds it, "
                    "choose another port, or use port 0 for a free one",
                ) from None
            raise
        sock.listen(2048)
        config = uvicorn.Config(
            build_app(self._state),
            log_level="warning",
            access_log=False,
            lifespan="off",
            http="h11",
            # HTTP only: no WebSocket protocol, so uvicorn never imports `websockets` (whose
            # legacy module older uvicorn releases load, with a DeprecationWarning).
            ws="none",
            timeout_graceful_shutdown=1,
        )
        server = uvicorn.Server(config)
        logging.getLogger("uvicorn.error").addFilter(_QUIET_CANCEL)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="aimlapi-emulator", daemon=True
        )
        self._server, self._thread, self._socket = server, thread, sock
        thread.start()
        deadline = threading.Event()
        for _ in range(int(_START_TIMEOUT / 0.005)):
            if server.started or not thread.is_alive():
                break
            deadline.wait(0.005)
        if not server.started:
            self.stop()
            raise RuntimeError("the emulator did not start (see the uvicorn log above)")
        return self

    def stop(self) -> None:
        server, thread, sock = self._server, self._thread, self._socket
        self._server = self._thread = self._socket = None
        if server is not None:
            server.should_exit = True
        if thread is not None:
            thread.join(timeout=2)
            if thread.is_alive() and server is not None:
                server.force_exit = True  # open streams left by a test must not hang shutdown
                thread.join(timeout=5)
        if sock is not None:
            sock.close()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Emulator:
        return await asyncio.to_thread(self.start)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.stop)

    # -- what tests use ----------------------------------------------------------------------

    def _base_url_or_none(self) -> str | None:
        if self._socket is None:
            return None
        host, port = self._socket.getsockname()[:2]
        return f"http://{host}:{port}/v1"

    @property
    def base_url(self) -> str:
        """ "http://127.0.0.1:<port>/v1" while running."""
        url = self._base_url_or_none()
        if url is None:
            raise RuntimeError("the emulator is not running: use `with Emulator() as emu:`")
        return url

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1].split("/")[0])

    @property
    def api_key(self) -> str:
        """The key to send: the one given, or a default (any non-empty key is accepted then)."""
        return self._state.api_key if self._state.api_key is not None else DEFAULT_API_KEY

    @property
    def requests(self) -> list[RecordedRequest]:
        """The requests received, in order (a copy): every one, up to ``request_log_limit`` of
        the newest."""
        return self._state.log.snapshot()

    @property
    def last_request(self) -> RecordedRequest:
        last = self._state.log.last()
        if last is None:
            raise LookupError("the emulator has received no request yet")
        return last

    @property
    def bills(self) -> list[Bill]:
        """What each answered chat request was billed, in order (a copy): its tokens, cache
        reads and writes, and ``meta.usage``'s cost."""
        return self._state.bills.snapshot()

    def clear_requests(self) -> None:
        """Forget the requests received so far, their bills, and the peak of
        :attr:`max_in_flight`."""
        self._state.log.clear()
        self._state.bills.clear()
        self._state.in_flight.reset()

    @property
    def max_in_flight(self) -> int:
        """The most requests this emulator was answering at once since it started or since
        :meth:`clear_requests` — a client's concurrency seen from the server, not timed."""
        return self._state.in_flight.peak

    def add_fault(self, fault: Fault) -> None:
        self._state.faults.add(fault)

    def clear_faults(self) -> None:
        self._state.faults.clear()

    def add_reply(self, reply: Reply | str) -> None:
        """Script the answer to the next request not already scripted (after the others)."""
        self._state.replies.add(reply)

    def set_replies(self, replies: Replies | None) -> None:
        """Replace the script: a list of `Reply`/str, a function of the request, or None."""
        self._state.replies.set(replies)

    @property
    def pending_replies(self) -> list[Reply]:
        """Scripted replies not used yet."""
        return self._state.replies.pending()

    @property
    def pending_faults(self) -> list[Fault]:
        return self._state.faults.pending()

    def sign_thinking(self, thinking: str) -> str:
        """The signature this emulator gives (and accepts) for a thinking text."""
        return self._state.signer.sign(thinking)
