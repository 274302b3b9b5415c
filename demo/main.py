"""`make demo`: the whole integration at work, in one run.

With no ``AIMLAPI_API_KEY`` it starts the local emulator and says so on its first line; with a
key it says where its calls go (``AIMLAPI_BASE_URL``, by default the AI/ML API). Each section
prints what it shows; the run ends with a table of calls, tokens and cost, and exits non-zero
if any step failed.
"""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

console = Console(highlight=False)
DOCS_DIR = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "docs"


@dataclass
class Tally:
    """Calls, tokens and cost per section, read from what the integrations report."""

    rows: dict[str, list[float]] = field(default_factory=dict)

    def add(self, section: str, inp: int, out: int, usd: float | None) -> None:
        row = self.rows.setdefault(section, [0, 0, 0, 0.0])
        row[0] += 1
        row[1] += inp
        row[2] += out
        row[3] += usd or 0.0


TALLY = Tally()
SECTION = ["setup"]


def unreachable_message(base_url: str, error: object) -> str:
    """One message for a key set but a service out of reach: what was tried, how to fix it,
    and how to run on the emulator instead."""
    return (
        f"Cannot reach the AI/ML API at {base_url} ({error}).\n"
        "AIMLAPI_API_KEY is set, so the demo talks to the real service at AIMLAPI_BASE_URL "
        "(default https://api.aimlapi.com/v1). Check the network or AIMLAPI_BASE_URL, or run on "
        "the local emulator instead by leaving the key unset:\n"
        "    env -u AIMLAPI_API_KEY -u AIMLAPI_BASE_URL make demo"
    )


def check_reachable(base_url: str) -> None:
    """Exit with one clear message when nothing answers at ``base_url`` (any HTTP answer,
    even an error status, means the service is there)."""
    import httpx

    try:
        httpx.get(base_url.rstrip("/") + "/models", timeout=10.0)
    except httpx.TransportError as exc:
        console.print(f"[bold red]{unreachable_message(base_url, type(exc).__name__)}[/]")
        raise SystemExit(2) from None


def where(base_url: str) -> str:
    """What answers at ``base_url``, as far as the URL tells: the real API is never on loopback."""
    from urllib.parse import urlsplit

    if urlsplit(base_url).hostname in ("127.0.0.1", "localhost", "::1"):
        return "a local emulator on loopback: no network, no cost"
    return "the AI/ML API: calls are billed"


@contextlib.contextmanager
def backend() -> Iterator[str]:
    """Yield the model id, with the environment pointing at the real API or the emulator."""
    if os.environ.get("AIMLAPI_API_KEY"):
        from aimlapi_core._client_settings import DEFAULT_BASE_URL

        base_url = os.environ.get("AIMLAPI_BASE_URL") or DEFAULT_BASE_URL
        console.print(
            f"[bold]AIMLAPI_API_KEY is set: calls go to {base_url}[/] ({where(base_url)})."
        )
        check_reachable(base_url)
        yield os.environ.get("AIMLAPI_DEMO_MODEL", "claude-sonnet-4-20250514")
        return
    from aimlapi_emulator import Emulator

    with Emulator() as emu:
        console.print(
            "[bold yellow]No AIMLAPI_API_KEY set: running against the local emulator[/] at "
            f"{emu.base_url} (deterministic scripted answers, no network)."
        )
        os.environ["AIMLAPI_API_KEY"] = emu.api_key
        os.environ["AIMLAPI_BASE_URL"] = emu.base_url
        try:
            yield "claude-sonnet-4-20250514"
        finally:
            del os.environ["AIMLAPI_API_KEY"], os.environ["AIMLAPI_BASE_URL"]


# --------------------------------------------------------------------------- LangChain


def langchain_tally_handler() -> Any:
    from langchain_core.callbacks import BaseCallbackHandler

    class _Handler(BaseCallbackHandler):
        def on_llm_end(self, response: Any, **kwargs: Any) -> None:
            for gens in response.generations:
                for gen in gens:
                    msg = getattr(gen, "message", None)
                    usage = getattr(msg, "usage_metadata", None) or {}
                    meta = getattr(msg, "response_metadata", None) or {}
                    TALLY.add(
                        SECTION[0],
                        usage.get("input_tokens", 0),
                        usage.get("output_tokens", 0),
                        meta.get("usd_spent"),
                    )

    return _Handler()


def lc_chain_streaming(model: str) -> None:
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate

    from langchain_aimlapi import ChatAIMLAPI

    llm = ChatAIMLAPI(model=model, max_tokens=256, callbacks=[langchain_tally_handler()])
    prompt = ChatPromptTemplate.from_messages(
        [("system", "You are a concise assistant."), ("human", "In one sentence: what is {topic}?")]
    )
    chain = prompt | llm | StrOutputParser()
    console.print("[dim]prompt | ChatAIMLAPI | StrOutputParser, streamed token by token:[/]")
    pieces = 0
    for piece in chain.stream({"topic": "retrieval-augmented generation"}):
        console.print(piece, end="")
        pieces += 1
    console.print()
    if pieces < 2:
        raise RuntimeError(f"expected a streamed answer in several pieces, got {pieces}")
    console.print(f"[dim]({pieces} chunks)[/]")


