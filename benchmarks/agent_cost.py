"""What one agent task costs: a 20-turn tool-calling task, with and without prompt caching.

The task: an order-support agent with a ~3,000-token system prompt and tool set answers one
question by calling a tool 19 times (each result a few hundred tokens) and then answering —
20 model calls, each resending everything before it. The emulator runs in this process and
scripts the model's side (the same 19 calls and answer for every configuration), so every
configuration sends the same conversation; it bills each call as the API does
(docs/wire.md "Prompt caching"): writes 1.25x the input price, reads 0.1x. Its bill
(``Emulator.bills``: ``meta.usage``'s cost and the tokens behind it) is the figure reported.

Configurations, each on a fresh emulator (an empty cache):

* LangChain ``create_agent`` with ``ChatAIMLAPI``, both dialects: caching off,
  ``prompt_caching="auto"``, and ``AIMLAPIPromptCachingMiddleware``;
* LlamaIndex ``FunctionAgent`` with ``AIMLAPI``, both dialects: caching off and
  ``prompt_caching="auto"``;
* the anchor: langchain-anthropic's ``ChatAnthropic`` + ``AnthropicPromptCachingMiddleware``
  against the emulator's ``/v1/messages`` (and ``ChatAnthropic`` alone, uncached).

The model is ``anthropic/claude-sonnet-5``: its schema takes ``cache_control`` on both
endpoints (the 4.x ids take it on ``/messages`` only: docs/caching.md).

Targets: with caching, each of our configurations costs ≤ 0.30× its own uncached run and no
more than the anchor's cached run.

Run: ``.venv/bin/python benchmarks/agent_cost.py [--turns 20] [--quick] [--out DIR]``.
"""

from __future__ import annotations

import asyncio
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import _harness
from _harness import mark, table
from _harness import parser as bench_parser

from aimlapi_emulator import Emulator, RecordedRequest, Reply, ToolCall

MODEL = "anthropic/claude-sonnet-5"
KEY = "bench-key"
MAX_TOKENS = 1024
TARGET_RATIO = 0.30

_POLICY = (
    "Orders ship from the Leeds, Lyon or Lodz warehouse nearest the customer; express orders "
    "leave the same day when paid before two in the afternoon, standard orders within two "
    "working days. A refund is due when an item arrives damaged, late by more than five "
    "working days, or different from its description; it goes back to the card used, within "
    "ten days. Never promise a date the carrier has not confirmed. Quote order ids as given. "
)
SYSTEM_PROMPT = "You are the order-support agent of a home-goods shop. " + _POLICY * 22
_DETAIL = (
    "Look up one order by its id: status, items, warehouse, carrier, tracking events, payment "
    "and refund state. Use it once per order the customer mentions; do not guess ids. "
)
TOOL_DESCRIPTIONS = {
    "lookup_order": _DETAIL * 4,
    "list_orders": "List a customer's orders, newest first, with their ids and dates. " * 6,
    "carrier_status": "A carrier's latest tracking events for a parcel number. " * 6,
}
QUESTION = "Please check my orders A-1 to A-19 and tell me which are late."


def order_report(order_id: str) -> str:
    """A tool result of a few hundred tokens."""
    events = "".join(
        f"Day {d}: parcel scanned at the {place} depot, status in transit, no exception. "
        for d, place in enumerate(["Leeds", "Calais", "Lille", "Paris", "Lyon"], 1)
    )
    return f"Order {order_id}: 2 items, paid by card, express. Tracking: {events * 2}"


def script(turns: int) -> Callable[[RecordedRequest], Reply]:
    """The model's side: one lookup_order call per turn, then the answer."""

    def reply(request: RecordedRequest) -> Reply:
        body = request.json or {}
        results = sum(
            1
            for message in body.get("messages", [])
            for block in _blocks(message)
            if block.get("type") == "tool_result"
        )
        results += sum(1 for m in body.get("messages", []) if m.get("role") == "tool")
        if results + 1 < turns:
            call = ToolCall(name="lookup_order", input={"order_id": f"A-{results + 1}"})
            return Reply(tool_calls=[call])
        return Reply(text=f"Checked {results} orders: none is late.")

    return reply


def _blocks(message: dict[str, Any]) -> list[dict[str, Any]]:
    content = message.get("content")
    return [b for b in content if isinstance(b, dict)] if isinstance(content, list) else []


# --------------------------------------------------------------------------- the runs


def lookup(order_id: str) -> str:
    """Every tool's function (the script decides which the model calls)."""
    return order_report(order_id)


def settings(emu: Emulator, api: str) -> dict[str, Any]:
    """Both models' settings: this emulator, the endpoint, the task's model."""
    return {
        "api_key": emu.api_key,
        "base_url": emu.base_url,
        "api": api,
        "model": MODEL,
        "max_tokens": MAX_TOKENS,
    }


