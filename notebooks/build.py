"""Generate the notebooks in this folder from the cell lists below.

Edit the cells here, run ``.venv/bin/python notebooks/build.py``, and commit both this file and
the regenerated ``.ipynb`` files (without outputs). ``tests/e2e/test_notebooks.py`` executes
every notebook and fails if a committed notebook differs from what this script generates.

Every notebook starts with the same setup cell: without ``AIMLAPI_API_KEY`` it starts the local
emulator and points the two environment variables at it; with a key it uses the real API. Cells
assert on what they get back, so a broken cell fails CI, and the assertions hold on both.
"""

from __future__ import annotations

import sys
from pathlib import Path
from textwrap import dedent

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
Cell = tuple[str, str]  # ("md" | "code", source)


def md(text: str) -> Cell:
    return ("md", dedent(text).strip())


def code(text: str) -> Cell:
    return ("code", dedent(text).strip())


SETUP = [
    md(
        """
        ## Setup

        With `AIMLAPI_API_KEY` set, this notebook talks to the real AI/ML API (and is billed).
        Without it, the next cell starts the bundled emulator — a real HTTP server on loopback
        that answers like the API with deterministic scripted replies — and points
        `AIMLAPI_API_KEY` / `AIMLAPI_BASE_URL` at it. Nothing else in the notebook changes.
        """
    ),
    code(
        """
        import os

        emulator = None
        if os.environ.get("AIMLAPI_API_KEY"):
            print("AIMLAPI_API_KEY is set: using the real AI/ML API.")
        else:
            from aimlapi_emulator import Emulator

            emulator = Emulator().start()
            os.environ["AIMLAPI_API_KEY"] = emulator.api_key
            os.environ["AIMLAPI_BASE_URL"] = emulator.base_url
            print(f"No AIMLAPI_API_KEY: running against the local emulator at {emulator.base_url}")
            print("(scripted, deterministic answers; no network, no cost)")
        """
    ),
]

TEARDOWN = [
    md("## Clean up\n\nStop the emulator (if this notebook started one)."),
    code(
        """
        if emulator is not None:
            emulator.stop()
            del os.environ["AIMLAPI_API_KEY"], os.environ["AIMLAPI_BASE_URL"]
            print("emulator stopped")
        """
    ),
]


