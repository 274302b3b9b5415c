"""The Batches API for LlamaIndex: ``AIMLAPI.batch_submit`` / ``batch_resume`` and the
:class:`AIMLAPIBatch` handle, whose results are ``ChatResponse`` values in input order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from llama_index.core.base.llms.types import ChatResponse

from aimlapi_core import ChatResult
from aimlapi_core.adapter import BatchHandle, CoreClients

from ._responses import chat_response

__all__ = ["AIMLAPIBatch"]


class AIMLAPIBatch(BatchHandle[ChatResponse]):
    """A submitted batch: ``.id``, ``.status()``, ``.results(...)``, ``.cancel()`` and the
    async twins ``astatus`` / ``aresults`` / ``acancel``.

    Example:
        ```python
        job = llm.batch_submit([[ChatMessage(role="user", content="Hi")]])
        print(job.id)  # AIMLAPI(...).batch_resume(job.id) picks it up in another process
        for response in job.results(timeout=3600):
            print(response.message.content, response.additional_kwargs["usage"])
        ```
    """

    def __init__(self, clients: CoreClients, batch_id: str, *, size: int | None) -> None:
        # Built from the model's core clients, not the model: this module does not know it.
        super().__init__(
            batch_id, size=size, sync_client=clients._sync_core, async_client=clients._async_core
        )

    def _convert(self, result: ChatResult) -> ChatResponse:
        return chat_response(result)

    def _bar(self) -> Callable[..., Any]:
        from tqdm import tqdm  # a dependency of llama-index-core

        bar: Callable[..., Any] = tqdm  # untyped package
        return bar
