"""The batches one emulator knows, and the background work that answers their requests.

What a batch *is* (its object, its results as JSON Lines) lives here; how each of its requests
is answered is the caller's (``_batches.py`` passes the chat pipeline), so the store needs
nothing of the server.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import secrets
import string
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ._envelopes import APIError

_ALPHABET = string.ascii_letters + string.digits

# One request of a batch answered: (params, the create call's headers) -> a result object
# ({"type": "succeeded", "message": ...} or {"type": "errored", "error": ...}).
AnswerOne = Callable[[dict[str, Any], dict[str, str]], dict[str, Any]]


@dataclass
class Batch:
    id: str
    created_at: dt.datetime
    requests: list[tuple[str, dict[str, Any]]]
    polls_left: int
    headers: dict[str, str] = field(default_factory=dict)  # the create call's, key redacted
    results: bytes | None = None  # JSON Lines, once processed
    counts: dict[str, int] = field(default_factory=dict)
    cancel_initiated_at: dt.datetime | None = None

    def object(self, processing_status: str) -> dict[str, Any]:
        """The batch object of batch-create.json's 200 schema."""
        n = len(self.requests)
        counts = {"processing": n, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}
        if processing_status == "ended":
            counts = {"processing": 0, "canceled": 0, "expired": 0, **self.counts}
        return {
            "id": self.id,
            "type": "message_batch",
            "processing_status": processing_status,
            "request_counts": counts,
            "ended_at": None,
            "created_at": self.created_at.isoformat(),
            "expires_at": (self.created_at + dt.timedelta(days=1)).isoformat(),
            "archived_at": None,
            "cancel_initiated_at": (
                self.cancel_initiated_at.isoformat() if self.cancel_initiated_at else None
            ),
            "results_url": None,
        }


class BatchStore:
    """The batches one emulator knows. ``generating_polls``: how many GETs answer "generating"
    before the results (at least until the background processing is done)."""

    def __init__(self, generating_polls: int = 1) -> None:
        if generating_polls < 0:
            raise ValueError(f"batch_polls must be >= 0, got {generating_polls}")
        self.generating_polls = generating_polls
        self._batches: dict[str, Batch] = {}
        self._lock = threading.Lock()
        self._tasks: set[asyncio.Task[None]] = set()

    def add(
        self,
        requests: list[tuple[str, dict[str, Any]]],
        headers: dict[str, str],
        answer_one: AnswerOne,
    ) -> Batch:
        """A new batch, its requests answered by ``answer_one`` in a background thread."""
        batch = Batch(
            id="".join(secrets.choice(_ALPHABET) for _ in range(21)),
            created_at=dt.datetime.now(dt.timezone.utc),
            requests=requests,
            polls_left=self.generating_polls,
            headers=headers,
        )
        with self._lock:
            self._batches[batch.id] = batch
        work = asyncio.to_thread(_process, batch, answer_one)
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return batch

    def get(self, batch_id: str) -> Batch:
        with self._lock:
            batch = self._batches.get(batch_id)
        if batch is None:
            raise APIError(404, f"Batch {batch_id} not found")
        return batch


def _process(batch: Batch, answer_one: AnswerOne) -> None:
    """Every request answered in order; whatever one request meets, the batch ends."""
    lines, counts = [], {"succeeded": 0, "errored": 0}
    for custom_id, params in batch.requests:
        try:
            outcome = answer_one(params, batch.headers)
        except BaseException as exc:  # that request's error, never the whole batch's
            failure = f"aimlapi_emulator could not answer this request: {type(exc).__name__}: {exc}"
            outcome = errored("api_error", failure)
        counts[outcome["type"]] += 1
        lines.append(json.dumps({"custom_id": custom_id, "result": outcome}))
    batch.counts = counts
    batch.results = ("\n".join(lines) + "\n").encode()


def errored(kind: str, message: str) -> dict[str, Any]:
    """An ``errored`` result with Anthropic's error object."""
    return {
        "type": "errored",
        "error": {"type": "error", "error": {"type": kind, "message": message}},
    }
