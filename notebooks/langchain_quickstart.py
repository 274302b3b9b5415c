# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # LangChain quickstart: `ChatAIMLAPI`
#
# `ChatAIMLAPI` is a LangChain chat model for the Claude models on the
# [AI/ML API](https://aimlapi.com). This notebook walks through invoke, streaming, async,
# batch, an LCEL chain, tool calling, structured output, usage and cost, and errors.
#
# Install, from a checkout: `pip install -e ".[notebooks]"` (both frameworks, LangChain's
# agents, the emulator, Ray and JupyterLab; `docs/getting-started.md` has every way to install).

# %% [markdown]
# ## Setup
#
# With `AIMLAPI_API_KEY` set, this notebook talks to the real AI/ML API (and is billed).
# Without it, the next cell starts the bundled emulator — a real HTTP server on loopback
# that answers like the API with deterministic scripted replies — and points
# `AIMLAPI_API_KEY` / `AIMLAPI_BASE_URL` at it. Nothing else in the notebook changes.
#
# The emulator's default assistant fills a tool's arguments from words of the prompt, which is
# enough to keep a chain moving but not what a model knows about a film; the structured-output
# cell's answer is scripted here (`replies=`) with what a model would return.

# %%
import os

emulator = None
if os.environ.get("AIMLAPI_API_KEY"):
    from urllib.parse import urlsplit

    base_url = os.environ.get("AIMLAPI_BASE_URL") or "https://api.aimlapi.com/v1"
    local = urlsplit(base_url).hostname in ("127.0.0.1", "localhost", "::1")
    print(f"AIMLAPI_API_KEY is set: calls go to {base_url}", end=" ")
    print("(a local emulator on loopback)." if local else "(the AI/ML API: billed).")
else:
    from aimlapi_emulator import Emulator, Reply

    def scripted(request):
        """The Movie the structured-output cell asks for; None: the default assistant."""
        tools = request.json.get("tools", [])
        if any(tool.get("function", tool).get("name") == "Movie" for tool in tools):
            movie = {"title": "Arrival", "year": 2016, "genres": ["science fiction", "drama"]}
            return Reply(tool_calls=[{"name": "Movie", "input": movie}])
        return None

    emulator = Emulator(replies=scripted).start()
    os.environ["AIMLAPI_API_KEY"] = emulator.api_key
    os.environ["AIMLAPI_BASE_URL"] = emulator.base_url
    print(f"No AIMLAPI_API_KEY: running against the local emulator at {emulator.base_url}")
    print("(scripted, deterministic answers; no network, no cost)")

# %% [markdown]
# ## A model, and one call

# %%
from langchain_aimlapi import ChatAIMLAPI

llm = ChatAIMLAPI(model="claude-sonnet-4-20250514", max_tokens=512)

reply = llm.invoke("In one sentence: what is a lighthouse for?")
print(reply.text)

# %% [markdown]
# ## Streaming
#
# Chunks arrive as the model writes. Added together they give one message; the last
# chunk carries the usage and the response metadata.

# %%
chunks = []
for chunk in llm.stream("Count from 1 to 5."):
    print(chunk.text, end="", flush=True)
    chunks.append(chunk)
print()

streamed = sum(chunks[1:], chunks[0])
print(f"{len(chunks)} chunks, usage: {streamed.usage_metadata}")

# %% [markdown]
# ## Async
#
# Every method has an async twin (`ainvoke`, `astream`, `abatch`). Jupyter runs an event
# loop already, so `await` works at the top level of a cell.

# %%
import asyncio

reply = await llm.ainvoke("Say hello in Portuguese.")
print(reply.text)

async for chunk in llm.astream("Count from 1 to 3."):
    print(chunk.text, end="", flush=True)
print()

# Several requests at once, on one connection pool.
replies = await asyncio.gather(*(llm.ainvoke(f"Spell the number {n}.") for n in (1, 2, 3)))
print([r.text for r in replies])

# %% [markdown]
# ## Batch

