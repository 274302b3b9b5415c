# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 1,000 prompts, three ways: a `batch()` loop, the Batches API, Ray
#
# The same 1,000 classification prompts go through `ChatAIMLAPI` three ways, and each way's
# cost is worked out from the usage the service reported:
#
# 1. **`llm.batch(...)`** — one HTTP request per prompt, run concurrently from this process.
# 2. **The Batches API** — `llm.batch_submit(...)`: one upload, answers collected later (from any
#    process), billed at the gateway's batch price ("up to 50%" less).
# 3. **Ray** — a LangChain chain over a Ray Dataset with `map_batches`, the model built here and
#    shipped to the workers (the key travels inside the pickled model, not in their environment).
#
# See `docs/batches.md` for the API in full.
#
# Install, from a checkout: `pip install -e ".[notebooks]"` (both frameworks, LangChain's
# agents, the emulator, Ray and JupyterLab; `docs/getting-started.md` has every way to install).

# %% [markdown]
# ## Setup
#
# With `AIMLAPI_API_KEY` set, this notebook talks to the real AI/ML API — and runs 3,000
# requests, which are billed. Without it, the next cell starts the bundled emulator (a real HTTP
# server on loopback) and points `AIMLAPI_API_KEY` / `AIMLAPI_BASE_URL` at it; its answers are
# scripted here: the word the prompt asks for.

# %%
import os

os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

emulator = None
if os.environ.get("AIMLAPI_API_KEY"):
    from urllib.parse import urlsplit

    base_url = os.environ.get("AIMLAPI_BASE_URL") or "https://api.aimlapi.com/v1"
    local = urlsplit(base_url).hostname in ("127.0.0.1", "localhost", "::1")
    print(f"AIMLAPI_API_KEY is set: calls go to {base_url}", end=" ")
    print("(a local emulator on loopback)." if local else "(the AI/ML API: 3,000 billed requests).")
else:
    import re

    from aimlapi_emulator import Emulator

    def category(request):
        prompt = request.json["messages"][-1]["content"]
        return re.search(r'say "([^"]+)"', prompt).group(1)

    emulator = Emulator(replies=category).start()
    os.environ["AIMLAPI_API_KEY"] = emulator.api_key
    os.environ["AIMLAPI_BASE_URL"] = emulator.base_url
    print(f"No AIMLAPI_API_KEY: running against the local emulator at {emulator.base_url}")

# %% [markdown]
# ## The prompts and the model
#
# The key is taken out of the environment here and given to the model: Ray workers inherit
# the driver's environment, and they should get the key only inside the pickled model.

# %%
import time

from langchain_aimlapi import ChatAIMLAPI

MODEL = "claude-sonnet-4-20250514"
N = 1000
api_key = os.environ.pop("AIMLAPI_API_KEY")
llm = ChatAIMLAPI(model=MODEL, api_key=api_key, max_tokens=32)

topics = ["billing", "delivery", "quality", "refund", "login"]
prompts = [
    f"Ticket {i}: customer writes about {topics[i % 5]}. "
    f'Reply with the category only: say "{topics[i % 5]}"'
    for i in range(N)
]
print(prompts[0])

# %% [markdown]
# Each way is summarised the same way: answers, tokens, the cost the gateway reported, and
# the cost at the gateway's list price from the reported tokens (claude-sonnet-4: Anthropic's
# $3 / $15 per million input / output tokens with the gateway's 1.3× markup; batch requests at
# half that).

# %%
PRICE_IN, PRICE_OUT = 3.0 * 1.3 / 1e6, 15.0 * 1.3 / 1e6  # USD per token
rows = []


