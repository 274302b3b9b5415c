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
# # LlamaIndex quickstart: `AIMLAPI`
#
# `AIMLAPI` is a LlamaIndex `FunctionCallingLLM` for the Claude models on the
# [AI/ML API](https://aimlapi.com). This notebook covers complete, chat, streaming, async,
# structured prediction, a query engine over a few local documents, and a chat engine.
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
# ## Complete and chat

# %%
from llama_index.core.llms import ChatMessage

from llama_index_aimlapi import AIMLAPI

llm = AIMLAPI(model="claude-sonnet-4-20250514", max_tokens=512)

completion = llm.complete("In one sentence: what is a lighthouse for?")
print(completion.text)

response = llm.chat(
    [
        ChatMessage(role="system", content="You are a friendly harbour guide."),
        ChatMessage(role="user", content="Hi! What can I visit today?"),
    ]
)
print(response.message.content)
print("usage:", response.raw["usage"], "cost:", response.raw["cost"])

# %% [markdown]
# ## Streaming and async
#
# `stream_chat` yields responses whose `delta` is the new text; the last one holds the
# whole message and the usage. `achat` / `astream_chat` are the async twins (top-level
# `await` works in Jupyter).

# %%
responses = []
for r in llm.stream_chat([ChatMessage(role="user", content="Count from 1 to 5.")]):
    print(r.delta, end="", flush=True)
    responses.append(r)
print()

reply = await llm.achat([ChatMessage(role="user", content="Say hello in Portuguese.")])
print(reply.message.content)

# %% [markdown]
# ## Structured prediction into a Pydantic model
#
# `structured_predict` calls the model with the schema as a tool and returns a validated
# instance.

# %%
from llama_index.core.prompts import PromptTemplate
from pydantic import BaseModel, Field


class Landmark(BaseModel):
    """A landmark, as structured data."""

    name: str = Field(description="The landmark's name")
    built: int = Field(description="Year it was built")


landmark = llm.structured_predict(
    Landmark,
    PromptTemplate('Extract the landmark: "{name}" was built in {year}.'),
    name="Harbor Point Lighthouse",
    year=1871,
)
print(repr(landmark))

# %% [markdown]
# ## A query engine over local documents
#
# Five short made-up documents about a harbour town, written inline so the notebook runs
# from any folder (`SimpleDirectoryReader("your/folder").load_data()` reads your own). They are
# embedded with `AIMLAPIEmbedding` (`text-embedding-3-small` on the API; the emulator answers
# with deterministic vectors whose similarity follows shared words), so the whole pipeline —
# embeddings and answers — runs through the AI/ML API.

# %%
from llama_index.core import Document, Settings, VectorStoreIndex

from llama_index_aimlapi import AIMLAPIEmbedding

Settings.embed_model = AIMLAPIEmbedding(model_name="text-embedding-3-small")
Settings.llm = llm

harbour_town = {
    "ferry_timetable.txt": (
        "Harbor Point ferry timetable (summer)\n"
        "\n"
        "The ferry to Cray Island leaves Harbor Point at 08:15, 12:30 and "
        "17:45.\n"
        "The crossing takes 40 minutes. Bicycles travel free; dogs must be on a"
        " lead.\n"
        "A return ticket costs 14 euros for adults and 7 euros for children "
        "under 12.\n"
        "In winter there is only the 12:30 sailing."
    ),
    "harbor_lighthouse.md": (
        "# The Harbor Point Lighthouse\n"
        "\n"
        "The Harbor Point Lighthouse was built in 1871 from granite quarried on"
        " Cray Island.\n"
        "Its tower is 34 metres tall and its lamp can be seen 22 nautical miles"
        " out to sea.\n"
        "The last resident keeper, Agnes Morrow, retired in 1968, when the "
        "light was automated.\n"
        "Today the keeper's cottage is a small museum, open from April to "
        "October."
    ),
    "lifeboat_station.md": (
        "# The Lifeboat Station\n"
        "\n"
        "The Harbor Point lifeboat station opened in 1903.\n"
        "Its current boat, the Agnes Morrow, is a Shannon-class lifeboat named "
        "after the lighthouse keeper.\n"
        "The crew of 24 volunteers answered 61 call-outs last year.\n"
        "Visitors can tour the boathouse on Sunday afternoons."
    ),
    "oyster_festival.md": (
        "# The Oyster Festival\n"
        "\n"
        "Harbor Point holds its Oyster Festival on the second weekend of "
        "September.\n"
        "The festival started in 1994 and now draws about 9,000 visitors.\n"
        "The shucking contest record is 30 oysters in 2 minutes 41 seconds, set"
        " by Luis Ferreira in 2019.\n"
        "All proceeds go to the lifeboat station."
    ),
    "tide_garden.md": (
        "# The Tide Garden\n"
        "\n"
        "The Tide Garden is a public garden on the east shore of Harbor Point.\n"
        "It grows salt-tolerant plants: sea kale, samphire, thrift and sea "
        "holly.\n"
        "The garden floods twice a day at high tide, which is why its paths are"
        " raised boardwalks.\n"
        "Volunteers meet every Saturday at 9 am to weed and repair the "
        "boardwalks."
    ),
}
documents = [
    Document(text=text, metadata={"file_name": name}) for name, text in harbour_town.items()
]
index = VectorStoreIndex.from_documents(documents)
print(f"indexed {len(documents)} documents")

# %%
query_engine = index.as_query_engine(similarity_top_k=2)
result = query_engine.query("When does the ferry to Cray Island leave Harbor Point?")
print(result.response)
sources = [n.node.metadata["file_name"] for n in result.source_nodes]
print("sources:", sources)
if emulator is not None:  # ...and the retrieved text was sent to the model
    print("context sent to the model:", "08:15" in str(emulator.last_request.json["messages"]))

# %% [markdown]
# ## A chat engine
#
# A chat engine keeps the conversation and retrieves context for every user turn
# (`chat_mode="context"`; `"condense_plus_context"` first rewrites follow-up questions
# with the LLM).

# %%
chat_engine = index.as_chat_engine(chat_mode="context", similarity_top_k=2)
first = chat_engine.chat("Tell me about the Harbor Point Lighthouse.")
print(first.response)
second = chat_engine.chat("Who was its last keeper?")
print(second.response)

# %% [markdown]
# ## Clean up
#
# Stop the emulator (if this notebook started one).

# %%
if emulator is not None:
    emulator.stop()
    del os.environ["AIMLAPI_API_KEY"], os.environ["AIMLAPI_BASE_URL"]
    print("emulator stopped")
