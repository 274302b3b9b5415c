"""The Batches API for LlamaIndex: ``AIMLAPI.batch_submit`` / ``batch_resume`` and the
:class:`AIMLAPIBatch` handle, whose results are ``ChatResponse`` values in input order."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from llama_index.core.base.llms.types import ChatResponse

from aimlapi_core import ChatResult
from aimlapi_core._batch_handle import BatchHandle

from ._responses import chat_response

if TYPE_CHECKING:
    from .base import AIMLAPI

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

    def __init__(self, llm: AIMLAPI, batch_id: str, *, size: int | None) -> None:
        super().__init__(
            batch_id, size=size, sync_client=llm._sync_client, async_client=llm._async_client
        )

    def _convert(self, result: ChatResult) -> ChatResponse:
        return chat_response(result)

    def _bar(self) -> Callable[..., Any]:
        from tqdm import tqdm  # a dependency of llama-index-core

        bar: Callable[..., Any] = tqdm  # untyped package
        return bar