def summarise(way, messages, seconds, discount=1.0):
    tokens_in = sum(m.usage_metadata["input_tokens"] for m in messages)
    tokens_out = sum(m.usage_metadata["output_tokens"] for m in messages)
    reported = sum(m.response_metadata.get("usd_spent") or 0.0 for m in messages)
    priced = (tokens_in * PRICE_IN + tokens_out * PRICE_OUT) * discount
    rows.append((way, len(messages), tokens_in, tokens_out, reported, priced, seconds))
    print(f"{way}: {len(messages)} answers in {seconds:.1f} s; first: {messages[0].text!r}")
    print(f"  tokens {tokens_in} in / {tokens_out} out; reported ${reported:.4f}", end="")
    print(f"; at list price ${priced:.4f}")


# %% [markdown]
# ## 1. A `batch()` loop

# %%
start = time.perf_counter()
loop_answers = llm.batch(prompts, config={"max_concurrency": 16})
summarise("batch() loop", loop_answers, time.perf_counter() - start)

# %% [markdown]
# ## 2. The Batches API
#
# `batch_submit` returns at once with an id. `batch_resume(id)` — here on a new model, as a
# later process would — polls with backoff (a tqdm bar shows progress) and returns the answers
# in input order.

# %%
start = time.perf_counter()
job = llm.batch_submit(prompts)
print("submitted batch", job.id)
later = ChatAIMLAPI(model=MODEL, api_key=api_key).batch_resume(job.id)
batch_answers = later.results(timeout=3600, poll_interval=1.0, progress=True)
summarise("Batches API", batch_answers, time.perf_counter() - start, discount=0.5)

# %% [markdown]
# ## 3. Ray: a chain over a Ray Dataset
#
# The chain (prompt → model → text) is built here; `map_batches` pickles it into the workers.
# To compare cost, each row keeps the message's usage and reported cost.

# %%
import logging

import ray
from langchain_core.prompts import ChatPromptTemplate

logging.getLogger("ray").setLevel(logging.ERROR)  # Ray Data's progress lines, not our output
ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
ray.data.DataContext.get_current().enable_progress_bars = False
chain = ChatPromptTemplate.from_messages([("human", "{text}")]) | llm


def classify(batch):
    messages = chain.batch([{"text": str(t)} for t in batch["text"]])
    return {
        "text": [m.text for m in messages],
        "input_tokens": [m.usage_metadata["input_tokens"] for m in messages],
        "output_tokens": [m.usage_metadata["output_tokens"] for m in messages],
        "usd_spent": [m.response_metadata.get("usd_spent") or 0.0 for m in messages],
    }


start = time.perf_counter()
dataset = ray.data.from_items([{"text": p} for p in prompts], override_num_blocks=4)
ray_rows = dataset.map_batches(classify, batch_size=250).take_all()
seconds = time.perf_counter() - start
ray.shutdown()

# %%
from langchain_core.messages import AIMessage

ray_answers = [
    AIMessage(
        content=r["text"],
        usage_metadata={
            "input_tokens": int(r["input_tokens"]),
            "output_tokens": int(r["output_tokens"]),
            "total_tokens": int(r["input_tokens"] + r["output_tokens"]),
        },
        response_metadata={"usd_spent": float(r["usd_spent"])},
    )
    for r in ray_rows
]
summarise("Ray map_batches", ray_answers, seconds)

# %% [markdown]
# ## Cost, side by side

# %%
header = f"{'way':<16}{'answers':>8}{'tokens in':>11}{'tokens out':>12}"
print(header + f"{'reported $':>12}{'list $':>10}{'time':>10}")
for way, n, tin, tout, reported, priced, secs in rows:
    print(f"{way:<16}{n:>8}{tin:>11}{tout:>12}{reported:>12.4f}{priced:>10.4f}{secs:>8.1f} s")
same = [a.text for a in loop_answers] == [a.text for a in batch_answers]
print("\nThe loop and the Batches API gave the same answers, in the same order:", same)

# %% [markdown]
# The Batches API costs half as much for the same tokens and needs one upload instead of 1,000
# requests; its price is latency (results "within up to 1 hour" on the real service). A
# `batch()` loop and Ray pay the normal price; Ray is the way to spread work the Batches API
# cannot take (multi-turn, images, tools that run) over many processes or machines.

# %%
if emulator is not None:
    emulator.stop()
