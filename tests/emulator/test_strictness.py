"""Per-model strictness from the core's catalogue: what the real service refuses, refused here."""

from __future__ import annotations

import pytest
from emulator_support import Api, user

from aimlapi_core.catalog import lookup, model_ids


@pytest.mark.parametrize("model", ["claude-nonexistent-9", "gpt-4o", "claude-sonnet-4-2025"])
@pytest.mark.parametrize("endpoint", ["/chat/completions", "/messages"])
def test_an_id_the_docs_do_not_list_is_a_body_validation_error(api: Api, model: str, endpoint: str):
    response = api.post(endpoint, {"model": model, "messages": user("Hi"), "max_tokens": 10})
    assert response.status_code == 400
    message = response.json()["message"]
    # errors-with-status-code-4xx.md: "Body validation error" then Zod's enum line.
    assert message.startswith("Body validation error!\nmodel: Invalid enum value. Expected ")
    assert message.endswith(f"received '{model}'")
    assert "'claude-sonnet-4-20250514'" in message


def test_max_tokens_above_the_models_maximum_is_refused(api: Api):
    response = api.chat(messages=user("Hi"), max_tokens=10**7)
    assert response.status_code == 400
    assert response.json()["message"] == (
        "max_tokens: 10000000 > 64000, which is the maximum allowed number of output tokens for "
        "claude-sonnet-4-20250514"
    )
    # The limit is the model's own: Claude 3 Haiku stops at 4096, Opus 4.1 at 32000.
    haiku = {"model": "anthropic/claude-3-haiku", "messages": user("Hi")}
    assert api.post("/chat/completions", {**haiku, "max_tokens": 4097}).status_code == 400
    assert api.post("/chat/completions", {**haiku, "max_tokens": 4096}).status_code == 201
    opus = {"model": "claude-opus-4-1", "messages": user("Hi"), "max_tokens": 32001}
    assert api.post("/messages", opus).status_code == 400


def test_a_prompt_over_the_context_window_is_refused(api: Api):
    words = " ".join(["lighthouse"] * 1_200_000)
    response = api.chat(messages=user(words), max_tokens=10)
    assert response.status_code == 400
    # 1.2M words plus 3 tokens for the turn markers.
    assert response.json()["message"] == "prompt is too long: 1200003 tokens > 200000 maximum"
    assert api.chat(messages=user(" ".join(["ok"] * 1000)), max_tokens=10).status_code == 201


def test_thinking_on_a_model_without_it_is_refused(api: Api):
    body = {
        "model": "anthropic/claude-3-haiku",
        "messages": user("Hi"),
        "max_tokens": 4000,
        "thinking": {"type": "enabled", "budget_tokens": 2048},
    }
    response = api.post("/messages", body)
    assert response.status_code == 400
    assert "not supported by anthropic/claude-3-haiku" in response.json()["message"]
    body["model"] = "claude-sonnet-4-latest"
    assert api.post("/messages", body).status_code == 200


def test_models_lists_every_documented_id(api: Api):
    listing = api.client.get(f"{api.emu.base_url}/models").json()
    ids = [item["id"] for item in listing["data"]]
    assert ids == model_ids()
    # The ids the old hand-written list omitted.
    for model in (
        "claude-3-7-sonnet-latest",
        "claude-opus-4-1",
        "anthropic/claude-sonnet-latest",
        "anthropic/claude-3-haiku",
        "anthropic/claude-3.5-sonnet",
    ):
        assert model in ids
    item = listing["data"][ids.index("claude-opus-4-1")]
    info = lookup("claude-opus-4-1")
    assert info is not None
    assert item["info"]["contextLength"] == info.context_window
    assert item["info"]["outputMax"] == info.max_output_tokens == 32000


def test_every_listed_id_answers_but_the_deprecated_ones(api: Api):
    for model in model_ids():
        body = {"model": model, "messages": user("Hi"), "max_tokens": 16}
        response = api.post("/chat/completions", body)
        info = lookup(model)
        assert info is not None
        if info.deprecated is None:
            assert response.status_code == 201, model
            continue
        # The docs' model table: "no longer available for API calls" (judgement "deprecated").
        assert response.status_code == 400, model
        assert "deprecated" in response.json()["message"]
        assert info.deprecated.successor in response.json()["message"]


def _first(dialect: str, wanted: bool, flag: str) -> str:
    """The first documented id whose `dialect` schema has (or lacks) `flag`."""
    for model in model_ids():
        info = lookup(model)
        caps = info.on(dialect) if info is not None else None
        usable = info is not None and info.deprecated is None
        if usable and caps is not None and bool(getattr(caps, flag)) == wanted:
            return model
    raise AssertionError(f"no documented model with {flag}={wanted} on {dialect}")


DOC = {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "x"}}


def test_content_the_models_schema_lacks_is_refused(fresh_api: Api):
    # Documents on /chat/completions: some models' schemas list them, others do not (on
    # /messages every documented model takes them).
    path, dialect = "/chat/completions", "chat_completions"
    content = [DOC, {"type": "text", "text": "What is it?"}]
    body = {"messages": [{"role": "user", "content": content}], "max_tokens": 100}
    lacking = _first(dialect, False, "documents")
    response = fresh_api.post(path, {**body, "model": lacking})
    assert response.status_code == 400
    assert response.json()["message"].startswith(f"Body validation error!\nmessages: {lacking}")
    assert response.json()["message"].endswith("does not accept document content")
    taking = _first(dialect, True, "documents")
    assert fresh_api.post(path, {**body, "model": taking}).status_code in (200, 201)


TOOL = {"name": "t", "input_schema": {"type": "object", "properties": {}}}


@pytest.mark.parametrize(
    ("model", "path", "extra", "refused"),
    [
        # The per-tool fields: the 4.x chat schemas list none, the 5-series and /messages all.
        ("claude-sonnet-4-5", "/chat/completions", {"tools": [{**TOOL, "strict": True}]}, True),
        ("claude-sonnet-4-5", "/messages", {"tools": [{**TOOL, "strict": True}]}, False),
        ("anthropic/claude-sonnet-5", "/chat/completions", {"tools": [{**TOOL, "strict": True}]},
         False),
        # Sampling parameters: Opus 4.7+, the 5-series and -latest list none (both endpoints).
        ("anthropic/claude-sonnet-5", "/messages", {"temperature": 0.5}, True),
        ("anthropic/claude-opus-4-7", "/chat/completions", {"top_k": 5}, True),
        ("claude-sonnet-4-5", "/messages", {"temperature": 0.5}, False),
        # thinking disabled: listed by the newer schemas, not by the 4.x chat ones.
        ("claude-sonnet-4-5", "/chat/completions", {"thinking": {"type": "disabled"}}, True),
        ("anthropic/claude-sonnet-5", "/chat/completions", {"thinking": {"type": "disabled"}},
         False),
    ],
)  # fmt: skip
def test_what_the_models_schema_omits_is_refused_as_the_client_refuses_it(
    api: Api, model: str, path: str, extra: dict[str, object], refused: bool
) -> None:
    body = {"model": model, "messages": user("Hi"), "max_tokens": 64, **extra}
    response = api.post(path, body)
    if refused:
        assert response.status_code == 400
        assert response.json()["message"].startswith("Body validation error!")
        assert model in response.json()["message"]
    else:
        assert response.status_code in (200, 201), response.text
