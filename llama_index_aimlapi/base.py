"""``AIMLAPI``: a LlamaIndex ``FunctionCallingLLM`` for the AI/ML API's Claude models.

Thin glue: LlamaIndex messages are converted to the core's neutral ``ChatRequest``
(``_convert.py``, ``_tools.py``), sent by one pooled ``aimlapi_core`` client per instance, and
the neutral result or stream events come back as ``ChatResponse`` values (``_responses.py``).
This module holds the settings and the chat / completion / batch surface; the tool-calling and
structured-output surface is the ``FunctionCalling`` mixin (``_function_calling.py``), the
metadata from the catalogue ``_metadata.py``. HTTP, retries, SSE and wire JSON all live in
``aimlapi_core``.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseAsyncGen,
    CompletionResponseGen,
    LLMMetadata,
    MessageRole,
)
from llama_index.core.bridge.pydantic import Field, SecretStr, field_serializer
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.function_calling import FunctionCallingLLM
from pydantic import field_validator

from aimlapi_core import ChatRequest, ChatResult, ServerToolSpec, ToolSpec
from aimlapi_core.adapter import (
    check_settings,
    field_names,
    redact_headers,
    reject_unknown,
    rules,
    settings_errors,
)

from ._batch import AIMLAPIBatch
from ._clients import CoreClients
from ._convert import to_core_messages
from ._function_calling import FunctionCalling
from ._metadata import metadata_dump, metadata_fields
from ._responses import StreamResponses, chat_response, completion_response
from ._tokens import ClaudeTokenEstimator
from ._tools import server_tool_spec, to_tool_specs

if TYPE_CHECKING:
    import httpx


DEFAULT_MODEL = "claude-sonnet-4-20250514"
# Claude 4 pages document a 32000 default and Claude 3 pages 512 (docs/wire.md "Request on
# /chat/completions"), so a value is always sent; 4096 keeps answers bounded and leaves
# LlamaIndex's prompt helper most of the window.
DEFAULT_MAX_TOKENS = 4096
# Request fields a call may override; their defaults are the fields of the same name.
_FIELD_KWARGS = ("model", "max_tokens", "temperature", "top_p", "top_k")


class AIMLAPI(CoreClients, FunctionCalling, FunctionCallingLLM):
    """Claude models on the AI/ML API, for LlamaIndex query engines, chat engines and agents.

    Example:
        ```python
        from llama_index_aimlapi import AIMLAPI

        llm = AIMLAPI(model="claude-sonnet-4-20250514", api_key="...")  # or AIMLAPI_API_KEY
        print(llm.complete("Say hello").text)
        ```

    By default each model goes to the endpoint the catalogue names for it: the Anthropic-native
    ``/messages`` wherever the docs list the id there (thinking signatures round-trip, documents
    and cache points can be sent), ``/chat/completions`` otherwise; ``api=`` fixes one. The API
    key is never serialized or shown.
    """

    model: str = Field(default=DEFAULT_MODEL, description="Model id, any spelling the API takes.")
    base_url: str | None = Field(default=None, description="Defaults to env AIMLAPI_BASE_URL.")
    api: Literal["chat_completions", "messages"] | None = Field(
        default=None,
        description="None: per model, the full-fidelity endpoint the catalogue names "
        "(/messages where a /v1/messages schema lists the id); or fix one.",
    )
    # Ranges are checked by the core at construction (``check_settings``), with the
    # words ChatAIMLAPI uses for the same mistake, not by pydantic constraints.
    max_tokens: int = Field(default=DEFAULT_MAX_TOKENS)
    temperature: float | None = Field(default=None, description="0 to 1.")
    top_p: float | None = Field(default=None, description="0 to 1.")
    top_k: int | None = Field(default=None, description="1 or more.")
    stop_sequences: list[str] = Field(default_factory=list)
    thinking: dict[str, Any] | int | str | None = Field(
        default=None,
        description='Budget in tokens, {"type": "enabled", "budget_tokens": N}, "adaptive" or '
        '{"type": "adaptive", "display": "summarized" | "omitted"} (per model).',
    )
    server_tools: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Server tools the API runs itself, sent with every request, e.g. "
        '{"type": "web_search_20250305", "name": "web_search", "max_uses": 3}.',
    )
    prompt_caching: str | dict[str, Any] | None = Field(
        default=None,
        description='"auto": cache breakpoints on the last tool, the system prompt and the '
        "conversation tail of every request (agents and chat engines pay a tenth for what they "
        'repeat; docs/caching.md); {"type": "auto", "ttl": "1h"} for the options; None: off.',
    )
    timeout: float | None = Field(
        default=None,
        description="Seconds for every phase; None: the core's 60 s, with 600 s to read.",
    )
    deadline: float | None = Field(
        default=None,
        description="Seconds one call may take in all, retries and streaming included; None: off.",
    )
    max_retries: int = Field(default=2)
    # Not in repr: a header may carry a credential (serialization redacts those, see below).
    default_headers: dict[str, str] | None = Field(default=None, repr=False)
    additional_kwargs: dict[str, Any] = Field(
        default_factory=dict, description="Extra request-body fields, merged last."
    )
    context_window: int | None = Field(default=None, description="Overrides the catalogue.")
    num_output: int | None = Field(default=None, description="Overrides max_tokens in metadata.")

    def __init__(
        self,
        *,
        api_key: str | SecretStr | None = None,
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
        **kwargs: Any,
    ) -> None:
        # Validated here, with the same types and words as ChatAIMLAPI: an unknown keyword
        # (``temprature=``) raises UnknownArgumentError naming the field meant; settings the API
        # would refuse raise InvalidRequestError.
        reject_unknown("AIMLAPI", kwargs, _accepted_names(), passthrough="additional_kwargs={...}")
        with settings_errors("AIMLAPI"):
            super().__init__(**kwargs)
        check_settings(self)
        if api_key is not None:
            self._api_key = api_key if isinstance(api_key, SecretStr) else SecretStr(api_key)
        self._http_client = http_client
        self._async_http_client = async_http_client

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

    @field_serializer("default_headers")
    def _redact_headers(self, headers: dict[str, str] | None) -> dict[str, str] | None:
        return redact_headers(headers)

    @classmethod
    def class_name(cls) -> str:
        return "AIMLAPI_LLM"

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(
            **metadata_fields(self.model, self.context_window, self.num_output, self.max_tokens)
        )

    def to_payload(self) -> dict[str, Any]:
        # LlamaIndex calls this on every chat/complete (the callbacks' model_dict): its default,
        # {"class_name": ..., **self.metadata.model_dump()}, built a validated LLMMetadata and
        # dumped it each time. The dump depends only on the four fields metadata reads, so it is
        # made once per value of those (a new dict each call: callers may change theirs).
        if type(self).metadata is not AIMLAPI.metadata:
            # A subclass's own metadata, dumped as LlamaIndex's default does (written out: the
            # oldest llama-index-core supported, 0.14.5, has no to_payload to call).
            return {"class_name": self.class_name(), **self.metadata.model_dump()}
        dump = metadata_dump(self.model, self.context_window, self.num_output, self.max_tokens)
        return {"class_name": self.class_name(), **dump}

    @property
    def tokenizer(self) -> ClaudeTokenEstimator:
        """An estimating tokenizer for LlamaIndex (``Settings.tokenizer = llm.tokenizer``);
        see :class:`~llama_index_aimlapi._tokens.ClaudeTokenEstimator`. No download."""
        return ClaudeTokenEstimator()

    # ------------------------------------------------------------------ clients

    def _client_options(self) -> dict[str, Any]:
        key = self._api_key.get_secret_value() if self._api_key is not None else None
        return {
            "api_key": key,
            "base_url": self.base_url,
            "api": self.api,
            "timeout": self.timeout,
            "deadline": self.deadline,
            "max_retries": self.max_retries,
            "default_headers": self.default_headers,
        }

    # ------------------------------------------------------------------ requests

    def _request(self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]) -> ChatRequest:
        """The neutral request for ``messages`` and per-call ``kwargs``; every error about the
        input is raised here, before any I/O."""
        kwargs = dict(kwargs)
        pop = kwargs.pop
        fields = {name: pop(name, getattr(self, name)) for name in _FIELD_KWARGS}
        # Per call only: ``self.metadata`` is LlamaIndex's LLMMetadata, not the request's.
        request_metadata = pop("metadata", None)
        thinking = rules.thinking_setting(pop("thinking", self.thinking))
        caching = rules.prompt_caching_setting(pop("prompt_caching", self.prompt_caching))
        given = list(pop("tools", None) or ())
        tools: list[ToolSpec | ServerToolSpec] = []
        if given or self.server_tools:
            server = [*self.server_tools, *(x for x in given if isinstance(x, dict))]
            tools = [
                *to_tool_specs([x for x in given if not isinstance(x, dict)] or None),
                *(server_tool_spec(x) for x in server),
            ]
        choice = rules.resolve_tool_choice(
            pop("tool_choice", None),
            [tool.name for tool in tools],
            thinking=thinking.on,
            parallel=pop("allow_parallel_tool_calls", None),
        )
        stop = pop("stop_sequences", self.stop_sequences)
        extra_body = {**self.additional_kwargs, **(pop("extra_body", None) or {})}
        extra_headers = pop("extra_headers", None)
        if kwargs:  # anything left is unknown
            reject_unknown(
                "AIMLAPI.chat",
                kwargs,
                (
                    *_FIELD_KWARGS,
                    "metadata",
                    "thinking",
                    "prompt_caching",
                    "tools",
                    "tool_choice",
                    "stop_sequences",
                ),
                passthrough="extra_body={...} (per call) or additional_kwargs={...} (on the model)",
            )
        system, turns = to_core_messages(messages)
        return ChatRequest(
            messages=turns,
            system=system,
            stop_sequences=list(stop or ()),
            tools=tools,
            tool_choice=choice,
            **thinking.request_fields(),
            extra_body=extra_body or None,
            extra_headers=extra_headers,
            metadata=request_metadata,
            prompt_caching=caching,
            **fields,
        )

    def _result(self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]) -> ChatResult:
        return self._sync_core().create(self._request(messages, kwargs))

    async def _aresult(self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]) -> ChatResult:
        return await self._async_core().create(self._request(messages, kwargs))

    def _stream(self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]) -> ChatResponseGen:
        request = self._request(messages, kwargs)  # input errors now, not on first next()
        client = self._sync_core()

        def gen() -> ChatResponseGen:
            with client.stream(request) as stream:
                state = StreamResponses(stream.partial_parts)
                for event in stream:
                    response = state.on_event(event)
                    if response is not None:
                        yield response
                final = stream.get_final_result()
            yield chat_response(final, delta="")

        return gen()

    def _astream(
        self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]
    ) -> ChatResponseAsyncGen:
        request = self._request(messages, kwargs)
        client = self._async_core()

        async def gen() -> ChatResponseAsyncGen:
            async with client.stream(request) as stream:
                state = StreamResponses(stream.partial_parts)
                async for event in stream:
                    response = state.on_event(event)
                    if response is not None:
                        yield response
                final = await stream.get_final_result()
            yield chat_response(final, delta="")

        return gen()

    # ------------------------------------------------------------------ chat

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        return chat_response(self._result(messages, kwargs))

    @llm_chat_callback()
    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        return chat_response(await self._aresult(messages, kwargs))

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        return self._stream(messages, kwargs)

    @llm_chat_callback()
    async def astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        return self._astream(messages, kwargs)

    # ------------------------------------------------------------------ completion
    # These call the undecorated internals: calling self.chat would fire a second LLM event
    # for the same call, and token counters would count it twice.

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return completion_response(chat_response(self._result(_prompt(prompt), kwargs)))

    @llm_completion_callback()
    async def acomplete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponse:
        return completion_response(chat_response(await self._aresult(_prompt(prompt), kwargs)))

    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        chunks = self._stream(_prompt(prompt), kwargs)
        return (completion_response(chunk) for chunk in chunks)

    @llm_completion_callback()
    async def astream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseAsyncGen:
        chunks = self._astream(_prompt(prompt), kwargs)

        async def gen() -> CompletionResponseAsyncGen:
            async for chunk in chunks:
                yield completion_response(chunk)

        return gen()

    # ------------------------------------------------------------------ Batches API

    def batch_submit(
        self, message_lists: Sequence[Sequence[ChatMessage]], **kwargs: Any
    ) -> AIMLAPIBatch:
        """Submit one chat per message list to the Batches API (up to half the price, answers
        within about an hour). Single-turn text only (user messages, a system prompt); anything
        else raises before any request. ``kwargs`` are ``chat``'s. See ``docs/batches.md``.

        Example:
            ```python
            job = llm.batch_submit([[ChatMessage(role="user", content="Capital of Peru?")]])
            responses = job.results(timeout=3600)  # ChatResponses, in input order
            ```
        """
        requests = [self._request(messages, kwargs) for messages in message_lists]
        batch = self._sync_core().batches.create(requests)
        return AIMLAPIBatch(self, batch.id, size=len(requests))

    async def abatch_submit(
        self, message_lists: Sequence[Sequence[ChatMessage]], **kwargs: Any
    ) -> AIMLAPIBatch:
        """Async :meth:`batch_submit`."""
        requests = [self._request(messages, kwargs) for messages in message_lists]
        batch = await self._async_core().batches.create(requests)
        return AIMLAPIBatch(self, batch.id, size=len(requests))

    def batch_resume(self, batch_id: str) -> AIMLAPIBatch:
        """The handle of a batch submitted earlier, by any process (no request is sent)."""
        return AIMLAPIBatch(self, batch_id, size=None)


@functools.cache
def _accepted_names() -> frozenset[str]:
    return frozenset({*field_names(AIMLAPI), "api_key", "http_client", "async_http_client"})


def _prompt(prompt: str) -> list[ChatMessage]:
    return [ChatMessage(role=MessageRole.USER, content=prompt)]
