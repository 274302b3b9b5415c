"""Error messages that say how to fix the mistake (docs/errors.md "What the messages say").

A model id the gateway refuses names the nearest documented ids instead of the gateway's list
cut short; a short enum names its nearest value; every configuration mistake is an error of the
family saying what was meant; no key points at the emulator; a web page where the API should
answer says the base URL may be wrong, not the page.
"""

from __future__ import annotations

import re

import httpx
import pytest

from aimlapi_core import AIMLAPIClient, ChatRequest, Message, TextPart
from aimlapi_core.catalog import model_ids
from aimlapi_core.errors import (
    BadRequestError,
    InvalidRequestError,
    MissingAPIKeyError,
    NotFoundError,
    ResponseValidationError,
)
from aimlapi_core.wire.envelope import explain_enum_miss, make_status_error
from aimlapi_emulator import Emulator

EVERY_ID = " | ".join(f"'{m}'" for m in model_ids())
HELLO = ChatRequest(
    model="claude-sonnet-4",
    max_tokens=64,
    messages=[Message(role="user", parts=[TextPart(text="Hi")])],
)


def test_a_refused_model_id_names_the_nearest_documented_ids() -> None:
    message = f"model: Invalid enum value. Expected {EVERY_ID}, received 'claude-sonet-4'"
    told = explain_enum_miss("Body validation error! " + message)
    assert told.startswith("Body validation error! model: the API refused the model id ")
    assert "did you mean 'claude-sonnet-4' or " in told
    assert "Expected" not in told  # the gateway's list, cut short in any readable message
    assert "aimlapi_core.catalog.model_ids()" in told


def test_a_refused_model_id_with_nothing_near_says_where_the_ids_are() -> None:
    told = explain_enum_miss(f"model: Invalid enum value. Expected {EVERY_ID}, received 'gpt-4o'")
    assert "did you mean" not in told
    assert "'gpt-4o'" in told
    assert "docs/models.md" in told


def test_a_short_enum_keeps_its_list_and_names_the_nearest_value() -> None:
    message = "thinking.display: Invalid enum value. Expected 'summarized' | 'omitted', "
    message += "received 'sumarized'"
    assert explain_enum_miss(message) == message + " (did you mean 'summarized'?)"


@pytest.mark.parametrize(
    "message",
    [
        "prompt is too long: 208342 tokens > 200000 maximum",
        # The docs' own example: no field name, values that are not Claude ids, nothing near.
        "Invalid enum value. Expected 'kling-video/v1/standard/image-to-video' | "
        "'kling-video/v1/pro/image-to-video', received 'an orange mushroom'",
    ],
)
def test_other_messages_are_left_as_they_are(message: str) -> None:
    assert explain_enum_miss(message) == message


def test_the_status_error_carries_the_explained_message_and_the_whole_body() -> None:
    body = {
        "message": [f"model: Invalid enum value. Expected {EVERY_ID}, received 'claude-opus-4-9'"],
        "statusCode": 400,
    }
    exc = make_status_error(400, body, fallback="")
    assert isinstance(exc, BadRequestError)
    assert "did you mean 'claude-opus-4-8'" in str(exc)
    assert exc.body == body  # what the gateway said stays on the exception


def test_a_misspelt_model_against_the_emulator_gets_the_suggestion() -> None:
    request = ChatRequest(
        model="claude-sonet-4",
        max_tokens=64,
        messages=[Message(role="user", parts=[TextPart(text="Hi")])],
    )
    with (
        Emulator() as emu,
        AIMLAPIClient(api_key=emu.api_key, base_url=emu.base_url) as client,
        pytest.raises(BadRequestError) as info,
    ):
        client.create(request)
    assert "did you mean 'claude-sonnet-4'" in str(info.value)
    assert len(emu.requests) == 1  # the server refused it; nothing was refused locally


# --------------------------------------------------------------------------- configuration


@pytest.mark.parametrize(
    ("given", "meant"),
    [
        ("api.aimlapi.com/v1", "https://api.aimlapi.com/v1"),
        ("127.0.0.1:8080/v1", "http://127.0.0.1:8080/v1"),
        ("htps://api.aimlapi.com/v1", "https://api.aimlapi.com/v1"),
    ],
)
def test_a_base_url_without_a_scheme_is_an_error_of_the_family_saying_the_fix(
    given: str, meant: str
) -> None:
    with pytest.raises(InvalidRequestError) as info:
        AIMLAPIClient(api_key="sk-any", base_url=given)
    assert isinstance(info.value, ValueError)  # `except ValueError` keeps working
    assert f"did you mean {meant!r}?" in str(info.value)


@pytest.mark.parametrize(
    "settings",
    [
        {"timeout": -1},
        {"max_retries": -1},
        {"deadline": 0},
        {"stream_idle_timeout": 0},
        {"api": "completions"},
    ],
)
def test_every_configuration_mistake_is_in_the_family(settings: dict[str, object]) -> None:
    with pytest.raises(InvalidRequestError):
        AIMLAPIClient(api_key="sk-any", **settings)  # type: ignore[arg-type]


def test_the_missing_key_error_names_the_emulator_as_the_way_without_a_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AIMLAPI_API_KEY", raising=False)
    transport = httpx.MockTransport(lambda request: pytest.fail("no request without a key"))
    with (
        AIMLAPIClient(http_client=httpx.Client(transport=transport)) as client,
        pytest.raises(MissingAPIKeyError) as info,
    ):
        client.create(HELLO)
    assert "AIMLAPI_API_KEY" in str(info.value)
    assert "python -m aimlapi_emulator" in str(info.value)
    assert "AIMLAPI_BASE_URL" in str(info.value)


# --------------------------------------------------------------------------- not the API

PAGE = "<!DOCTYPE html><html><head><title>Welcome to nginx</title></head><body>" + "x" * 5000


def _client_of(status: int) -> AIMLAPIClient:
    transport = httpx.MockTransport(lambda request: httpx.Response(status, html=PAGE))
    return AIMLAPIClient(
        api_key="sk-any",
        base_url="https://example.com",
        max_retries=0,
        http_client=httpx.Client(transport=transport),
    )


@pytest.mark.parametrize(
    ("status", "error"), [(200, ResponseValidationError), (404, NotFoundError)]
)
@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "streamed"])
def test_a_web_page_at_the_base_url_says_the_base_url_may_be_wrong(
    status: int, error: type[Exception], streamed: bool
) -> None:
    def call(client: AIMLAPIClient) -> None:
        if streamed:
            with client.stream(HELLO) as stream:
                list(stream)
        else:
            client.create(HELLO)

    with _client_of(status) as client, pytest.raises(error) as info:
        call(client)
    message = str(info.value)
    assert re.search(r"https://example\.com/(chat/completions|messages) answered", message)
    assert "the base URL may be wrong" in message
    assert "https://api.aimlapi.com/v1" in message
    assert "Welcome to nginx" in message  # enough of the page to recognise it
    assert len(message) < 400  # not the page


def test_a_json_error_body_keeps_its_own_message() -> None:
    transport = httpx.MockTransport(
        lambda request: httpx.Response(404, json={"message": "Not Found", "statusCode": 404})
    )
    with (
        AIMLAPIClient(
            api_key="k", max_retries=0, http_client=httpx.Client(transport=transport)
        ) as client,
        pytest.raises(NotFoundError) as info,
    ):
        client.create(HELLO)
    assert "base URL" not in str(info.value)
