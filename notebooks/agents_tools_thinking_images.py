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
# # Agents, tools, extended thinking and images
#
# - a LangChain agent (`langchain.agents.create_agent`, built on LangGraph) with two tools
# - a LlamaIndex `FunctionAgent`, streaming its events
# - extended thinking on the Anthropic-native endpoint (`api="messages"`): reasoning
#   blocks, and thinking across a tool-calling exchange
# - an image sent inline as a data URI, from both frameworks
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
    from aimlapi_emulator import Emulator

    emulator = Emulator().start()
    os.environ["AIMLAPI_API_KEY"] = emulator.api_key
    os.environ["AIMLAPI_BASE_URL"] = emulator.base_url
    print(f"No AIMLAPI_API_KEY: running against the local emulator at {emulator.base_url}")
    print("(scripted, deterministic answers; no network, no cost)")

# %% [markdown]
# ## A LangChain agent with two tools
#
# `create_agent` runs the tool loop: the model calls tools, the agent runs them and feeds
# the results back until the model answers.

# %%
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


agent = create_agent(ChatAIMLAPI(max_tokens=1024), [get_weather, get_local_time])
question = "Weather and local time in Lisbon? Use get_weather and get_local_time."
state = agent.invoke({"messages": [("user", question)]})
for message in state["messages"]:
    calls = [f"{c['name']}({c['args']})" for c in getattr(message, "tool_calls", [])]
    print(f"{message.type:>5}: {message.text[:100]!r} {' '.join(calls)}")

# %% [markdown]
# ## A LlamaIndex `FunctionAgent`, with streamed events
#
# Plain Python functions become tools (their docstrings are the descriptions).
# `stream_events()` shows the agent's steps as they happen.

# %%
from llama_index.core.agent.workflow import AgentStream, FunctionAgent, ToolCallResult

from llama_index_aimlapi import AIMLAPI


def multiply(a: float, b: float) -> float:
    """Multiply two numbers."""
    return a * b


def add(a: float, b: float) -> float:
    """Add two numbers."""
    return a + b


li_agent = FunctionAgent(tools=[multiply, add], llm=AIMLAPI(max_tokens=1024))
handler = li_agent.run("Use multiply to compute 12.5 times 4.")
async for event in handler.stream_events():
    if isinstance(event, ToolCallResult):
        print(f"\n[tool] {event.tool_name}({event.tool_kwargs})", end=" ")
        print(f"→ {event.tool_output.content}")
    elif isinstance(event, AgentStream) and event.delta:
        print(event.delta, end="", flush=True)
answer = await handler
print(f"\n\nanswer: {answer}")


# %% [markdown]
# ## Extended thinking
#
# `thinking=2048` gives Claude a budget of 2048 tokens to think before answering
# (`max_tokens` must be larger). With `api="messages"` (the Anthropic-native endpoint)
# each thinking block comes with a signature. `content` keeps Claude's own blocks;
# `content_blocks` shows them as LangChain's standard `reasoning` blocks.

# %%
thinker = ChatAIMLAPI(api="messages", thinking=2048, max_tokens=4096)
reply = thinker.invoke("Is 1001 a prime number?")

for block in reply.content_blocks:
    if block["type"] == "reasoning":
        print("reasoning:", block["reasoning"][:200])
        print("signature:", block["extras"]["signature"][:24], "…")
    elif block["type"] == "text":
        print("answer:", block["text"])

# %% [markdown]
# ### Thinking across a tool call
#
# When the model thinks and then calls a tool, the next request must send that thinking
# block back unchanged, signature included, or the API refuses it. Appending the
# `AIMessage` to the history as it is does exactly that; this is why agents that think
# should use `api="messages"` (`/chat/completions` returns no signatures).

# %%
from langchain_core.messages import HumanMessage

thinker_with_tools = thinker.bind_tools([get_weather])
history = [HumanMessage('What is the weather in "Oslo"? Use get_weather.')]
first = thinker_with_tools.invoke(history)
print("thinking:", first.content_blocks[0]["reasoning"][:120])
print("tool calls:", first.tool_calls)

history += [first, get_weather.invoke(first.tool_calls[0])]
second = thinker_with_tools.invoke(history)
print("answer:", second.text)

if emulator is not None:  # the signed thinking block went back as it came
    replayed = emulator.last_request.json["messages"][1]["content"][0]
    print("replayed:", {k: str(v)[:40] for k, v in replayed.items()})

# %% [markdown]
# ## Images
#
# Images go inline as base64. Here we build a tiny 8×8 PNG with the standard library
# (any PNG or JPEG bytes will do) and send it as a `data:` URI.

# %%
import base64
import struct
import zlib


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A solid-colour PNG, built by hand so the notebook needs no imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


image = png(8, 8, (220, 30, 30))
data_uri = "data:image/png;base64," + base64.b64encode(image).decode()
print(f"{len(image)} bytes: {data_uri[:60]}…")

# %%
message = HumanMessage(
    [
        {"type": "text", "text": "What colour is this image? One word."},
        {"type": "image_url", "image_url": {"url": data_uri}},
    ]
)
reply = ChatAIMLAPI(max_tokens=256).invoke([message])
print("LangChain:", reply.text)

if emulator is not None:  # sent as a base64 image block, not as a URL
    sent = emulator.last_request.json["messages"][0]["content"][1]
    print("sent:", sent["type"], sent["source"]["type"], sent["source"]["media_type"])
    print("same bytes:", base64.b64decode(sent["source"]["data"]) == image)

# %%
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

if emulator is not None:
    sent = emulator.last_request.json["messages"][0]["content"][1]
    print("same bytes:", base64.b64decode(sent["source"]["data"]) == image)

# %% [markdown]
# ## Clean up
#
# Stop the emulator (if this notebook started one).

# %%
if emulator is not None:
    emulator.stop()
    del os.environ["AIMLAPI_API_KEY"], os.environ["AIMLAPI_BASE_URL"]
    print("emulator stopped")