LANGCHAIN_QUICKSTART: list[Cell] = [
    md(
        """
        # LangChain quickstart: `ChatAIMLAPI`

        `ChatAIMLAPI` is a LangChain chat model for the Claude models on the
        [AI/ML API](https://aimlapi.com). This notebook walks through invoke, streaming, async,
        batch, an LCEL chain, tool calling, structured output, usage and cost, and errors.

        Install: `pip install "aimlapi-integrations[langchain,emulator]"`.
        """
    ),
    *SETUP,
    md("## A model, and one call"),
    code(
        """
        from langchain_aimlapi import ChatAIMLAPI

        llm = ChatAIMLAPI(model="claude-sonnet-4-20250514", max_tokens=512)

        reply = llm.invoke("In one sentence: what is a lighthouse for?")
        print(reply.text)
        assert reply.text
        assert reply.response_metadata["finish_reason"] == "stop"
        """
    ),
    md(
        """
        ## Streaming

        Chunks arrive as the model writes. Added together they give one message; the last
        chunk carries the usage and the response metadata.
        """
    ),
    code(
        """
        chunks = []
        for chunk in llm.stream("Count from 1 to 5."):
            print(chunk.text, end="", flush=True)
            chunks.append(chunk)
        print()

        streamed = sum(chunks[1:], chunks[0])
        print(f"{len(chunks)} chunks, usage: {streamed.usage_metadata}")
        assert len(chunks) > 1
        assert streamed.usage_metadata["output_tokens"] > 0
        assert streamed.response_metadata["finish_reason"] == "stop"
        """
    ),
    md(
        """
        ## Async

        Every method has an async twin (`ainvoke`, `astream`, `abatch`). Jupyter runs an event
        loop already, so `await` works at the top level of a cell.
        """
    ),
    code(
        """
        import asyncio

        reply = await llm.ainvoke("Say hello in Portuguese.")
        print(reply.text)

        async for chunk in llm.astream("Count from 1 to 3."):
            print(chunk.text, end="", flush=True)
        print()

        # Several requests at once, on one connection pool.
        replies = await asyncio.gather(*(llm.ainvoke(f"Spell the number {n}.") for n in (1, 2, 3)))
        print([r.text for r in replies])
        assert reply.text
        assert len(replies) == 3
        assert all(r.text for r in replies)
        """
    ),
    md("## Batch"),
    code(
        """
        questions = ["What is 2 + 2?", "Name a primary colour.", "What is the capital of Japan?"]
        answers = llm.batch(questions, config={"max_concurrency": 3})
        for question, answer in zip(questions, answers, strict=True):
            print(f"{question} → {answer.text}")
        assert all(answer.text for answer in answers)
        """
    ),
    md(
        """
        ## An LCEL chain: prompt | model | parser

        The system message of the prompt becomes Claude's system prompt.
        """
    ),
    code(
        """
        from langchain_core.output_parsers import StrOutputParser
        from langchain_core.prompts import ChatPromptTemplate

        prompt = ChatPromptTemplate.from_messages(
            [
                ("system", "You are a concise assistant. Answer in one sentence."),
                ("human", "Explain {topic} to a ten-year-old."),
            ]
        )
        chain = prompt | llm | StrOutputParser()

        for piece in chain.stream({"topic": "tides"}):
            print(piece, end="", flush=True)
        print()

        answer = chain.invoke({"topic": "rainbows"})
        print(answer)
        assert isinstance(answer, str)
        assert answer
        if emulator is not None:  # the emulator records exactly what was sent
            sent = emulator.last_request.json
            print(sent)
            assert sent["system"] == "You are a concise assistant. Answer in one sentence."
            assert sent["messages"][0]["content"] == "Explain rainbows to a ten-year-old."
        """
    ),
    md(
        """
        ## Tools: `bind_tools` and a tool loop by hand

        The model asks for tool calls; we run them and send the results back as `ToolMessage`s
        until it answers in text. (An agent does this loop for you — see
        `agents_tools_thinking_images.ipynb`.)
        """
    ),
    code(
        """
        from langchain_core.messages import HumanMessage
        from langchain_core.tools import tool


        @tool
        def get_weather(city: str) -> str:
            \"""Current weather for a city.\"""
            return f"18°C and sunny in {city}"


        tools = {"get_weather": get_weather}
        llm_with_tools = llm.bind_tools(list(tools.values()))

        messages = [HumanMessage('What is the weather in "Paris"? Use get_weather.')]
        calls = []
        ai = llm_with_tools.invoke(messages)
        for _ in range(5):  # a bound on the loop, in case a model keeps calling tools
            if not ai.tool_calls:
                break
            messages.append(ai)
            for call in ai.tool_calls:
                print(f"tool call: {call['name']}({call['args']})")
                calls.append(call)
                messages.append(tools[call["name"]].invoke(call))  # a ToolMessage with the id
            ai = llm_with_tools.invoke(messages)

        print(ai.text)
        assert calls[0]["name"] == "get_weather"
        assert calls[0]["args"] == {"city": "Paris"}
        assert not ai.tool_calls
        assert "18" in ai.text
        """
    ),
    md(
        """
        ## Structured output into a Pydantic model

        The API has no `response_format`, so `with_structured_output` offers the schema as a tool
        and forces the model to call it; you get a validated instance back.
        """
    ),
    code(
        """
        from pydantic import BaseModel, Field


        class Movie(BaseModel):
            \"""A film, as structured data.\"""

            title: str = Field(description="The film's title")
            year: int = Field(description="Year of release")
            genres: list[str] = Field(description="A few genres")


        movie = llm.with_structured_output(Movie).invoke('Describe the film "Arrival" from 2016.')
        print(repr(movie))
        assert isinstance(movie, Movie)
        assert movie.title == "Arrival"
        assert movie.year == 2016
        """
    ),
    md(
        """
        ## Usage and cost

        `usage_metadata` has the token counts; `response_metadata` has the gateway's reported
        cost (`credits_used`, `usd_spent`) and the request ids to quote to support.
        """
    ),
    code(
        """
        reply = llm.invoke("What is the tallest mountain on Earth?")
        usage = reply.usage_metadata
        meta = reply.response_metadata
        print(usage)
        print({k: meta.get(k) for k in ("model_name", "credits_used", "usd_spent", "request_id")})
        assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"] > 0
        assert meta["usd_spent"] > 0
        """
    ),
    md(
        """
        ## Errors

        Every error comes from `aimlapi_core.errors`, whichever framework you use. Requests the
        API would refuse are refused here first, before anything is sent, with a message that
        says what to change.
        """
    ),
    code(
        """
        from aimlapi_core.errors import InvalidRequestError, UnsupportedContentError

        sent_before = len(emulator.requests) if emulator is not None else None
        try:
            llm.invoke("Hello", temperature=1.5)
        except InvalidRequestError as err:
            print(f"{type(err).__name__}: {err}")
        else:
            raise AssertionError("temperature=1.5 should have been refused")

        audio = {"type": "audio", "base64": "AAAA", "mime_type": "audio/wav"}
        try:
            llm.invoke([HumanMessage([{"type": "text", "text": "Transcribe this."}, audio])])
        except UnsupportedContentError as err:
            print(f"{type(err).__name__}: {err}")
        else:
            raise AssertionError("an audio block should have been refused")

        if emulator is not None:
            assert len(emulator.requests) == sent_before, "nothing should have been sent"
        """
    ),
    *TEARDOWN,
]


