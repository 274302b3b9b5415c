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
# # Grounded answers: `CitationQueryEngine` beside Claude's own citations
#
# The same questions over the same index, answered two ways:
#
# * LlamaIndex's **`CitationQueryEngine`** numbers the retrieved chunks in the prompt
#   ("Source 1: ...") and asks the model to write `[1]` after its claims. It works with any
#   LLM, but the number is just text in the answer: nothing says which words it stands for,
#   or checks that the source says them.
# * **`GroundedQueryEngine`** (this package) sends the retrieved nodes as `search_result`
#   blocks. Claude's answer carries citations that quote the source; the library ties each
#   quote to the node it names and to its span there, so every citation can be checked.
#
# The guide is `docs/citations.md`.
#
# Install, from a checkout: `pip install -e ".[notebooks]"` (both frameworks, LangChain's
# agents, the emulator, Ray and JupyterLab; `docs/getting-started.md` has every way to install).

# %% [markdown]
# ## Setup
#
# With `AIMLAPI_API_KEY` set, this notebook talks to the real AI/ML API (and is billed).
# Without it, the next cell starts the bundled emulator — a real HTTP server on loopback that
# answers like the API — and points `AIMLAPI_API_KEY` / `AIMLAPI_BASE_URL` at it.

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
    print("No AIMLAPI_API_KEY: running against the local emulator")
    print("(scripted, deterministic answers; no network, no cost)")

# %% [markdown]
# ## An index over a few documents
#
# Five short documents, embedded with `AIMLAPIEmbedding`. The model is
# `anthropic/claude-sonnet-5`, whose schema takes search results on the default endpoint.

# %%
from llama_index.core import Document, VectorStoreIndex

from llama_index_aimlapi import AIMLAPI, AIMLAPIEmbedding

texts = {
    "Harbor Point Lighthouse": (
        "The Harbor Point Lighthouse stands on a granite ledge at the mouth of the bay. "
        "Its tower was first lit in 1871 with a whale oil lamp. "
        "The last keeper, Ada Moreau, left the station in 1954 when the light was automated."
    ),
    "Mill River Bridge": (
        "The Mill River Bridge carries the old post road across the river. "
        "Its three stone arches were completed in 1902 by Italian masons. "
        "Heavy trucks have been banned from the bridge since a flood cracked the middle pier."
    ),
    "Copper Hollow Mine": (
        "Copper Hollow Mine produced copper ore for sixty years. "
        "Miners reached the deepest shaft, nine hundred feet down, in 1911. "
        "The mine closed in 1938 after the copper price collapsed."
    ),
    "Alder Lake": (
        "Alder Lake is a glacial lake fed by four mountain streams. "
        "Its water stays below twelve degrees even in August. "
        "Brook trout are the only fish native to the lake."
    ),
    "Heron Marsh": (
        "Heron Marsh is a protected wetland of reeds and tidal pools. "
        "Great blue herons nest in the marsh from April to July. "
        "A boardwalk lets visitors cross the wetland without disturbing the birds."
    ),
}
documents = [Document(text=text, metadata={"title": title}) for title, text in texts.items()]
index = VectorStoreIndex.from_documents(documents, embed_model=AIMLAPIEmbedding())
llm = AIMLAPI(model="anthropic/claude-sonnet-5")
questions = [
    "When was the tower of the Harbor Point Lighthouse first lit?",
    "Who was the last keeper of the lighthouse station?",
    "When did Copper Hollow Mine close?",
    "Which fish are native to Alder Lake?",
]
print(len(documents), "documents indexed")

# %% [markdown]
# ## `CitationQueryEngine`: numbered sources
#
# The answer's `[n]` markers point at `response.source_nodes[n - 1]`, each a chunk the engine
# numbered. To know which words a number stands for, a reader has to look for them in the
# chunk; an answer without numbers, or with a wrong one, looks the same to the code.

# %%
import re

from llama_index.core.query_engine import CitationQueryEngine

citation_engine = CitationQueryEngine.from_args(index, llm=llm, similarity_top_k=3)
for question in questions:
    response = citation_engine.query(question)
    print("Q:", question)
    print("A:", response.response)
    numbers = sorted({int(n) for n in re.findall(r"\[(\d+)\]", response.response)})
    if not numbers:
        print("   (no [n] in the answer: nothing ties it to a source)")
    for n in numbers:
        if 0 < n <= len(response.source_nodes):
            chunk = response.source_nodes[n - 1].node
            print(f"   [{n}] → {chunk.metadata['title']}: the whole chunk, {len(chunk.text)} chars")
        else:
            print(f"   [{n}] → no such source")
    print()

# %% [markdown]
# ## `GroundedQueryEngine`: Claude's citations, checked
#
# Each citation in `response.metadata["citations"]` names the node it quotes, the quoted
# text and its `[start:end]` span in that node. The last column checks the quote against the
# node: it must be there, verbatim.

# %%
from llama_index_aimlapi.grounded import GroundedQueryEngine

grounded_engine = GroundedQueryEngine.from_args(index, llm=llm, similarity_top_k=3)
for question in questions:
    response = grounded_engine.query(question)
    print("Q:", question)
    print("A:", response.response)
    for c in response.metadata["citations"]:
        source = c.node.node.get_content()
        verbatim = source[c.start : c.end] == c.cited_text
        print(f"   → {c.node.node.metadata['title']} [{c.start}:{c.end}]: {c.cited_text!r}")
        print(f"     quoted verbatim from that node: {verbatim}")
    print()

# %% [markdown]
# ## Side by side
#
# For each question: which source each engine points at, and what it says was used.

# %%
for question in questions:
    numbered = citation_engine.query(question)
    grounded = grounded_engine.query(question)
    numbers = sorted({int(n) for n in re.findall(r"\[(\d+)\]", numbered.response)})
    picked = [
        numbered.source_nodes[n - 1].node.metadata["title"]
        for n in numbers
        if 0 < n <= len(numbered.source_nodes)
    ]
    quoted = [(c.node.node.metadata["title"], c.cited_text) for c in grounded.metadata["citations"]]
    print(question)
    print("   CitationQueryEngine:", ", ".join(picked) or "(no source named)")
    for title, text in quoted:
        print(f"   GroundedQueryEngine: {title} — {text!r}")

# %% [markdown]
# ## Streaming
#
# A streamed grounded response fills its citations when the stream ends.

# %%
streaming_engine = GroundedQueryEngine.from_args(index, llm=llm, streaming=True, similarity_top_k=3)
response = streaming_engine.query("How cold does the water of Alder Lake stay in August?")
for text in response.response_gen:
    print(text, end="")
print()
print([(c.node.node.metadata["title"], c.cited_text) for c in response.metadata["citations"]])

# %% [markdown]
# ## Clean up
#
# Stop the emulator (if this notebook started one).

# %%
llm.close()
if emulator is not None:
    emulator.stop()
    del os.environ["AIMLAPI_API_KEY"], os.environ["AIMLAPI_BASE_URL"]
    print("emulator stopped")
