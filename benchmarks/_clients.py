"""Every client the benchmarks compare, built for one server, behind one small interface.

``whole()`` returns the answer text; ``pieces()`` streams it and yields each text piece as the
client hands it over. Each client does what its users would do with it and nothing more.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from _floors import Http, langchain_floor, llama_index_floor
from _harness import KEY, MAX_TOKENS, MODEL, PROMPT

DIALECTS = ("chat_completions", "messages")
SHORT = {"chat_completions": "chat", "messages": "messages"}
# The peers and the package each needs (the bench extra installs them).
PEERS = {
    "ChatAnthropic": "langchain_anthropic",
    "ChatOpenAI": "langchain_openai",
    "OpenAILike": "llama_index.llms.openai_like",
}


@dataclass
class Client:
    name: str
    family: str  # "httpx" | "core" | "langchain" | "llama_index"
    dialect: str
    role: str  # "baseline" | "floor" | "ours" | "peer"
    whole: Callable[[], str]
    pieces: Callable[[], Iterator[str]]
    # A LangChain model's own ``_stream`` generator, read without ``BaseChatModel.stream``.
    stream_alone: bool = False

    def stream(self) -> str:
        return "".join(self.pieces())

    @property
    def floor(self) -> str | None:
        """The name of the client this one is measured against: its framework's floor on the
        same dialect (bare httpx for the core and the floors themselves)."""
        if self.role == "baseline":
            return None
        if self.family == "core" or self.role == "floor":
            return f"httpx ({SHORT[self.dialect]})"
        label = "LangChain" if self.family == "langchain" else "LlamaIndex"
        return f"{label} floor ({SHORT[self.dialect]})"


def peer_missing(name: str) -> bool:
    try:
        return importlib.util.find_spec(PEERS[name]) is None
    except ModuleNotFoundError:
        return True


def build(
    base_url: str,
    *,
    dialects: tuple[str, ...] = DIALECTS,
    peers: bool = True,
    generators: bool = False,
) -> list[Client]:
    """Baselines, floors, our clients on each dialect and (if installed) the peers.

    ``base_url`` ends in ``/v1`` like the service's; the Anthropic SDK adds ``/v1`` itself.
    ``generators`` adds, for the LangChain floor and ChatAIMLAPI, a client that reads the
    model's own ``_stream`` generator, without ``BaseChatModel.stream`` around it (which keeps
    every chunk until the end to merge them): what the model does, apart from the framework."""
    from llama_index.core.llms import ChatMessage

    from aimlapi_core import AIMLAPIClient, ChatRequest, Message, TextDelta, TextPart
    from langchain_aimlapi import ChatAIMLAPI
    from llama_index_aimlapi import AIMLAPI

    li_messages = [ChatMessage(role="user", content=PROMPT)]
    request = ChatRequest(
        model=MODEL,
        max_tokens=MAX_TOKENS,
        messages=[Message(role="user", parts=[TextPart(text=PROMPT)])],
    )
    out: list[Client] = []

    def langchain(name: str, family: str, dialect: str, role: str, model: Any) -> Client:
        def pieces() -> Iterator[str]:
            for chunk in model.stream(PROMPT):
                yield chunk.text

        return Client(name, family, dialect, role, lambda: model.invoke(PROMPT).text, pieces)

    def generator(name: str, dialect: str, role: str, model: Any) -> Client:
        from langchain_core.messages import HumanMessage

        messages = [HumanMessage(PROMPT)]

        def pieces() -> Iterator[str]:
            for generation in model._stream(messages):
                yield generation.message.text

        return Client(
            name,
            "langchain",
            dialect,
            role,
            lambda: model.invoke(PROMPT).text,
            pieces,
            stream_alone=True,
        )

    def llama(name: str, dialect: str, role: str, llm: Any) -> Client:
        def pieces() -> Iterator[str]:
            for response in llm.stream_chat(li_messages):
                yield response.delta or ""

        return Client(
            name,
            "llama_index",
            dialect,
            role,
            lambda: llm.chat(li_messages).message.content or "",
            pieces,
        )

    for dialect in dialects:
        d = SHORT[dialect]
        http = Http(base_url, dialect)
        out.append(
            Client(
                f"httpx ({d})",
                "httpx",
                dialect,
                "baseline",
                lambda h=http: h.whole(PROMPT),
                lambda h=http: h.stream(PROMPT),
            )
        )

        core = AIMLAPIClient(api_key=KEY, base_url=base_url, api=dialect)

        def core_pieces(core: AIMLAPIClient = core) -> Iterator[str]:
            with core.stream(request) as stream:
                for event in stream:
                    if isinstance(event, TextDelta):
                        yield event.text

        out.append(
            Client(
                f"aimlapi_core ({d})",
                "core",
                dialect,
                "ours",
                lambda c=core: c.create(request).text,
                core_pieces,
            )
        )
        floor = langchain_floor(base_url, dialect)
        out.append(langchain(f"LangChain floor ({d})", "langchain", dialect, "floor", floor))
        lc = ChatAIMLAPI(
            model=MODEL, api_key=KEY, base_url=base_url, api=dialect, max_tokens=MAX_TOKENS
        )
        out.append(langchain(f"ChatAIMLAPI ({d})", "langchain", dialect, "ours", lc))
        if generators:
            out.append(generator(f"LangChain floor ({d}), _stream alone", dialect, "floor", floor))
            out.append(generator(f"ChatAIMLAPI ({d}), _stream alone", dialect, "ours", lc))
        out.append(
            llama(f"LlamaIndex floor ({d})", dialect, "floor", llama_index_floor(base_url, dialect))
        )
        li = AIMLAPI(
            model=MODEL, api_key=KEY, base_url=base_url, api=dialect, max_tokens=MAX_TOKENS
        )
        out.append(llama(f"AIMLAPI ({d})", dialect, "ours", li))

    if peers and "messages" in dialects and not peer_missing("ChatAnthropic"):
        from langchain_anthropic import ChatAnthropic

        root = base_url.removesuffix("/v1")
        anthropic = ChatAnthropic(model=MODEL, api_key=KEY, base_url=root, max_tokens=MAX_TOKENS)
        out.append(langchain("ChatAnthropic", "langchain", "messages", "peer", anthropic))
    if peers and "chat_completions" in dialects and not peer_missing("ChatOpenAI"):
        from langchain_openai import ChatOpenAI

        # stream_usage: read the usage chunk as ChatAIMLAPI does (it sends stream_options).
        openai = ChatOpenAI(
            model=MODEL, api_key=KEY, base_url=base_url, max_tokens=MAX_TOKENS, stream_usage=True
        )
        out.append(langchain("ChatOpenAI", "langchain", "chat_completions", "peer", openai))
    if peers and "chat_completions" in dialects and not peer_missing("OpenAILike"):
        from llama_index.llms.openai_like import OpenAILike

        like = OpenAILike(
            model=MODEL,
            api_key=KEY,
            api_base=base_url,
            is_chat_model=True,
            max_tokens=MAX_TOKENS,
            context_window=200_000,
        )
        out.append(llama("OpenAILike", "chat_completions", "peer", like))
    return out
