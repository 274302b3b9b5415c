"""Models pickled by an earlier commit unpickle and answer with this one.

``tests/fixtures/pickles/`` holds a ``ChatAIMLAPI`` and an ``AIMLAPI`` per dialect and one of each
embedding model, written by the commit named in its ``COMMIT`` file (``make_pickles.py`` there
says how), each used once before pickling, with a fake key and settings that are not the
defaults. Each one is unpickled here and asked once; the emulator accepts only the pickled key
(any other gets the documented 401), and its request log shows every pickled setting arrived.

The pickles carry their base URL, a loopback port: the emulator is started on that port when it
is free. When it is taken, the unpickled model's ``base_url`` field is set to an emulator on a
free port before its first call (its core clients are built on first use, from its fields).
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from aimlapi_emulator import Emulator, PortInUseError

FIXTURES = Path(__file__).parents[1] / "fixtures" / "pickles"
KEY = "sk-pickled-fake-0b1d2c3e4f5a6978"  # as make_pickles.py wrote it
BASE_URL = "http://127.0.0.1:47613/v1"
HEADER = ("x-pickled-by", "b0b92f0")
CHAT = {
    "langchain_chat_chat_completions": "/v1/chat/completions",
    "langchain_chat_messages": "/v1/messages",
    "llama_index_chat_chat_completions": "/v1/chat/completions",
    "llama_index_chat_messages": "/v1/messages",
}
EMBEDDINGS = ("langchain_embeddings", "llama_index_embedding")


@pytest.fixture(scope="module")
def pickled_emulator() -> Iterator[Emulator]:
    port = urlsplit(BASE_URL).port
    try:
        emulator = Emulator(api_key=KEY, port=port or 0)
        emulator.start()
    except PortInUseError:
        emulator = Emulator(api_key=KEY)
        emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


def _unpickle(name: str, emulator: Emulator) -> Any:
    model = pickle.loads((FIXTURES / f"{name}.pickle").read_bytes())
    assert model.base_url == BASE_URL  # the pickle carried it
    assert model._client is None  # the core clients built before pickling stayed behind
    assert model._async_client is None
    if emulator.base_url != BASE_URL:
        model.base_url = emulator.base_url
    return model


def test_the_fixtures_come_from_the_commit_they_name() -> None:
    assert (FIXTURES / "COMMIT").read_text().strip() == "b0b92f0"
    found = sorted(p.stem for p in FIXTURES.glob("*.pickle"))
    assert found == sorted([*CHAT, *EMBEDDINGS])


@pytest.mark.parametrize("name", sorted(CHAT))
def test_an_old_chat_model_pickle_answers_with_its_key_and_settings(
    name: str, pickled_emulator: Emulator
) -> None:
    model = _unpickle(name, pickled_emulator)
    # The pickled model id, Claude 3.5 Haiku, is deprecated since: the docs' model table says it
    # is no longer available for API calls, and the emulator refuses it as the API would
    # (catalog.json judgement "deprecated"). The id travelled; the call goes to its successor.
    assert model.model == "claude-3-5-haiku-20241022"
    model.model = "claude-haiku-4-5-20251001"
    pickled_emulator.set_replies(lambda call: "still here")
    pickled_emulator.clear_requests()
    try:
        if name.startswith("langchain"):
            assert model.invoke("Are you there?").text == "still here"
        else:
            assert model.complete("Are you there?").text == "still here"
    finally:
        model.close()
        pickled_emulator.set_replies(None)
    [request] = pickled_emulator.requests
    assert request.path == CHAT[name]
    assert request.headers[HEADER[0]] == HEADER[1]
    body = request.json
    assert body["model"] == "claude-haiku-4-5-20251001"
    assert body["max_tokens"] == 321
    assert body["temperature"] == 0.25
    stop = body.get("stop_sequences", body.get("stop"))
    assert stop == ["STOP"]


@pytest.mark.parametrize("name", EMBEDDINGS)
def test_an_old_embedding_model_pickle_answers_with_its_key_and_settings(
    name: str, pickled_emulator: Emulator
) -> None:
    model = _unpickle(name, pickled_emulator)
    pickled_emulator.clear_requests()
    try:
        if name.startswith("langchain"):
            vector = model.embed_query("lighthouse")
        else:
            vector = model.get_text_embedding("lighthouse")
    finally:
        model.close()
    assert len(vector) == 64
    [request] = pickled_emulator.requests
    assert request.path == "/v1/embeddings"
    assert request.headers[HEADER[0]] == HEADER[1]
    assert request.json["model"] == "text-embedding-3-large"
    assert request.json["dimensions"] == 64
