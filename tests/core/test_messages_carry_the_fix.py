"""Error messages that say how to fix the mistake (docs/errors.md "What the messages say").

A model id the gateway refuses names the nearest documented ids instead of the gateway's list
cut short; a short enum names its nearest value.
"""

from __future__ import annotations

import pytest

from aimlapi_core import AIMLAPIClient, ChatRequest, Message, TextPart
from aimlapi_core.catalog import model_ids
from aimlapi_core.errors import BadRequestError
from aimlapi_core.wire.envelope import explain_enum_miss, make_status_error
from aimlapi_emulator import Emulator

EVERY_ID = " | ".join(f"'{m}'" for m in model_ids())


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
