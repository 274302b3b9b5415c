"""The Batches API for LangChain: ``ChatAIMLAPI.batch_submit`` / ``batch_resume`` and the
:class:`AIMLAPIBatch` handle, plus the binding that carries bound tools into ``batch_submit``.

Bound arguments: ``llm.bind_tools(tools)`` returns a :class:`AIMLAPIBinding`, a
``RunnableBinding`` whose ``batch_submit`` passes the bound kwargs (tools, tool_choice, stop,
max_tokens…) on, exactly as ``invoke`` would; a plain ``RunnableBinding`` forwards unknown
attributes without its kwargs, which would silently drop the tools. ``batch_submit(inputs,
tools=..., **kwargs)`` takes the same keyword arguments directly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, cast

from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableBinding

from aimlapi_core import ChatResult
from aimlapi_core.adapter import BatchHandle, CoreClients

from . import _results

if TYPE_CHECKING:
    from langchain_core.language_models import LanguageModelInput
    from langchain_core.language_models.chat_models import BaseChatModel
    from langchain_core.language_models.chat_models import _ChatModelBinding as _Binding
    from langchain_core.messages import BaseMessage

    import aimlapi_core as t
else:
    try:  # langchain-core >= 1.7 types bind() as this (v3 stream_events overloads): keep it
        from langchain_core.language_models.chat_models import _ChatModelBinding as _Binding
    except ImportError:  # older langchain-core: bind() gives a plain RunnableBinding
        _Binding = RunnableBinding

__all__ = ["AIMLAPIBatch", "AIMLAPIBinding", "BatchSubmission"]


class AIMLAPIBatch(BatchHandle[AIMessage]):
    """A submitted batch: ``.id``, ``.status()``, ``.results(...)``, ``.cancel()`` and the
    async twins ``astatus`` / ``aresults`` / ``acancel``.

    Example:
        .. code-block:: python

            job = llm.batch_submit(["Summarise: ...", "Classify: ..."])
            print(job.id)  # keep it: ChatAIMLAPI(...).batch_resume(job.id) in another process
            for message in job.results(timeout=3600, progress=True):
                print(message.text, message.usage_metadata, message.response_metadata["usd_spent"])
    """

    def __init__(
        self, clients: CoreClients, batch_id: str, *, size: int | None, model: str
    ) -> None:
        # Built from the model's core clients, not the model: this module does not know it.
        super().__init__(
            batch_id, size=size, sync_client=clients._sync_core, async_client=clients._async_core
        )
        self._model = model

    def _convert(self, result: ChatResult) -> AIMessage:
        return _results.to_ai_message(result, result.model or self._model)

    def _bar(self) -> Callable[..., Any]:
        try:
            from tqdm import tqdm
        except ImportError as exc:
            raise ImportError(
                "progress=True draws a tqdm bar: pip install tqdm (or the 'ray' extra)"
            ) from exc
        bar: Callable[..., Any] = tqdm  # untyped package
        return bar


class _BatchSubmitter(Protocol):
    """What the binding needs of the model it binds (``ChatAIMLAPI``)."""

    def batch_submit(self, inputs: Sequence[Any], **kwargs: Any) -> AIMLAPIBatch: ...

    async def abatch_submit(self, inputs: Sequence[Any], **kwargs: Any) -> AIMLAPIBatch: ...


class AIMLAPIBinding(_Binding):  # type: ignore[no-redef]  # as langchain-core does itself
    """A ``RunnableBinding`` over :class:`ChatAIMLAPI` whose ``batch_submit`` /
    ``abatch_submit`` carry the bound kwargs (tools, tool_choice, stop...). It serializes as a
    plain ``RunnableBinding``."""

    @classmethod
    def lc_id(cls) -> list[str]:
        return RunnableBinding.lc_id()

    def batch_submit(self, inputs: Sequence[Any], **kwargs: Any) -> AIMLAPIBatch:
        llm = cast("_BatchSubmitter", self.bound)
        return llm.batch_submit(inputs, **{**self.kwargs, **kwargs})

    async def abatch_submit(self, inputs: Sequence[Any], **kwargs: Any) -> AIMLAPIBatch:
        llm = cast("_BatchSubmitter", self.bound)
        return await llm.abatch_submit(inputs, **{**self.kwargs, **kwargs})


if TYPE_CHECKING:

    class _Base(CoreClients, BaseChatModel):  # what ChatAIMLAPI is
        pass

else:  # a plain mixin at run time: ChatAIMLAPI puts BaseChatModel after it in its bases
    _Base = object


class BatchSubmission(_Base):
    """Mixin of :class:`~langchain_aimlapi.ChatAIMLAPI`: the Batches API methods, over the
    model's own request building (``_request``) and core clients."""

    if TYPE_CHECKING:  # ChatAIMLAPI's
        model: str

        def _request(
            self, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any]
        ) -> t.ChatRequest: ...

    def batch_submit(self, inputs: Sequence[LanguageModelInput], **kwargs: Any) -> AIMLAPIBatch:
        """Submit ``inputs`` (as ``batch`` takes them) to the Batches API: one request each,
        at up to half the price, answered within about an hour. Single-turn text only (user
        messages, a system prompt); anything else raises before any request. ``kwargs`` are
        ``invoke``'s (``tools``, ``tool_choice``, ``stop``, ``max_tokens``…); a model from
        ``bind_tools`` passes its bound ones. See ``docs/batches.md``.

        Example:
            .. code-block:: python

                job = llm.batch_submit(["Capital of France?", "Capital of Peru?"])
                answers = job.results(timeout=3600)  # AIMessages, in input order
        """
        requests = self._batch_requests(inputs, kwargs)
        batch = self._sync_core().batches.create(requests)
        return AIMLAPIBatch(
            self, batch.id, size=len(requests), model=kwargs.get("model") or self.model
        )

    async def abatch_submit(
        self, inputs: Sequence[LanguageModelInput], **kwargs: Any
    ) -> AIMLAPIBatch:
        """Async :meth:`batch_submit`."""
        requests = self._batch_requests(inputs, kwargs)
        batch = await self._async_core().batches.create(requests)
        return AIMLAPIBatch(
            self, batch.id, size=len(requests), model=kwargs.get("model") or self.model
        )

    def batch_resume(self, batch_id: str) -> AIMLAPIBatch:
        """The handle of a batch submitted earlier, by any process (no request is sent)."""
        return AIMLAPIBatch(self, batch_id, size=None, model=self.model)

    def _batch_requests(
        self, inputs: Sequence[LanguageModelInput], kwargs: dict[str, Any]
    ) -> list[t.ChatRequest]:
        """The neutral requests for ``inputs`` (as ``batch`` takes them) and invoke-style
        kwargs; every input error is raised here, before any I/O. (``_request`` works on its own
        copy of the kwargs, so one copy here, without ``stop``, serves every input.)"""
        kwargs = dict(kwargs)
        stop = kwargs.pop("stop", None)
        return [self._request(self._convert_input(x).to_messages(), stop, kwargs) for x in inputs]

    def bind(self, **kwargs: Any) -> AIMLAPIBinding:
        """As ``Runnable.bind``; the binding's ``batch_submit`` carries the bound kwargs."""
        return AIMLAPIBinding(bound=self, kwargs=kwargs, config={})