LLAMA_INDEX_QUICKSTART: list[Cell] = [
    md(
        """
        # LlamaIndex quickstart: `AIMLAPI`

        `AIMLAPI` is a LlamaIndex `FunctionCallingLLM` for the Claude models on the
        [AI/ML API](https://aimlapi.com). This notebook covers complete, chat, streaming, async,
        structured prediction, a query engine over a few local documents, and a chat engine.

        Install: `pip install "aimlapi-integrations[llama-index,emulator]"`.
        """
    ),
    *SETUP,
    md("## Complete and chat"),
    code(
        """
        from llama_index.core.llms import ChatMessage

        from llama_index_aimlapi import AIMLAPI

        llm = AIMLAPI(model="claude-sonnet-4-20250514", max_tokens=512)

        completion = llm.complete("In one sentence: what is a lighthouse for?")
        print(completion.text)
        assert completion.text

        response = llm.chat(
            [
                ChatMessage(role="system", content="You are a friendly harbour guide."),
                ChatMessage(role="user", content="Hi! What can I visit today?"),
            ]
        )
        print(response.message.content)
        print("usage:", response.raw["usage"], "cost:", response.raw["cost"])
        assert response.message.content
        assert response.raw["usage"]["output_tokens"] > 0
        """
    ),
    md(
        """
        ## Streaming and async

        `stream_chat` yields responses whose `delta` is the new text; the last one holds the
        whole message and the usage. `achat` / `astream_chat` are the async twins (top-level
        `await` works in Jupyter).
        """
    ),
    code(
        """
        responses = []
        for r in llm.stream_chat([ChatMessage(role="user", content="Count from 1 to 5.")]):
            print(r.delta, end="", flush=True)
            responses.append(r)
        print()
        assert len(responses) > 1
        assert responses[-1].message.content == "".join(r.delta for r in responses)
        assert responses[-1].raw["usage"]["output_tokens"] > 0

        reply = await llm.achat([ChatMessage(role="user", content="Say hello in Portuguese.")])
        print(reply.message.content)
        assert reply.message.content
        """
    ),
    md(
        """
        ## Structured prediction into a Pydantic model

        `structured_predict` calls the model with the schema as a tool and returns a validated
        instance.
        """
    ),
    code(
        """
        from llama_index.core.prompts import PromptTemplate
        from pydantic import BaseModel, Field


        class Landmark(BaseModel):
            \"""A landmark, as structured data.\"""

            name: str = Field(description="The landmark's name")
            built: int = Field(description="Year it was built")


        landmark = llm.structured_predict(
            Landmark,
            PromptTemplate('Extract the landmark: "{name}" was built in {year}.'),
            name="Harbor Point Lighthouse",
            year=1871,
        )
        print(repr(landmark))
        assert isinstance(landmark, Landmark)
        assert landmark.name == "Harbor Point Lighthouse"
        assert landmark.built == 1871
        """
    ),
    md(
        """
        ## A query engine over local documents

        `tests/fixtures/docs` holds five short made-up documents about a harbour town. They are
        embedded with `AIMLAPIEmbedding` (`text-embedding-3-small` on the API; the emulator
        answers with deterministic vectors whose similarity follows shared words), so the whole
        pipeline — embeddings and answers — runs through the AI/ML API.
        """
    ),
    code(
        """
        from pathlib import Path

        from llama_index.core import Settings, SimpleDirectoryReader, VectorStoreIndex

        from llama_index_aimlapi import AIMLAPIEmbedding

        Settings.embed_model = AIMLAPIEmbedding(model_name="text-embedding-3-small")
        Settings.llm = llm

        docs_dir = Path.cwd().parent / "tests" / "fixtures" / "docs"
        documents = SimpleDirectoryReader(str(docs_dir)).load_data()
        index = VectorStoreIndex.from_documents(documents)
        print(f"indexed {len(documents)} documents")
        assert len(documents) == 5
        """
    ),
    code(
        """
        query_engine = index.as_query_engine(similarity_top_k=2)
        result = query_engine.query("When does the ferry to Cray Island leave Harbor Point?")
        print(result.response)
        sources = [n.node.metadata["file_name"] for n in result.source_nodes]
        print("sources:", sources)
        assert sources[0] == "ferry_timetable.txt"
        assert "08:15" in result.source_nodes[0].node.get_content()  # the answer was in context
        assert "8:15" in result.response
        if emulator is not None:  # ...and the retrieved text was sent to the model
            assert "08:15" in str(emulator.last_request.json["messages"])
        """
    ),
    md(
        """
        ## A chat engine

        A chat engine keeps the conversation and retrieves context for every user turn
        (`chat_mode="context"`; `"condense_plus_context"` first rewrites follow-up questions
        with the LLM).
        """
    ),
    code(
        """
        chat_engine = index.as_chat_engine(chat_mode="context", similarity_top_k=2)
        first = chat_engine.chat("Tell me about the Harbor Point Lighthouse.")
        print(first.response)
        second = chat_engine.chat("Who was its last keeper?")
        print(second.response)
        assert first.response
        assert second.response
        assert first.source_nodes[0].node.metadata["file_name"] == "harbor_lighthouse.md"
        assert any("Agnes Morrow" in n.node.get_content() for n in second.source_nodes)
        assert "Agnes Morrow" in second.response
        assert len(chat_engine.chat_history) == 4  # two user turns, two answers
        """
    ),
    *TEARDOWN,
]


