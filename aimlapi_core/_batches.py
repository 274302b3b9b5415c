"""``client.batches``: the Batches API over the client's own transport.

Create a batch from neutral :class:`ChatRequest` values, look at it, cancel it, and wait for it
with a polling helper (backoff, timeout, progress callback). Everything goes through the client's
``_send`` — its settings, retry loop, error mapping and key redaction; the wire rules live in
``wire/batches.py`` and each result's message is read by the /messages decoder. A batch is only an
id on the server, so any process holding a key can pick it up again: ``wait(batch_id)``.

Example:
    >>> from aimlapi_core import AIMLAPIClient, ChatRequest, Message, TextPart
    >>> client = AIMLAPIClient()  # doctest: +SKIP
    >>> ask = lambda q: ChatRequest(model="claude-sonnet-4", max_tokens=256,
    ...                             messages=[Message(role="user", parts=[TextPart(text=q)])])
    >>> batch = client.batches.create({"a": ask("Hi"), "b": ask("Bye")})  # doctest: +SKIP
    >>> done = client.batches.wait(batch.id, timeout=3600)  # doctest: +SKIP
    >>> done.result("a").result.text  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import quote

from . import _exchange as exchange
from ._client_settings import DEFAULT_MAX_INTERVAL, DEFAULT_POLL_INTERVAL
from ._redact import Secrets, redact_value, redactor, scrub
from ._types import ChatRequest, ChatResult
from .errors import (
    AIMLAPIError,
    BatchError,
    BatchTimeoutError,
    InvalidRequestError,
    ResponseValidationError,
)
from .wire.batches import Batch, batch_id_problem, encode_batch, read_body

if TYPE_CHECKING:
    import httpx

    from ._client_settings import ClientSettings

__all__ = ["AsyncBatches", "Batches", "in_input_order"]

ProgressCallback = Callable[[Batch], None]
_BACKOFF = 1.5  # each still-running poll waits 1.5× longer, up to max_interval


def _as_mapping(requests: Mapping[str, ChatRequest] | Sequence[ChatRequest]) -> dict[str, Any]:
    if isinstance(requests, Mapping):
        return dict(requests)
    # custom_ids are the input positions: results can be put back in order by any process.
    return {str(i): request for i, request in enumerate(requests)}


def _check_id(batch_id: str) -> str:
    problem = batch_id_problem(batch_id)
    if problem is not None:
        raise InvalidRequestError(f"batch_id {problem}; pass the id create() returned")
    return batch_id


def _seconds(name: str, value: Any, *, optional: bool = False, zero: bool = False) -> Any:
    """``value`` as a waiting argument: a finite number of seconds (``None`` where it means no
    limit). NaN compares false to everything, so ``timeout=nan`` would poll for ever."""
    if value is None and optional:
        return value
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not number or not math.isfinite(value) or value < 0 or (value == 0 and not zero):
        what = "a finite number of seconds" + (" >= 0" if zero else " > 0")
        none = " (or None: no limit)" if optional else ""
        raise InvalidRequestError(f"{name} must be {what}{none}, got {value!r}")
    return value


class _Polling:
    """The waiting policy shared by both I/O loops: next delay, deadline, progress."""

    def __init__(
        self,
        batch_id: str,
        timeout: float | None,
        poll_interval: float,
        max_interval: float,
        on_progress: ProgressCallback | None,
    ) -> None:
        timeout = _seconds("timeout", timeout, optional=True, zero=True)
        poll_interval = _seconds("poll_interval", poll_interval)
        max_interval = _seconds("max_interval", max_interval)
        self.batch_id = batch_id
        self.deadline = None if timeout is None else time.monotonic() + timeout
        self.timeout = timeout
        self.delay = poll_interval
        self.max_interval = max_interval
        self.on_progress = on_progress

    def next_sleep(self, batch: Batch) -> float | None:
        """Seconds to sleep before the next poll, or ``None``: ``batch`` is done."""
        if self.on_progress is not None:
            self.on_progress(batch)
        if batch.done:
            return None
        delay = self.delay
        self.delay = min(self.delay * _BACKOFF, self.max_interval)
        if self.deadline is not None:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise BatchTimeoutError(
                    f"batch {self.batch_id} is still {batch.status} after {self.timeout} s; it "
                    "goes on server-side: wait again later or resume it by id",
                    batch_id=self.batch_id,
                )
            delay = min(delay, remaining)
        return delay


_Call = tuple[str, str, bytes | None, str | None]  # method, url, body, batch_id
_SLICE = 64  # batch items serialised per json_bytes call


def _create_body(items: Iterator[dict[str, Any]]) -> bytes:
    """``exchange.json_bytes({"requests": list(items)})``, byte for byte, serialised a slice of
    items at a time: a slice's dicts are garbage once written, so a large batch is never held as
    dicts all at once (memory stays bounded; each live container also costs every pass of the
    cyclic collector while the batch is built). ``json_bytes`` stays the one serialiser."""
    chunks: list[bytes] = []
    for chunk in iter(lambda: list(islice(items, _SLICE)), []):
        chunks.append(exchange.json_bytes(chunk)[1:-1])  # the items, without the list's brackets
    return b'{"requests":[' + b",".join(chunks) + b"]}"


_Sent = TypeVar("_Sent", covariant=True)  # httpx.Response, or an awaitable of one
_Slept = TypeVar("_Slept", covariant=True)  # None, or an awaitable of None


class _Owner(Protocol[_Sent, _Slept]):
    """What a Batches resource uses of the client that owns it: its settings, its secrets (to
    scrub errors), its send loop (retries, error mapping) and its sleep (so tests record the
    polling). Typed by use, as the Anthropic SDK types its resources against the base client:
    no client module is imported here. ``AIMLAPIClient`` is an ``_Owner[httpx.Response,
    None]``, ``AsyncAIMLAPIClient`` the same, awaited."""

    @property
    def settings(self) -> ClientSettings: ...

    @property
    def _secrets(self) -> tuple[str, ...]: ...

    @property
    def _sleep(self) -> Callable[[float], _Slept]: ...

    def _send(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str],
        content: bytes | None,
        timeout: httpx.Timeout,
    ) -> _Sent: ...


class _BatchesBase:
    """Everything about a Batches request but its I/O: URL, body, headers, reading."""

    def __init__(self, settings: ClientSettings) -> None:
        self._settings = settings

    def _create_call(self, requests: Mapping[str, ChatRequest] | Sequence[ChatRequest]) -> _Call:
        self._settings.require_key()  # a missing key first, before encoding a large batch
        body = _create_body(encode_batch(_as_mapping(requests)))
        return "POST", self._settings.base_url + "/batches", body, None

    def _id_call(self, method: str, path: str, batch_id: str) -> _Call:
        url = self._settings.base_url + "/batches" + path + quote(_check_id(batch_id), safe="")
        return method, url, None, batch_id

    def _headers(self, body: bytes | None) -> dict[str, str]:
        key = self._settings.require_key()
        return exchange.request_headers(
            self._settings, key, stream=False, has_body=body is not None
        )

    @staticmethod
    def _read(response: httpx.Response, batch_id: str | None, key: Secrets) -> Batch:
        """The answer as a :class:`Batch`, with the key out of everything the server wrote into
        it: each result's error (the client's one exit scrubs only the error it raises; these
        are handed back as values, in ``return_exceptions`` slots), custom_ids, the raw answer."""
        batch = read_body(response.content, batch_id)
        batch.raw = redact_value(batch.raw, key)
        clean = redactor(key)
        for item in batch.results or ():
            item.custom_id = clean(item.custom_id)
            if item.error is not None:
                scrub(item.error, key)
        return batch


class Batches(_BatchesBase):
    """``AIMLAPIClient.batches``. Each method is one HTTP request through the client, except
    :meth:`wait`, which polls :meth:`retrieve`."""

    def __init__(self, client: _Owner[httpx.Response, None]) -> None:
        super().__init__(client.settings)
        self._client = client

    def _call(self, call: _Call) -> Batch:
        method, url, body, batch_id = call
        headers, timeout = self._headers(body), self._settings.timeout
        try:
            resp = self._client._send(method, url, headers=headers, content=body, timeout=timeout)
            return self._read(resp, batch_id, self._client._secrets)
        except Exception as exc:  # the client's one exit: httpx errors mapped, the key scrubbed
            raise exchange.failure(exc, self._client._secrets)  # noqa: B904 (failure() chains the cause)

    def create(self, requests: Mapping[str, ChatRequest] | Sequence[ChatRequest]) -> Batch:
        """Submit ``requests`` (``{custom_id: request}``, or a sequence: ids ``"0"``, ``"1"``…).

        Raises:
            UnsupportedContentError: a request the batch schema cannot carry (an assistant turn,
                an image, a tool result, a document…), named by its custom_id; nothing is sent.
        """
        return self._call(self._create_call(requests))

    def retrieve(self, batch_id: str) -> Batch:
        """The batch now: its status, or (once ended) its results."""
        return self._call(self._id_call("GET", "?batch_id=", batch_id))

    def cancel(self, batch_id: str) -> Batch:
        """Ask the server to cancel; a batch that already ended gets ``BadRequestError``."""
        return self._call(self._id_call("POST", "/cancel/", batch_id))

    def wait(
        self,
        batch_id: str,
        *,
        timeout: float | None = None,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        max_interval: float = DEFAULT_MAX_INTERVAL,
        on_progress: ProgressCallback | None = None,
    ) -> Batch:
        """Poll until the batch is done (results in, or cancelled); ``on_progress`` gets every
        :class:`Batch` seen. Waits grow 1.5× per poll from ``poll_interval`` to
        ``max_interval``; past ``timeout`` seconds, :class:`BatchTimeoutError`."""
        polling = _Polling(_check_id(batch_id), timeout, poll_interval, max_interval, on_progress)
        while True:
            batch = self.retrieve(batch_id)
            delay = polling.next_sleep(batch)
            if delay is None:
                return batch
            self._client._sleep(delay)


class AsyncBatches(_BatchesBase):
    """``AsyncAIMLAPIClient.batches``: the same methods as :class:`Batches`, awaited."""

    def __init__(self, client: _Owner[Awaitable[httpx.Response], Awaitable[None]]) -> None:
        super().__init__(client.settings)
        self._client = client

    async def _call(self, call: _Call) -> Batch:
        method, url, body, batch_id = call
        headers, timeout = self._headers(body), self._settings.timeout
        try:
            resp = await self._client._send(
                method, url, headers=headers, content=body, timeout=timeout
            )
            return self._read(resp, batch_id, self._client._secrets)
        except Exception as exc:  # the client's one exit: httpx errors mapped, the key scrubbed
            raise exchange.failure(exc, self._client._secrets)  # noqa: B904 (failure() chains the cause)

    async def create(self, requests: Mapping[str, ChatRequest] | Sequence[ChatRequest]) -> Batch:
        return await self._call(self._create_call(requests))

    async def retrieve(self, batch_id: str) -> Batch:
        return await self._call(self._id_call("GET", "?batch_id=", batch_id))

    async def cancel(self, batch_id: str) -> Batch:
        return await self._call(self._id_call("POST", "/cancel/", batch_id))

    async def wait(
        self,
        batch_id: str,
        *,
        timeout: float | None = None,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        max_interval: float = DEFAULT_MAX_INTERVAL,
        on_progress: ProgressCallback | None = None,
    ) -> Batch:
        polling = _Polling(_check_id(batch_id), timeout, poll_interval, max_interval, on_progress)
        while True:
            batch = await self.retrieve(batch_id)
            delay = polling.next_sleep(batch)
            if delay is None:
                return batch
            await self._client._sleep(delay)


_POSITION = re.compile(r"0|[1-9][0-9]*")  # ASCII only: "01", "١", "１", "²" name no input
logger = logging.getLogger("aimlapi_core")


def in_input_order(batch: Batch, size: int | None = None) -> list[ChatResult | AIMLAPIError]:
    """The results of a batch whose custom_ids are input positions (as ``create`` gives a
    sequence), in input order: a ``ChatResult`` or the request's error per slot.

    ``size``: how many inputs there were, when known; else as many slots as results. Each slot
    is answered by exactly one result whose custom_id is its position in canonical ASCII
    digits; a slot with none gets a :class:`BatchError` naming the results that answered no
    input, a slot with two a :class:`ResponseValidationError`. The list never holds more slots
    than ``size`` (or than results): a custom_id of ``"1000000"`` costs one slot, not a million.
    The rule and its judgement: docs/wire.md "Batches".
    """
    if batch.status == "cancelled" or batch.results is None:
        raise BatchError(
            f"batch {batch.id} was cancelled before it ended: it has no results"
            if batch.status == "cancelled"
            else f"batch {batch.id} has not ended yet (status {batch.status})",
            batch_id=batch.id,
            result_type=batch.status,
        )
    n = len(batch.results) if size is None else size
    digits = len(str(max(n - 1, 0)))  # a longer id is out of range: never parsed (4300 digits)
    by_index: dict[int, ChatResult | AIMLAPIError] = {}
    answered: dict[int, int] = {}
    strays: list[str] = []
    for item in batch.results:
        cid = item.custom_id
        index = int(cid) if len(cid) <= digits and _POSITION.fullmatch(cid) else n
        if index >= n:
            strays.append(cid)
            continue
        answered[index] = answered.get(index, 0) + 1
        outcome = item.result if item.result is not None else item.error
        assert outcome is not None  # wire/batch_answers.py sets one of them
        by_index[index] = outcome
    if strays:
        logger.warning(
            "batch %s: %d result(s) answer no input of %d (custom_ids %s)",
            batch.id,
            len(strays),
            n,
            _shown(strays),
        )
    if len(by_index) == n and len(answered) == sum(answered.values()):
        return [by_index[i] for i in range(n)]  # every slot answered once (the usual case)
    return [_slot(batch.id, i, by_index, answered, strays) for i in range(n)]


def _slot(
    batch_id: str,
    i: int,
    by_index: dict[int, ChatResult | AIMLAPIError],
    answered: dict[int, int],
    strays: list[str],
) -> ChatResult | AIMLAPIError:
    count = answered.get(i, 0)
    if count == 1:
        return by_index[i]
    if count > 1:
        return ResponseValidationError(
            f"batch {batch_id} returned {count} results for input {i} (custom_id {str(i)!r}): "
            "which one answers it cannot be told; submit that input again"
        )
    unplaced = f"; results that answer no input: custom_ids {_shown(strays)}" if strays else ""
    return BatchError(
        f"batch {batch_id} returned no result for input {i}{unplaced}",
        batch_id=batch_id,
        custom_id=str(i),
    )


def _shown(ids: list[str], limit: int = 5) -> str:
    shown = ", ".join(repr(cid[:40]) for cid in ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")
