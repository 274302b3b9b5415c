"""The baselines: a bare httpx call, and each framework's floor.

A framework's floor is the least a chat model of that framework can do: a minimal LangChain
``BaseChatModel`` / LlamaIndex ``CustomLLM`` over httpx that sends the prompt as is and hands
back the answer text with no conversion (no usage, ids, tool calls or metadata). Everything
between it and bare httpx is the framework's own cost (callbacks, runs, message objects), which
every model of the framework pays; an adapter's ratio to its floor is what the adapter adds.

Each floor speaks either dialect, so each of our dialects is compared with a floor that reads the
same stream (the Messages stream has more events per answer than the chat stream).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
from _harness import KEY, MAX_TOKENS, MODEL

PATHS = {"chat_completions": "/chat/completions", "messages": "/messages"}


def request_body(dialect: str, prompt: str, stream: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": MODEL,
        "messages": [{"role": "user", "content": prompt}],
        "max_tokens": MAX_TOKENS,
    }
    if stream:
        body["stream"] = True
    return body


def whole_text(dialect: str, data: dict[str, Any]) -> str:
    if dialect == "messages":
        return "".join(b["text"] for b in data["content"] if b["type"] == "text")
    return data["choices"][0]["message"]["content"] or ""


def text_deltas(dialect: str, response: httpx.Response) -> Iterator[str]:
    """The text of every text delta of an SSE answer, each line parsed as JSON once."""
    for line in response.iter_lines():
        if not line.startswith("data: ") or line == "data: [DONE]":
            continue
        event = json.loads(line[6:])
        if dialect == "messages":
            if event["type"] == "content_block_delta" and event["delta"]["type"] == "text_delta":
                yield event["delta"]["text"]
        else:
            for choice in event.get("choices") or ():
                piece = (choice.get("delta") or {}).get("content")
                if piece:
                    yield piece


class Http:
    """Bare httpx, one pooled client: the floor below every floor."""

    def __init__(self, base_url: str, dialect: str) -> None:
        self.dialect, self.path = dialect, PATHS[dialect]
        self.http = httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {KEY}"}, timeout=120
        )

    def whole(self, prompt: str) -> str:
        response = self.http.post(self.path, json=request_body(self.dialect, prompt, False))
        return whole_text(self.dialect, json.loads(response.content))

    def stream(self, prompt: str) -> Iterator[str]:
        body = request_body(self.dialect, prompt, True)
        with self.http.stream("POST", self.path, json=body) as response:
            yield from text_deltas(self.dialect, response)


def langchain_floor(base_url: str, dialect: str) -> Any:
    from langchain_core.language_models.chat_models import BaseChatModel
    from langchain_core.messages import AIMessage, AIMessageChunk
    from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

    class LangChainFloor(BaseChatModel):
        """The least a LangChain chat model does: prompt in, answer text out."""

        @property
        def _llm_type(self) -> str:
            return "floor"

        def _generate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any):
            text = http.whole(messages[-1].content)
            return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

        def _stream(self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any):
            # stream() itself reports each chunk to the callbacks (on_llm_new_token).
            for piece in http.stream(messages[-1].content):
                yield ChatGenerationChunk(message=AIMessageChunk(content=piece))
            # The closing chunk every model sends (finish reason, usage); it also keeps an
            # empty answer a valid stream.
            yield ChatGenerationChunk(message=AIMessageChunk(content="", chunk_position="last"))

    http = Http(base_url, dialect)
    return LangChainFloor()


def llama_index_floor(base_url: str, dialect: str) -> Any:
    from llama_index.core.llms import (
        ChatMessage,
        ChatResponse,
        CompletionResponse,
        CustomLLM,
        LLMMetadata,
    )
    from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback

    class LlamaIndexFloor(CustomLLM):
        """The least a LlamaIndex LLM does. ``chat``/``stream_chat`` are its own (one
        callback layer, as a chat model has) rather than CustomLLM's route through
        ``complete``, which would add a second layer no chat adapter pays."""

        @property
        def metadata(self) -> LLMMetadata:
            return LLMMetadata(is_chat_model=True, model_name=MODEL)

        @llm_completion_callback()
        def complete(self, prompt: str, formatted: bool = False, **kw: Any) -> CompletionResponse:
            return CompletionResponse(text=http.whole(prompt))

        @llm_completion_callback()
        def stream_complete(self, prompt: str, formatted: bool = False, **kw: Any) -> Any:
            def gen() -> Iterator[CompletionResponse]:
                text = ""
                for piece in http.stream(prompt):
                    text += piece
                    yield CompletionResponse(text=text, delta=piece)

            return gen()

        @llm_chat_callback()
        def chat(self, messages: Any, **kw: Any) -> ChatResponse:
            text = http.whole(messages[-1].content)
            return ChatResponse(message=ChatMessage(role="assistant", content=text))

        @llm_chat_callback()
        def stream_chat(self, messages: Any, **kw: Any) -> Any:
            # LlamaIndex's contract: each response carries the whole message so far and the
            # delta. Building that string is O(answer) per chunk in any LlamaIndex LLM.
            def gen() -> Iterator[ChatResponse]:
                text = ""
                for piece in http.stream(messages[-1].content):
                    text += piece
                    yield ChatResponse(
                        message=ChatMessage(role="assistant", content=text), delta=piece
                    )

            return gen()

    http = Http(base_url, dialect)
    return LlamaIndexFloor()
