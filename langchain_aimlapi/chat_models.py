"""``ChatAIMLAPI``: the AI/ML API's Claude models as a LangChain chat model.

A thin ``BaseChatModel`` over :mod:`aimlapi_core`: it converts LangChain messages and tools to
the core's neutral request, lets the core client do all I/O (HTTP, retries, SSE, image
fetching), and converts the neutral result and stream events back. See ``_request.py`` for
the per-call request (``CallRequests``), ``_convert.py`` and ``_tools.py`` for the mappings,
``_structured.py`` for ``bind_tools`` and structured output
(the ``ToolCalling`` mixin) and each call's answer tool and reading of the reply,
``_batch.py`` for the Batches API (``BatchSubmission``), ``_tokens.py`` for the token
estimates (``TokenEstimates``).
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Iterator
from typing import Any, Literal

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import LangSmithParams
from langchain_core.language_models.chat_models import (
    BaseChatModel,
    agenerate_from_stream,
    generate_from_stream,
)
from langchain_core.language_models.model_profile import ModelProfile
from langchain_core.messages import BaseMessage
from langchain_core.messages.block_translators import register_translator
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.utils import secret_from_env
from pydantic import ConfigDict, Field, SecretStr, field_serializer, field_validator

import aimlapi_core as t
from aimlapi_core.adapter import (
    check_settings,
    field_names,
    redact_headers,
    reject_unknown,
    rules,
    settings_errors,
)
from aimlapi_core.catalog import default_api

from . import _errors, _profile, _results
from ._batch import BatchSubmission
from ._clients import CoreClients
from ._content_blocks import translate_content, translate_content_chunk
from ._request import CallRequests
from ._results import PROVIDER
from ._structured import (
    AnswerTool,
    ToolCalling,
    aanswer_events,
    answer_events,
    answer_tool,
    answered,
)
from ._tokens import TokenEstimates

DEFAULT_MODEL = "claude-sonnet-4-20250514"

register_translator(PROVIDER, translate_content, translate_content_chunk)


class ChatAIMLAPI(
    CoreClients, CallRequests, ToolCalling, BatchSubmission, TokenEstimates, BaseChatModel
):
    """Claude models through the AI/ML API (https://aimlapi.com).

    Setup: ``pip install "aimlapi-integrations[langchain]"`` and set ``AIMLAPI_API_KEY``.

    Example:
        .. code-block:: python

            from langchain_aimlapi import ChatAIMLAPI

            llm = ChatAIMLAPI(model="claude-sonnet-4-20250514", max_tokens=1024)
            llm.invoke("Say hi").text

            # Signed thinking round-trips across turns (the default endpoint, /messages).
            thinker = ChatAIMLAPI(thinking=2048, max_tokens=4096)

    Output content uses Claude's block shapes (``text``, ``thinking`` + ``signature``,
    ``redacted_thinking``); ``content_blocks`` gives LangChain's standard blocks (``reasoning``,
    ``tool_call``). Tool calls are in ``tool_calls``. Streams end with a chunk whose
    ``chunk_position`` is ``"last"`` carrying usage once and the response metadata.
    """

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True)

    model: str = Field(default=DEFAULT_MODEL, alias="model_name")
    """Model id, in any of the gateway's spellings. A per-call ``model=`` overrides it."""
    api_key: SecretStr | None = Field(
        default_factory=secret_from_env("AIMLAPI_API_KEY", default=None), alias="aimlapi_api_key"
    )
    """Defaults to ``AIMLAPI_API_KEY``. Not needed to build or serialize the model."""
    base_url: str | None = Field(default=None, alias="aimlapi_api_base")
    """Defaults to ``AIMLAPI_BASE_URL`` or ``https://api.aimlapi.com/v1`` (resolved by the core)."""
    api: Literal["chat_completions", "messages"] | None = None
    """Wire dialect: ``None`` (default) picks per model the full-fidelity endpoint the
    catalogue names (Anthropic-native ``/messages`` for every id a /v1/messages schema lists:
    signed thinking replayed, caching, documents; ``/chat/completions`` for the ids documented
    there only); ``"chat_completions"`` or ``"messages"`` fix it (docs/agents.md)."""
    max_tokens: int = 4096
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    stop: list[str] | None = Field(default=None, alias="stop_sequences")
    thinking: dict[str, Any] | int | str | None = None
    """``{"type": "enabled", "budget_tokens": N}`` or just ``N``; ``"adaptive"`` or
    ``{"type": "adaptive", "display": "summarized" | "omitted"}`` (models whose schema lists
    it); ``None`` turns thinking off."""
    prompt_caching: str | dict[str, Any] | None = None
    """``"auto"``: cache breakpoints on the last tool, the system prompt and the conversation
    tail of every request, so agent loops pay a tenth for what they repeat (docs/caching.md);
    ``{"type": "auto", "ttl": "1h", "unsupported_model_behavior": "raise"}`` for the options;
    ``None`` (default): only the ``cache_control`` you set yourself."""
    timeout: float | None = None
    deadline: float | None = None
    """Seconds one call may take in all (retries, sleeps, the whole body or stream); ``None``
    (default): unbounded, ``timeout`` bounds each connect and read only."""
    max_retries: int = 2
    default_headers: dict[str, str] | None = Field(default=None, repr=False)
    """Extra headers; not shown by ``repr`` (one may carry a credential). Put the key itself in
    ``api_key``: ``dumps`` writes headers in clear (langchain-core escapes nested secrets)."""
    streaming: bool = False
    stream_usage: bool = True
    """Put usage on the final streamed chunk."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Extra top-level request body fields, passed through the core's ``extra_body``."""
    http_client: Any = Field(default=None, exclude=True)
    """An ``httpx.Client`` to send requests with (e.g. with a proxy or a mock transport)."""
    http_async_client: Any = Field(default=None, exclude=True)
    """An ``httpx.AsyncClient`` for the async methods."""

    def __init__(self, **kwargs: Any) -> None:
        """Validated here, not at the first call: an unknown keyword (``temprature=``) raises
        ``UnknownArgumentError`` naming the field meant, and settings the API would refuse raise
        ``InvalidRequestError`` — the same types and words as ``llama_index_aimlapi.AIMLAPI``."""
        reject_unknown("ChatAIMLAPI", kwargs, _accepted_names(), passthrough="model_kwargs={...}")
        with settings_errors("ChatAIMLAPI"):
            super().__init__(**kwargs)
        check_settings(self)

    @field_validator("thinking", mode="before")
    @classmethod
    def _check_thinking(cls, value: Any) -> Any:
        rules.thinking_budget(value)  # the core's rule: InvalidRequestError (a ValueError)
        return value

    @field_validator("prompt_caching", mode="before")
    @classmethod
    def _check_prompt_caching(cls, value: Any) -> Any:
        rules.prompt_caching_setting(value)  # the core's rule, as for thinking
        return value

    # ------------------------------------------------------------------ LangChain plumbing

    @property
    def _llm_type(self) -> str:
        return "aimlapi-chat"

    def _resolve_model_profile(self) -> ModelProfile | None:
        return _profile.model_profile(self.model, self.api or default_api(self.model))

    @property
    def _default_config(self) -> dict[str, str]:
        """The tool dialect, for LangChain code that picks provider-native tools by provider
        (``ProviderToolSearchMiddleware`` reads it as on its configurable models): Claude's,
        which the AI/ML API takes as documented (server tools such as
        ``tool_search_tool_bm25_20251119``, ``defer_loading`` on custom tools). Tracing keeps
        ``ls_provider="aimlapi"``."""
        return {"model_provider": "anthropic"}

    @field_serializer("default_headers")
    def _redact_headers(self, headers: dict[str, str] | None) -> dict[str, str] | None:
        return redact_headers(headers)  # model_dump / model_dump_json

    @property
    def lc_secrets(self) -> dict[str, str]:
        return {"api_key": "AIMLAPI_API_KEY"}

    @classmethod
    def is_lc_serializable(cls) -> bool:
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        return ["langchain_aimlapi", "chat_models"]

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "api": self.api,
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "top_k": self.top_k,
            "thinking": self.thinking,
            "prompt_caching": self.prompt_caching,
            **self.model_kwargs,
        }

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = LangSmithParams(
            ls_provider="aimlapi",
            ls_model_name=kwargs.get("model") or self.model,
            ls_model_type="chat",
            ls_max_tokens=kwargs.get("max_tokens") or self.max_tokens,
        )
        temperature = kwargs.get("temperature", self.temperature)
        if temperature is not None:
            params["ls_temperature"] = temperature
        if stop_sequences := stop or self.stop:
            params["ls_stop"] = stop_sequences
        return params

    @property
    def thinking_budget(self) -> int | None:
        return rules.thinking_budget(self.thinking)

    @property
    def thinking_setting(self) -> rules.ThinkingSetting:
        """``thinking`` read by the core's one reader: budget, adaptive, display."""
        return rules.thinking_setting(self.thinking)

    # ------------------------------------------------------------------ core clients

    def _client_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {
            "api_key": self.api_key.get_secret_value() if self.api_key else None,
            "base_url": self.base_url,
            "api": self.api,
            "max_retries": self.max_retries,
            "default_headers": self.default_headers,
        }
        if self.timeout is not None:
            options["timeout"] = self.timeout
        if self.deadline is not None:
            options["deadline"] = self.deadline
        return options

    def _stream_usage(self, kwargs: dict[str, Any]) -> bool:
        return bool(kwargs.get("stream_usage", self.stream_usage))

    def _reply(
        self,
        result: t.ChatResult,
        request: t.ChatRequest,
        kwargs: dict[str, Any],
        answer: AnswerTool | None,
    ) -> ChatResult:
        _, message = answered(result, request.model, kwargs, answer)
        return ChatResult(generations=[ChatGeneration(message=message)])

    # ------------------------------------------------------------------ generate / stream

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.streaming:
            return generate_from_stream(self._stream(messages, stop, run_manager, **kwargs))
        answer = answer_tool(kwargs)
        request = self._request(messages, stop, kwargs, answer)
        with _errors.translated():
            result = self._sync_core().create(request)
        return self._reply(result, request, kwargs, answer)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.streaming:
            return await agenerate_from_stream(self._astream(messages, stop, run_manager, **kwargs))
        answer = answer_tool(kwargs)
        request = self._request(messages, stop, kwargs, answer)
        with _errors.translated():
            result = await self._async_core().create(request)
        return self._reply(result, request, kwargs, answer)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        answer = answer_tool(kwargs)
        request = self._request(messages, stop, kwargs, answer)
        with _errors.translated(), self._sync_core().stream(request) as stream:
            chunks = _results.ChunkStream()
            for event in answer_events(stream, answer):
                if (chunk := chunks.on_event(event)) is not None:
                    generation = ChatGenerationChunk(message=chunk)
                    if run_manager:
                        run_manager.on_llm_new_token(chunk.text, chunk=generation)
                    yield generation
            final = stream.get_final_result()
        yield self._final_chunk(chunks, final, request, kwargs, answer)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        answer = answer_tool(kwargs)
        request = self._request(messages, stop, kwargs, answer)
        with _errors.translated():
            async with self._async_core().stream(request) as stream:
                chunks = _results.ChunkStream()
                async for event in aanswer_events(stream, answer):
                    if (chunk := chunks.on_event(event)) is not None:
                        generation = ChatGenerationChunk(message=chunk)
                        if run_manager:
                            await run_manager.on_llm_new_token(chunk.text, chunk=generation)
                        yield generation
                final = await stream.get_final_result()
        yield self._final_chunk(chunks, final, request, kwargs, answer)

    def _final_chunk(
        self,
        chunks: _results.ChunkStream,
        final: t.ChatResult,
        request: t.ChatRequest,
        kwargs: dict[str, Any],
        answer: AnswerTool | None,
    ) -> ChatGenerationChunk:
        final, _ = answered(final, request.model, kwargs, answer)
        with_usage = self._stream_usage(kwargs)
        return ChatGenerationChunk(
            message=chunks.final(final, request.model, with_usage=with_usage)
        )


@functools.cache
def _accepted_names() -> frozenset[str]:
    return frozenset(field_names(ChatAIMLAPI))


ChatAimlapi = ChatAIMLAPI
"""The name the older ``langchain-aimlapi`` package used."""
