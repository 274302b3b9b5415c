"""What both adapters' batch handles (``AIMLAPIBatch``) share: one submitted batch, by id.

An adapter submits its inputs with their positions as custom_ids (``client.batches.create`` of
a sequence) and wraps the id in a :class:`BatchHandle` subclass that only says how a neutral
:class:`ChatResult` becomes its framework's message. Status, waiting, ordering, errors and
caching live here, once, for sync and async alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from aimlapi_core._client_settings import DEFAULT_MAX_INTERVAL, DEFAULT_POLL_INTERVAL
from aimlapi_core._types import ChatResult

# The Batches API (``_batches``, ``wire.batches``) is imported when a batch is used, not here:
# both adapters' chat modules import their batch handle, and a chat call needs none of it.
if TYPE_CHECKING:
    from aimlapi_core._async_client import AsyncAIMLAPIClient
    from aimlapi_core._batches import ProgressCallback
    from aimlapi_core._client import AIMLAPIClient
    from aimlapi_core.wire.batches import Batch

__all__ = ["BatchHandle", "bar_progress"]

T = TypeVar("T")


class BatchHandle(Generic[T]):
    """One batch, known by its id; resumable from any process (``batch_resume(id)``).

    Subclasses give ``_convert`` (a ``ChatResult`` → the framework's message). ``size`` is the
    number of inputs when this process submitted them, else ``None`` (taken from the results).
    """

    def __init__(
        self,
        batch_id: str,
        *,
        size: int | None,
        sync_client: Callable[[], AIMLAPIClient],
        async_client: Callable[[], AsyncAIMLAPIClient],
    ) -> None:
        self._id = batch_id
        self._size = size
        self._sync_client = sync_client
        self._async_client = async_client
        self._done: Batch | None = None  # an ended batch's answer never changes: kept
        # How many requests the server counted while the batch ran: the size of a resumed
        # batch, so results missing at its end are errors in their slots, not a shorter list.
        self._counted: int | None = None

    @property
    def id(self) -> str:
        """The batch id: keep it to pick the batch up later with ``batch_resume(id)``."""
        return self._id

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self._id!r}, size={self._size})"

    def _convert(self, result: ChatResult) -> T:
        raise NotImplementedError

    def _bar(self) -> Callable[..., Any]:
        """The bar class ``progress=True`` draws with (``tqdm.tqdm``): the adapters import it,
        the core imports no progress library."""
        raise NotImplementedError

    def _wait_args(
        self,
        timeout: float | None,
        poll_interval: float,
        max_interval: float,
        progress: bool | ProgressCallback,
    ) -> dict[str, Any]:
        """``batches.wait``'s keyword arguments for ``results``/``aresults``."""
        report = bar_progress(self._bar()) if progress is True else progress or None

        def on_progress(batch: Batch) -> None:
            self._keep(batch)
            if report is not None:
                report(batch)

        return {
            "timeout": timeout,
            "poll_interval": poll_interval,
            "max_interval": max_interval,
            "on_progress": on_progress,
        }

    def _keep(self, batch: Batch) -> Batch:
        if batch.results is not None:
            self._done = batch
        elif batch.counts is not None and batch.counts.total:  # a running batch's own count
            self._counted = max(self._counted or 0, batch.counts.total)
        return batch

    def _slots(self, batch: Batch, return_exceptions: bool) -> list[T | Exception]:
        from aimlapi_core._batches import in_input_order

        out: list[T | Exception] = []
        size = self._size if self._size is not None else self._counted
        for slot in in_input_order(batch, size):
            if isinstance(slot, ChatResult):
                out.append(self._convert(slot))
            elif return_exceptions:
                out.append(slot)
            else:
                raise slot
        return out

    # ------------------------------------------------------------------ sync

    def status(self) -> Batch:
        """The batch now (``.status``, ``.counts``, ``.done``); one request."""
        if self._done is not None:
            return self._done
        return self._keep(self._sync_client().batches.retrieve(self._id))

    def results(
        self,
        timeout: float | None = None,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        *,
        max_interval: float = DEFAULT_MAX_INTERVAL,
        return_exceptions: bool = False,
        progress: bool | ProgressCallback = False,
    ) -> list[T | Exception]:
        """Wait for the batch (polling with backoff) and return one answer per input, in input
        order. A failed request raises its error, or with ``return_exceptions=True`` its error
        takes its slot — as ``batch`` does. Past ``timeout`` seconds: ``BatchTimeoutError``
        (the batch goes on; call again). A cancelled batch raises ``BatchError``.
        ``progress``: ``True`` for a progress bar (tqdm), or a callback given each
        :class:`Batch` polled."""
        batch = self._done
        if batch is None:
            wait = self._wait_args(timeout, poll_interval, max_interval, progress)
            batch = self._keep(self._sync_client().batches.wait(self._id, **wait))
        return self._slots(batch, return_exceptions)

    def cancel(self) -> Batch:
        """Ask the server to cancel the batch (``BadRequestError`` once it has ended)."""
        return self._sync_client().batches.cancel(self._id)

    # ------------------------------------------------------------------ async

    async def astatus(self) -> Batch:
        if self._done is not None:
            return self._done
        return self._keep(await self._async_client().batches.retrieve(self._id))

    async def aresults(
        self,
        timeout: float | None = None,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        *,
        max_interval: float = DEFAULT_MAX_INTERVAL,
        return_exceptions: bool = False,
        progress: bool | ProgressCallback = False,
    ) -> list[T | Exception]:
        batch = self._done
        if batch is None:
            wait = self._wait_args(timeout, poll_interval, max_interval, progress)
            batch = self._keep(await self._async_client().batches.wait(self._id, **wait))
        return self._slots(batch, return_exceptions)

    async def acancel(self) -> Batch:
        return await self._async_client().batches.cancel(self._id)


def bar_progress(make_bar: Callable[..., Any]) -> ProgressCallback:
    """A progress callback drawing the requests done on a bar made by ``make_bar`` on the first
    poll (``tqdm.tqdm``'s signature and attributes); the bar closes once the batch is done."""
    bar: Any = None

    def update(batch: Batch) -> None:
        nonlocal bar
        total = batch.counts.total if batch.counts is not None else None
        if bar is None:
            bar = make_bar(total=total, desc=f"batch {batch.id}", unit="req")
        if batch.counts is not None:
            bar.total = total
            bar.n = batch.counts.total - batch.counts.processing
        bar.set_postfix_str(batch.status, refresh=False)
        bar.refresh()
        if batch.done:
            bar.close()

    return update