def langchain_tools() -> list[Any]:
    from langchain_core.tools import StructuredTool

    return [
        StructuredTool.from_function(lookup, name=name, description=description)
        for name, description in TOOL_DESCRIPTIONS.items()
    ]


def run_langchain(emu: Emulator, api: str, caching: str) -> None:
    from langchain.agents import create_agent

    from langchain_aimlapi import ChatAIMLAPI

    middleware: list[Any] = []
    options: dict[str, Any] = {}
    if caching == "auto":
        options["prompt_caching"] = "auto"
    elif caching == "middleware":
        from langchain_aimlapi.middleware import AIMLAPIPromptCachingMiddleware

        middleware.append(AIMLAPIPromptCachingMiddleware())
    llm = ChatAIMLAPI(**settings(emu, api), **options)
    agent = create_agent(llm, langchain_tools(), system_prompt=SYSTEM_PROMPT, middleware=middleware)
    agent.invoke({"messages": [("user", QUESTION)]}, {"recursion_limit": 200})


def run_anchor(emu: Emulator, caching: bool) -> None:
    from langchain.agents import create_agent
    from langchain_anthropic import ChatAnthropic
    from langchain_anthropic.middleware import AnthropicPromptCachingMiddleware

    llm = ChatAnthropic(  # type: ignore[call-arg]
        model=MODEL,
        api_key=emu.api_key,
        base_url=emu.base_url.removesuffix("/v1"),
        max_tokens=MAX_TOKENS,
        max_retries=0,
    )
    middleware = [AnthropicPromptCachingMiddleware()] if caching else []
    agent = create_agent(llm, langchain_tools(), system_prompt=SYSTEM_PROMPT, middleware=middleware)
    agent.invoke({"messages": [("user", QUESTION)]}, {"recursion_limit": 200})


def run_llama(emu: Emulator, api: str, caching: str) -> None:
    from llama_index.core.agent.workflow import FunctionAgent
    from llama_index.core.tools import FunctionTool
    from pydantic import BaseModel, ConfigDict

    from llama_index_aimlapi import AIMLAPI

    def untitled(schema: dict[str, Any]) -> None:
        for prop in schema.get("properties", {}).values():
            prop.pop("title", None)

    class OrderId(BaseModel):
        # The same input schema as every other configuration's: LlamaIndex keeps pydantic's
        # property titles ("Order Id"), LangChain drops them; the task, not the framework,
        # is what this benchmark compares.
        model_config = ConfigDict(json_schema_extra=untitled)
        order_id: str

    tools = [
        FunctionTool.from_defaults(lookup, name=name, description=description, fn_schema=OrderId)
        for name, description in TOOL_DESCRIPTIONS.items()
    ]

    llm = AIMLAPI(**settings(emu, api), prompt_caching="auto" if caching == "auto" else None)
    agent = FunctionAgent(tools=tools, llm=llm, system_prompt=SYSTEM_PROMPT)

    async def go() -> None:
        await agent.run(user_msg=QUESTION, max_iterations=200)
        await llm.aclose()

    asyncio.run(go())
    llm.close()


@dataclass
class Row:
    name: str
    group: str  # the uncached run this one is compared with
    cached: bool
    calls: int = 0
    usd: float = 0.0
    input_tokens: int = 0
    billed_input: float = 0.0  # input tokens weighted by what they cost: reads 0.1, writes 1.25
    read: int = 0
    written: int = 0


def measure(
    name: str, group: str, cached: bool, run: Callable[[Emulator], None], turns: int
) -> Row:
    row = Row(name, group, cached)
    with Emulator(api_key=KEY, replies=script(turns)) as emu:
        run(emu)
        bills = emu.bills
    if len(bills) != turns:
        raise RuntimeError(f"{name}: {len(bills)} model calls, expected {turns}")
    for bill in bills:
        row.calls += 1
        row.usd += bill.usd_spent
        row.input_tokens += bill.input_tokens
        row.read += bill.cache_read_tokens
        row.written += bill.cache_write_tokens
        plain = bill.input_tokens - bill.cache_read_tokens - bill.cache_write_tokens
        row.billed_input += plain + 0.1 * bill.cache_read_tokens + 1.25 * bill.cache_write_tokens
    return row


