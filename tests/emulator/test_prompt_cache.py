"""The emulator bills prompt caching as the API does (docs/wire.md "Prompt caching"): a prefix
ending at a breakpoint is written once and read by later requests that repeat it, for its TTL
(on a clock the test controls), from the model's minimum length, at most four breakpoints, with
the 20-block lookback; usage in both dialects' names and the cost following them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from emulator_support import Api

from aimlapi_emulator import Emulator

MODEL = "claude-sonnet-4-20250514"  # $3 / $15 per million, 1,024 tokens at least to cache
FIVE = "anthropic/claude-sonnet-5"  # takes cache_control on /chat/completions too
EPHEMERAL = {"type": "ephemeral"}
RULES = "Rules for every answer. " * 300  # about 1,500 tokens: over the minimum


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def timed(clock: Clock) -> Iterator[Api]:
    with Emulator(clock=clock) as emu, httpx.Client(timeout=10) as client:
        yield Api(emu, client)


def system(ttl: str | None = None, text: str = RULES) -> list[dict[str, Any]]:
    control = {**EPHEMERAL, "ttl": ttl} if ttl else EPHEMERAL
    return [{"type": "text", "text": text, "cache_control": control}]


def ask(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


def usage(api: Api, **body: Any) -> dict[str, Any]:
    response = api.messages(**{"messages": ask("Hi"), **body})
    assert response.status_code == 200, response.text
    return response.json()["usage"]


def test_written_once_then_read(timed: Api) -> None:
    first = usage(timed, system=system())
    second = usage(timed, system=system(), messages=ask("Another question"))
    assert first["cache_creation_input_tokens"] > 1024
    assert first["cache_read_input_tokens"] == 0
    assert (
        first["cache_creation"]["ephemeral_5m_input_tokens"] == first["cache_creation_input_tokens"]
    )
    assert second["cache_read_input_tokens"] == first["cache_creation_input_tokens"]
    assert second["cache_creation_input_tokens"] == 0
    # input_tokens is what was neither read nor written (Anthropic's naming).
    assert second["input_tokens"] < 20


def test_chat_reports_the_same_in_openai_names(timed: Api) -> None:
    def send(question: str) -> dict[str, Any]:
        response = timed.chat(model=FIVE, system=system(), messages=ask(question), max_tokens=64)
        assert response.status_code == 201, response.text
        return response.json()["usage"]

    first, second = send("Hi"), send("Another question")
    written = first["prompt_tokens_details"]["cache_write_tokens"]
    assert written > 1024
    assert first["prompt_tokens"] > written  # prompt_tokens counts every input token
    assert second["prompt_tokens_details"] == {"cached_tokens": written, "cache_write_tokens": 0}


def test_the_cost_follows_the_cache_figures(timed: Api) -> None:
    def billed(**body: Any) -> tuple[dict[str, Any], int]:
        answer = timed.messages(**{"messages": ask("Hi"), **body}).json()
        return answer["usage"], answer["meta"]["usage"]["credits_used"]

    def expected(u: dict[str, Any]) -> int:
        # $3 in / $15 out per million, 1.3 markup, 2,000,000 credits per dollar; writes 1.25x
        # (2x for 1h), reads 0.1x.
        tokens_in = (
            u["input_tokens"]
            + 1.25 * u["cache_creation"]["ephemeral_5m_input_tokens"]
            + 2.0 * u["cache_creation"]["ephemeral_1h_input_tokens"]
            + 0.1 * u["cache_read_input_tokens"]
        )
        return round((tokens_in * 3 + u["output_tokens"] * 15) / 1e6 * 1.3 * 2_000_000)

    for body in (
        {"system": system()},
        {"system": system()},
        {"system": system("1h", RULES + "And more. ")},
    ):
        u, credits = billed(**body)
        assert credits == expected(u)
        bill = timed.emu.bills[-1]  # what Emulator.bills reports is what meta.usage said
        assert (bill.credits_used, bill.cache_read_tokens) == (
            credits,
            u["cache_read_input_tokens"],
        )
        assert bill.cache_write_tokens == u["cache_creation_input_tokens"]
    _, plain_credits = billed(system=RULES)
    read, read_credits = billed(system=system())
    assert read["cache_read_input_tokens"] > 0
    assert read_credits < plain_credits / 3


def test_five_minutes_then_gone(timed: Api, clock: Clock) -> None:
    written = usage(timed, system=system())["cache_creation_input_tokens"]
    clock.now += 299
    assert usage(timed, system=system())["cache_read_input_tokens"] == written  # refreshed
    clock.now += 299
    assert usage(timed, system=system())["cache_read_input_tokens"] == written
    clock.now += 301
    again = usage(timed, system=system())
    assert again["cache_read_input_tokens"] == 0
    assert again["cache_creation_input_tokens"] == written


def test_one_hour(timed: Api, clock: Clock) -> None:
    first = usage(timed, system=system("1h"))
    assert (
        first["cache_creation"]["ephemeral_1h_input_tokens"] == first["cache_creation_input_tokens"]
    )
    clock.now += 3000
    assert usage(timed, system=system("1h"))["cache_read_input_tokens"] > 0
    clock.now += 3601
    assert usage(timed, system=system("1h"))["cache_read_input_tokens"] == 0


def test_below_the_models_minimum_nothing_is_cached(timed: Api) -> None:
    short = system(text="Be brief. " * 100)
    for _ in range(2):
        u = usage(timed, system=short)
        assert (u["cache_creation_input_tokens"], u["cache_read_input_tokens"]) == (0, 0)
    # Haiku 4.5 caches from 4,096 tokens: the 1,500-token rules are not enough there.
    u = usage(timed, system=system(), model="claude-haiku-4-5")
    assert u["cache_creation_input_tokens"] == 0


def test_a_fifth_breakpoint_is_a_400(timed: Api) -> None:
    blocks = [{"type": "text", "text": f"Part {i}.", "cache_control": EPHEMERAL} for i in range(5)]
    response = timed.messages(system=blocks, messages=ask("Hi"))
    assert response.status_code == 400
    assert "A maximum of 4 blocks with cache_control may be provided. Found 5." in response.text


def turns(count: int) -> list[dict[str, Any]]:
    """A conversation of ``count`` user/assistant pairs, then a question."""
    out: list[dict[str, Any]] = []
    for i in range(count):
        out += [
            {"role": "user", "content": f"Question {i}?"},
            {"role": "assistant", "content": f"Answer {i}."},
        ]
    return out


def marked(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    last = messages[-1]
    block = {"type": "text", "text": last["content"], "cache_control": EPHEMERAL}
    return [*messages[:-1], {**last, "content": [block]}]


@pytest.mark.parametrize(("added", "read"), [(9, True), (11, False)])
def test_the_lookback_is_twenty_blocks(timed: Api, added: int, read: bool) -> None:
    history = [*turns(3), {"role": "user", "content": "Go on."}]
    first = usage(timed, system=RULES, messages=marked(history))
    cached = first["cache_creation_input_tokens"]
    assert cached > 0
    # The cached prefix ends 2 + 2 per added pair blocks before the new breakpoint: 20 back
    # is read, 24 back is not.
    later = [*history, {"role": "assistant", "content": "Going."}, *turns(added)]
    later.append({"role": "user", "content": "And now?"})
    second = usage(timed, system=RULES, messages=marked(later))
    assert second["cache_read_input_tokens"] == (cached if read else 0)


def test_top_level_cache_control_marks_the_last_block(timed: Api) -> None:
    # Anthropic's automatic caching, which langchain-anthropic's ChatAnthropic sends.
    first = usage(timed, system=RULES, messages=ask("Hi"), cache_control=EPHEMERAL)
    second = usage(
        timed,
        system=RULES,
        messages=[*ask("Hi"), {"role": "assistant", "content": "Hello."}, *ask("More")],
        cache_control=EPHEMERAL,
    )
    assert first["cache_creation_input_tokens"] > 1024
    assert second["cache_read_input_tokens"] == first["cache_creation_input_tokens"]


def test_top_level_cache_control_is_not_a_chat_field(timed: Api) -> None:
    response = timed.chat(model=FIVE, messages=ask("Hi"), cache_control=EPHEMERAL, max_tokens=64)
    assert response.status_code == 400
    assert "cache_control" in response.text


def test_a_one_hour_breakpoint_after_a_five_minute_one_is_a_400(timed: Api) -> None:
    blocks = [
        {"type": "text", "text": "Part one.", "cache_control": EPHEMERAL},
        {"type": "text", "text": "Part two.", "cache_control": {**EPHEMERAL, "ttl": "1h"}},
    ]
    response = timed.messages(system=blocks, messages=ask("Hi"))
    assert response.status_code == 400
    assert "ttl='1h' must not come after one with ttl='5m'" in response.text
    assert timed.messages(system=blocks[::-1], messages=ask("Hi")).status_code == 200


def test_a_malformed_hint_is_a_400_not_a_500(timed: Api) -> None:
    for hint in ({"type": "ephemeral", "ttl": "10m"}, {"type": "persistent"}, "ephemeral"):
        blocks = [{"type": "text", "text": "Rules.", "cache_control": hint}]
        assert timed.messages(system=blocks, messages=ask("Hi")).status_code == 400