def lc_agent(model: str) -> None:
    from langchain.agents import create_agent
    from langchain_core.tools import tool

    from langchain_aimlapi import ChatAIMLAPI

    @tool
    def get_weather(city: str) -> str:
        """Current weather for a city."""
        return f"18°C and sunny in {city}"

    @tool
    def get_local_time(city: str) -> str:
        """Current local time in a city."""
        return f"14:05 in {city}"

    llm = ChatAIMLAPI(model=model, max_tokens=512, callbacks=[langchain_tally_handler()])
    agent = create_agent(llm, [get_weather, get_local_time])
    question = 'Use get_weather and get_local_time for "Lisbon", then tell me both.'
    console.print(f"[dim]create_agent with two tools — user:[/] {question}")
    with console.status("agent working…"):
        state = agent.invoke({"messages": [("user", question)]})
    calls = [tc["name"] for m in state["messages"] for tc in getattr(m, "tool_calls", [])]
    console.print(f"tool calls: {calls}")
    console.print(f"answer: {state['messages'][-1].content}")
    if not {"get_weather", "get_local_time"} <= set(calls):
        raise RuntimeError(f"the agent did not call both tools: {calls}")


def lc_structured(model: str) -> None:
    from pydantic import BaseModel, Field

    from langchain_aimlapi import ChatAIMLAPI

    class Movie(BaseModel):
        """A film, as structured data."""

        title: str = Field(description="The film's title")
        year: int = Field(description="Year of release")
        genres: list[str] = Field(description="A few genres")

    llm = ChatAIMLAPI(model=model, max_tokens=512, callbacks=[langchain_tally_handler()])
    structured = llm.with_structured_output(Movie)
    movie = structured.invoke(
        'Describe the film "Arrival" from 2016, a "science fiction" "drama" by Denis Villeneuve.'
    )
    console.print(f"[dim]with_structured_output(Movie) →[/] {movie!r}")
    if not isinstance(movie, Movie):
        raise RuntimeError(f"expected a Movie, got {type(movie).__name__}")


def lc_retrieval(model: str) -> None:
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate
    from langchain_core.vectorstores import InMemoryVectorStore

    from langchain_aimlapi import AIMLAPIEmbeddings, ChatAIMLAPI

    texts = {p.name: p.read_text() for p in sorted(DOCS_DIR.iterdir())}
    embeddings = AIMLAPIEmbeddings(model="text-embedding-3-small")
    store = InMemoryVectorStore(embeddings)
    store.add_texts(list(texts.values()), metadatas=[{"source": n} for n in texts])
    question = "When does the ferry to Cray Island leave?"
    hits = store.similarity_search(question, k=2)
    sources = [h.metadata["source"] for h in hits]
    console.print(f"[dim]{len(texts)} texts embedded — question:[/] {question}")
    console.print(f"[dim]retrieved: {sources}[/]")
    if sources[0] != "ferry_timetable.txt":
        raise RuntimeError(f"expected ferry_timetable.txt as the first source, got {sources}")
    prompt = ChatPromptTemplate.from_messages(
        [("system", "Answer from this context:\n{context}"), ("human", "{question}")]
    )
    llm = ChatAIMLAPI(model=model, max_tokens=256, callbacks=[langchain_tally_handler()])
    chain = prompt | llm | StrOutputParser()
    context = "\n\n".join(h.page_content for h in hits)
    console.print(chain.invoke({"context": context, "question": question}))


# --------------------------------------------------------------------------- LlamaIndex


def llama_index_tally() -> Callable[[], None]:
    """Count every LlamaIndex LLM call through its instrumentation events."""
    from llama_index.core.instrumentation import get_dispatcher
    from llama_index.core.instrumentation.event_handlers import BaseEventHandler
    from llama_index.core.instrumentation.events.llm import LLMChatEndEvent

    class _Handler(BaseEventHandler):
        @classmethod
        def class_name(cls) -> str:
            return "DemoTally"

        def handle(self, event: Any, **kwargs: Any) -> None:
            if not isinstance(event, LLMChatEndEvent) or event.response is None:
                return
            raw = event.response.raw or {}
            usage = raw.get("usage") or {}
            if not usage:  # streamed calls report usage on the final chunk only
                return
            TALLY.add(
                SECTION[0],
                usage.get("prompt_tokens", usage.get("input_tokens", 0)),
                usage.get("completion_tokens", usage.get("output_tokens", 0)),
                (raw.get("cost") or {}).get("usd_spent"),
            )

    handler = _Handler()
    dispatcher = get_dispatcher()
    dispatcher.add_event_handler(handler)
    return lambda: dispatcher.event_handlers.remove(handler)