def configurations() -> list[tuple[str, str, bool, Callable[[Emulator], None]]]:
    out: list[tuple[str, str, bool, Callable[[Emulator], None]]] = []
    for api in ("chat_completions", "messages"):
        group = f"LangChain {api}"
        for caching in ("off", "auto", "middleware"):
            label = {"off": "off", "auto": 'prompt_caching="auto"', "middleware": "middleware"}
            out.append(
                (
                    f"LangChain create_agent · {api} · {label[caching]}",
                    group,
                    caching != "off",
                    lambda emu, api=api, caching=caching: run_langchain(emu, api, caching),
                )
            )
    for api in ("chat_completions", "messages"):
        group = f"LlamaIndex {api}"
        for caching in ("off", "auto"):
            label = "off" if caching == "off" else 'prompt_caching="auto"'
            out.append(
                (
                    f"LlamaIndex FunctionAgent · {api} · {label}",
                    group,
                    caching != "off",
                    lambda emu, api=api, caching=caching: run_llama(emu, api, caching),
                )
            )
    out.append(
        ("anchor: ChatAnthropic · messages · off", "anchor", False, lambda e: run_anchor(e, False))
    )
    out.append(
        (
            "anchor: ChatAnthropic + AnthropicPromptCachingMiddleware · messages",
            "anchor",
            True,
            lambda e: run_anchor(e, True),
        )
    )
    return out


def single_call() -> str:
    """When caching does not pay: one call, nothing read back (the write costs 1.25x)."""
    off = measure("off", "single", False, lambda e: run_langchain(e, "messages", "off"), 1)
    on = measure("auto", "single", True, lambda e: run_langchain(e, "messages", "auto"), 1)
    rows = [
        [name, f"${r.usd:.5f}", f"{r.input_tokens:,}", f"{r.billed_input:,.0f}"]
        for name, r in (("off", off), ('prompt_caching="auto"', on))
    ]
    return (
        "\nThe same prompt sent once (LangChain, messages): nothing is read back, so caching "
        f"costs {on.usd / off.usd:.2f}× the uncached call.\n\n"
        + table(["caching", "billed USD", "input tokens", "billed input tokens"], rows)
    )


def plot(rows: list[Row], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(12, 0.45 * len(rows) + 1.2))
    names = [r.name for r in rows][::-1]
    values = [r.usd * 100 for r in rows][::-1]
    colors = ["#3b7dd8" if r.cached else "#b0b0b0" for r in rows][::-1]
    ax.barh(names, values, color=colors)
    ax.set_xlabel("billed US cents per task (20 model calls)")
    ax.set_xlim(0, max(values) * 1.18)
    ax.set_title("One 20-turn agent task: billed cost, caching off (grey) and on (blue)")
    for y, value in enumerate(values):
        ax.text(value, y, f" {value:.2f}¢", va="center", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> int:
    p = bench_parser(__doc__)
    p.add_argument("--turns", type=int, default=20, help="model calls per task")
    args = p.parse_args()
    # --quick: a shorter task (the targets are for 20 turns: fewer turns repeat less).
    turns = 6 if args.quick and args.turns == 20 else args.turns
    # The frameworks' own deprecation notices are not this benchmark's output.
    warnings.simplefilter("ignore")
    rows = [measure(name, g, c, run, turns) for name, g, c, run in configurations()]
    uncached = {r.group: r for r in rows if not r.cached}
    anchor = next(r for r in rows if r.group == "anchor" and r.cached)
    failed = []
    out_rows = []
    for r in rows:
        ratio = r.usd / uncached[r.group].usd
        verdicts = ""
        if r.cached and r.group != "anchor":
            ok_ratio, ok_anchor = ratio <= TARGET_RATIO, r.usd <= anchor.usd
            verdicts = f"{mark(ok_ratio)} ≤ {TARGET_RATIO:.2f}× · {mark(ok_anchor)} ≤ anchor"
            if _harness.JUDGED and not (ok_ratio and ok_anchor):
                failed.append(r.name)
        out_rows.append(
            [
                r.name,
                f"${r.usd:.4f}",
                f"{r.input_tokens:,}",
                f"{r.billed_input:,.0f}",
                f"{r.read:,} / {r.written:,}",
                f"{ratio:.2f}×",
                verdicts,
            ]
        )
    print(f"## agent_cost: one {turns}-turn tool-calling task, billed by the emulator\n")
    print(
        f"Model `{MODEL}`; ~3,000-token system prompt and tools, tool results of a few hundred "
        "tokens; the emulator scripts the same tool calls for every configuration and bills as "
        "the API does (writes 1.25× the input price, reads 0.1×). *Input tokens*: every prompt "
        "token sent; *billed input*: the same weighted by its price (read 0.1, written 1.25). "
        f"Targets: cached ≤ {TARGET_RATIO:.2f}× its own uncached run, and ≤ the anchor's "
        f"cached run (${anchor.usd:.4f}).\n"
    )
    headers = [
        "configuration",
        "billed USD",
        "input tokens",
        "billed input tokens",
        "cache read / written",
        "vs uncached",
        "targets",
    ]
    print(table(headers, out_rows))
    print(single_call())
    if args.out:
        path = Path(args.out) / "agent_cost.png"
        plot(rows, path)
    if failed:  # reported, not an error: the script exits non-zero only when it cannot measure
        print(f"\nmissed a target: {', '.join(failed)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