AGENTS_TOOLS_THINKING_IMAGES: list[Cell] = [
    md(
        """
        # Agents, tools, extended thinking and images

        - a LangChain agent (`langchain.agents.create_agent`, built on LangGraph) with two tools
        - a LlamaIndex `FunctionAgent`, streaming its events
        - extended thinking on the Anthropic-native endpoint (`api="messages"`): reasoning
          blocks, and thinking across a tool-calling exchange
        - an image sent inline as a data URI, from both frameworks

        Install: `pip install "aimlapi-integrations[all]" langchain`.
        """
    ),
    *SETUP,
    md(
        """
        ## A LangChain agent with two tools

        `create_agent` runs the tool loop: the model calls tools, the agent runs them and feeds
        the results back until the model answers.
        """
    ),
    code(
        """
        from langchain.agents import create_agent
        from langchain_core.tools import tool

        from langchain_aimlapi import ChatAIMLAPI


        @tool
        def get_weather(city: str) -> str:
            \"""Current weather for a city.\"""
            return f"18°C and sunny in {city}"


        @tool
        def get_local_time(city: str) -> str:
            \"""Current local time in a city.\"""
            return f"14:05 in {city}"


        agent = create_agent(ChatAIMLAPI(max_tokens=1024), [get_weather, get_local_time])
        question = "Weather and local time in Lisbon? Use get_weather and get_local_time."
        state = agent.invoke({"messages": [("user", question)]})
        for message in state["messages"]:
            calls = [f"{c['name']}({c['args']})" for c in getattr(message, "tool_calls", [])]
            print(f"{message.type:>5}: {message.text[:100]!r} {' '.join(calls)}")

        called = {
            call["name"]: call["args"]
            for message in state["messages"]
            for call in getattr(message, "tool_calls", [])
        }
        assert called.keys() == {"get_weather", "get_local_time"}
        assert all("Lisbon" in args["city"] for args in called.values())
        assert state["messages"][-1].type == "ai"
        assert state["messages"][-1].text
        """
    ),
    md(
        """
        ## A LlamaIndex `FunctionAgent`, with streamed events

        Plain Python functions become tools (their docstrings are the descriptions).
        `stream_events()` shows the agent's steps as they happen.
        """
    ),
    code(
        """
        from llama_index.core.agent.workflow import AgentStream, FunctionAgent, ToolCallResult

        from llama_index_aimlapi import AIMLAPI


        def multiply(a: float, b: float) -> float:
            \"""Multiply two numbers.\"""
            return a * b


        def add(a: float, b: float) -> float:
            \"""Add two numbers.\"""
            return a + b


        li_agent = FunctionAgent(tools=[multiply, add], llm=AIMLAPI(max_tokens=1024))
        handler = li_agent.run("Use multiply to compute 12.5 times 4.")
        tool_results = []
        async for event in handler.stream_events():
            if isinstance(event, ToolCallResult):
                print(f"\\n[tool] {event.tool_name}({event.tool_kwargs})", end=" ")
                print(f"→ {event.tool_output.content}")
                tool_results.append(event)
            elif isinstance(event, AgentStream) and event.delta:
                print(event.delta, end="", flush=True)
        answer = await handler
        print(f"\\n\\nanswer: {answer}")

        assert tool_results[0].tool_name == "multiply"
        assert sorted(tool_results[0].tool_kwargs.values()) == [4, 12.5]
        assert "50" in str(answer)
        """
    ),
    md(
        """
        ## Extended thinking

        `thinking=2048` gives Claude a budget of 2048 tokens to think before answering
        (`max_tokens` must be larger). With `api="messages"` (the Anthropic-native endpoint)
        each thinking block comes with a signature. `content` keeps Claude's own blocks;
        `content_blocks` shows them as LangChain's standard `reasoning` blocks.
        """
    ),
    code(
        """
        thinker = ChatAIMLAPI(api="messages", thinking=2048, max_tokens=4096)
        reply = thinker.invoke("Is 1001 a prime number?")

        for block in reply.content_blocks:
            if block["type"] == "reasoning":
                print("reasoning:", block["reasoning"][:200])
                print("signature:", block["extras"]["signature"][:24], "…")
            elif block["type"] == "text":
                print("answer:", block["text"])

        kinds = [block["type"] for block in reply.content_blocks]
        assert kinds[0] == "reasoning"
        assert "text" in kinds
        assert reply.content_blocks[0]["extras"]["signature"]
        """
    ),
    md(
        """
        ### Thinking across a tool call

        When the model thinks and then calls a tool, the next request must send that thinking
        block back unchanged, signature included, or the API refuses it. Appending the
        `AIMessage` to the history as it is does exactly that; this is why agents that think
        should use `api="messages"` (`/chat/completions` returns no signatures).
        """
    ),
    code(
        """
        from langchain_core.messages import HumanMessage

        thinker_with_tools = thinker.bind_tools([get_weather])
        history = [HumanMessage('What is the weather in "Oslo"? Use get_weather.')]
        first = thinker_with_tools.invoke(history)
        print("thinking:", first.content_blocks[0]["reasoning"][:120])
        print("tool calls:", first.tool_calls)
        assert first.content_blocks[0]["type"] == "reasoning"
        assert first.tool_calls[0]["name"] == "get_weather"

        history += [first, get_weather.invoke(first.tool_calls[0])]
        second = thinker_with_tools.invoke(history)
        print("answer:", second.text)
        assert not second.tool_calls
        assert "18" in second.text

        if emulator is not None:  # the signed thinking block went back as it came
            replayed = emulator.last_request.json["messages"][1]["content"][0]
            print("replayed:", {k: str(v)[:40] for k, v in replayed.items()})
            assert replayed["signature"]
            assert replayed == first.content[0]
        """
    ),
    md(
        """
        ## Images

        Images go inline as base64. Here we build a tiny 8×8 PNG with the standard library
        (any PNG or JPEG bytes will do) and send it as a `data:` URI.
        """
    ),
    code(
        """
        import base64
        import struct
        import zlib


        def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
            \"""A solid-colour PNG, built by hand so the notebook needs no imaging library.\"""

            def chunk(kind: bytes, data: bytes) -> bytes:
                body = kind + data
                return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

            header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
            rows = b"".join(b"\\x00" + bytes(rgb) * width for _ in range(height))
            return (
                b"\\x89PNG\\r\\n\\x1a\\n"
                + chunk(b"IHDR", header)
                + chunk(b"IDAT", zlib.compress(rows))
                + chunk(b"IEND", b"")
            )


        image = png(8, 8, (220, 30, 30))
        data_uri = "data:image/png;base64," + base64.b64encode(image).decode()
        print(f"{len(image)} bytes: {data_uri[:60]}…")
        """
    ),
    code(
        """
        message = HumanMessage(
            [
                {"type": "text", "text": "What colour is this image? One word."},
                {"type": "image_url", "image_url": {"url": data_uri}},
            ]
        )
        reply = ChatAIMLAPI(max_tokens=256).invoke([message])
        print("LangChain:", reply.text)
        assert reply.text

        if emulator is not None:  # sent as a base64 image block, not as a URL
            sent = emulator.last_request.json["messages"][0]["content"][1]
            assert sent["type"] == "image"
            assert base64.b64decode(sent["source"]["data"]) == image
            assert f"1 image (image/png, {len(image)} bytes)" in reply.text
        """
    ),
    code(
        """
        from llama_index.core.llms import ChatMessage, ImageBlock, TextBlock

        message = ChatMessage(
            role="user",
            blocks=[
                TextBlock(text="What colour is this image? One word."),
                ImageBlock(url=data_uri),
            ],
        )
        response = AIMLAPI(max_tokens=256).chat([message])
        print("LlamaIndex:", response.message.content)
        assert response.message.content

        if emulator is not None:
            sent = emulator.last_request.json["messages"][0]["content"][1]
            assert base64.b64decode(sent["source"]["data"]) == image
        """
    ),
    *TEARDOWN,
]


NOTEBOOKS: dict[str, list[Cell]] = {
    "langchain_quickstart.ipynb": LANGCHAIN_QUICKSTART,
    "llama_index_quickstart.ipynb": LLAMA_INDEX_QUICKSTART,
    "agents_tools_thinking_images.ipynb": AGENTS_TOOLS_THINKING_IMAGES,
}


def build(name: str) -> nbformat.NotebookNode:
    """The notebook ``name``, without outputs, with stable cell ids (so rebuilds diff cleanly)."""
    stem = name.removesuffix(".ipynb")
    cells = []
    for i, (kind, source) in enumerate(NOTEBOOKS[name]):
        cell = new_markdown_cell(source) if kind == "md" else new_code_cell(source)
        cell.id = f"{stem[:50]}-{i:02d}"
        cells.append(cell)
    nb = new_notebook(cells=cells)
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    nbformat.validate(nb)
    return nb


def render(name: str) -> str:
    return nbformat.writes(build(name))


def main() -> int:
    for name in NOTEBOOKS:
        (HERE / name).write_text(render(name), encoding="utf-8")
        print(f"wrote notebooks/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