def li_agent(model: str) -> None:
    import asyncio

    from llama_index.core.agent.workflow import AgentStream, FunctionAgent, ToolCallResult

    from llama_index_aimlapi import AIMLAPI

    def multiply(a: float, b: float) -> float:
        """Multiply two numbers."""
        return a * b

    agent = FunctionAgent(tools=[multiply], llm=AIMLAPI(model=model, max_tokens=512))

    async def run() -> str:
        handler = agent.run("Use multiply to compute 12.5 times 4.")
        async for ev in handler.stream_events():
            if isinstance(ev, ToolCallResult):
                console.print(f"\n[dim]tool[/] {ev.tool_name}({ev.tool_kwargs}) → {ev.tool_output}")
            elif isinstance(ev, AgentStream) and ev.delta:
                console.print(ev.delta, end="")
        console.print()
        return str(await handler)

    answer = asyncio.run(run())
    if "50" not in answer:
        raise RuntimeError(f"expected the product 50 in the answer, got {answer!r}")


def li_query_engine(model: str) -> None:
    from llama_index.core import Settings, SimpleDirectoryReader, VectorStoreIndex

    from llama_index_aimlapi import AIMLAPI, AIMLAPIEmbedding

    Settings.embed_model = AIMLAPIEmbedding(model_name="text-embedding-3-small")
    with console.status(f"indexing {DOCS_DIR.name}/ …"):
        docs = SimpleDirectoryReader(str(DOCS_DIR)).load_data()
        index = VectorStoreIndex.from_documents(docs)
    engine = index.as_query_engine(llm=AIMLAPI(model=model, max_tokens=512), streaming=True)
    question = "Who was the last keeper of the Harbor Point Lighthouse?"
    console.print(f"[dim]{len(docs)} documents embedded and indexed — question:[/] {question}")
    response = engine.query(question)
    for piece in response.response_gen:
        console.print(piece, end="")
    console.print()
    sources = [n.node.metadata.get("file_name") for n in response.source_nodes]
    console.print(f"[dim]sources: {sources}[/]")
    if not sources or sources[0] != "harbor_lighthouse.md":
        raise RuntimeError(f"expected harbor_lighthouse.md as the first source, got {sources}")


# --------------------------------------------------------------------------- main

SECTIONS: list[tuple[str, Callable[[str], None]]] = [
    ("LangChain: LCEL chain, streaming", lc_chain_streaming),
    ("LangChain: tool-calling agent (create_agent)", lc_agent),
    ("LangChain: structured output into a Pydantic model", lc_structured),
    ("LangChain: retrieval with AIMLAPIEmbeddings, then an answer", lc_retrieval),
    ("LlamaIndex: FunctionAgent with a tool", li_agent),
    ("LlamaIndex: query engine over the bundled documents", li_query_engine),
]


def main() -> int:
    from aimlapi_core.errors import APIConnectionError

    failures: list[str] = []
    with backend() as model:
        remove_handler = llama_index_tally()
        try:
            for i, (title, step) in enumerate(SECTIONS, 1):
                SECTION[0] = title.split(":")[0] + ":" + title.split(":")[1].split(",")[0]
                console.rule(f"[bold]{i}/{len(SECTIONS)} {title}")
                try:
                    step(model)
                except APIConnectionError as exc:
                    # The service went away mid-run: one message, not a traceback per step.
                    base_url = os.environ.get("AIMLAPI_BASE_URL") or "the AI/ML API"
                    console.print(f"[bold red]{unreachable_message(base_url, exc)}[/]")
                    return 2
                except Exception:
                    failures.append(title)
                    console.print(f"[bold red]FAILED[/]\n{traceback.format_exc()}")
        finally:
            remove_handler()

    table = Table(title="Summary")
    for col in ("section", "calls", "input tokens", "output tokens", "USD"):
        table.add_column(col, justify="left" if col == "section" else "right")
    totals = [0, 0, 0, 0.0]
    for name, (calls, inp, out, usd) in TALLY.rows.items():
        table.add_row(name, f"{calls:.0f}", f"{inp:.0f}", f"{out:.0f}", f"{usd:.6f}")
        totals = [a + b for a, b in zip(totals, (calls, inp, out, usd), strict=True)]
    table.add_row(
        "total",
        f"{totals[0]:.0f}",
        f"{totals[1]:.0f}",
        f"{totals[2]:.0f}",
        f"{totals[3]:.6f}",
        style="bold",
    )
    console.print(table)
    if failures:
        console.print(f"[bold red]{len(failures)} step(s) failed:[/] {', '.join(failures)}")
        return 1
    console.print("[bold green]All steps succeeded.[/]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