# %%
questions = ["What is 2 + 2?", "Name a primary colour.", "What is the capital of Japan?"]
answers = llm.batch(questions, config={"max_concurrency": 3})
for question, answer in zip(questions, answers, strict=True):
    print(f"{question} → {answer.text}")

# %% [markdown]
# ## An LCEL chain: prompt | model | parser
#
# The system message of the prompt becomes Claude's system prompt.

# %%
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
if emulator is not None:  # the emulator records exactly what was sent
    sent = emulator.last_request.json
    print("system:", sent["system"])
    print("messages:", sent["messages"])

# %% [markdown]
# ## Tools: `bind_tools` and a tool loop by hand
#
# The model asks for tool calls; we run them and send the results back as `ToolMessage`s
# until it answers in text. (An agent does this loop for you — see
# `agents_tools_thinking_images.ipynb`.)

# %%
from langchain_core.messages import HumanMessage
from langchain_core.tools import tool


@tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
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

# %% [markdown]
# ## Structured output into a Pydantic model
#
# The API has no `response_format`, so `with_structured_output` offers the schema as a tool
# and forces the model to call it; you get a validated instance back.

# %%
from pydantic import BaseModel, Field


class Movie(BaseModel):
    """A film, as structured data."""

    title: str = Field(description="The film's title")
    year: int = Field(description="Year of release")
    genres: list[str] = Field(description="A few genres")


movie = llm.with_structured_output(Movie).invoke('Describe the film "Arrival" from 2016.')
print(repr(movie))

# %% [markdown]
# ## Usage and cost
#
# `usage_metadata` has the token counts; `response_metadata` has the gateway's reported
# cost (`credits_used`, `usd_spent`) and the request ids to quote to support.

# %%
reply = llm.invoke("What is the tallest mountain on Earth?")
usage = reply.usage_metadata
meta = reply.response_metadata
print(usage)
print({k: meta.get(k) for k in ("model_name", "credits_used", "usd_spent", "request_id")})

# %% [markdown]
# ## Errors
#
# Every error comes from `aimlapi_core.errors`, whichever framework you use. Requests the
# API would refuse are refused here first, before anything is sent, with a message that
# says what to change.

# %%
from aimlapi_core.errors import InvalidRequestError, UnsupportedContentError

sent_before = len(emulator.requests) if emulator is not None else None
try:
    llm.invoke("Hello", temperature=1.5)
except InvalidRequestError as err:
    print(f"{type(err).__name__}: {err}")

audio = {"type": "audio", "base64": "AAAA", "mime_type": "audio/wav"}
try:
    llm.invoke([HumanMessage([{"type": "text", "text": "Transcribe this."}, audio])])
except UnsupportedContentError as err:
    print(f"{type(err).__name__}: {err}")

if emulator is not None:
    print("requests sent for these two calls:", len(emulator.requests) - sent_before)

# %% [markdown]
# ## Counting tokens before sending
#
# Claude's tokenizer is not published, so `get_num_tokens_from_messages` gives a local
# *estimate* (text, images, tools and thinking counted; nothing downloaded). It plugs into
# LangChain's `trim_messages`. The reply's `usage_metadata` stays the real count.

# %%
from langchain_core.messages import AIMessage, trim_messages

history = [
    HumanMessage("Tell me about lighthouses. " * 20),
    AIMessage("Lighthouses guide ships. " * 20),
    HumanMessage("And what about foghorns?"),
]
print("estimated input tokens:", llm.get_num_tokens_from_messages(history))
trimmed = trim_messages(history, max_tokens=200, token_counter=llm, strategy="last")
print(f"kept {len(trimmed)} of {len(history)} messages:", [m.type for m in trimmed])

# %% [markdown]
# ## Clean up
#
# Stop the emulator (if this notebook started one).

# %%
if emulator is not None:
    emulator.stop()
    del os.environ["AIMLAPI_API_KEY"], os.environ["AIMLAPI_BASE_URL"]
    print("emulator stopped")
