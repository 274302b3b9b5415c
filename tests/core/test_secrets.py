"""The API key never appears in a repr, a log record or an exception text."""

from __future__ import annotations

import logging
import pickle
import traceback

import httpx
import pytest
from pydantic import SecretStr

from aimlapi_core import AIMLAPIClient, AsyncAIMLAPIClient, ChatRequest, Message, TextPart
from aimlapi_core._client_settings import ClientSettings
from aimlapi_core.errors import APIConnectionError, AuthenticationError

KEY = "sk-live-secret-9a8b7c6d5e4f"
CC_OK = {
    "id": "msg_1",
    "object": "chat.completion",
    "model": "claude-sonnet-4-20250514",
    "choices": [{"index": 0, "finish_reason": "end_turn", "message": {"content": "ok"}}],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
}


def request() -> ChatRequest:
    return ChatRequest(
        model="claude-sonnet-4-20250514",
        max_tokens=8,
        messages=[Message(role="user", parts=[TextPart(text="hi")])],
    )


def client_for(*answers: httpx.Response | Exception, **kw: object) -> AIMLAPIClient:
    queue = list(answers)

    def handler(req: httpx.Request) -> httpx.Response:
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    kw.setdefault("api", "chat_completions")  # the chat-format fixtures these tests serve
    return AIMLAPIClient(
        api_key=KEY,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        sleep=lambda _: None,
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("key", [KEY, SecretStr(KEY)])
def test_no_repr_or_str_shows_the_key(key: object) -> None:
    settings = ClientSettings(api_key=key, default_headers={"x-api-key": KEY})  # type: ignore[arg-type]
    client = AIMLAPIClient(api_key=key)
    aclient = AsyncAIMLAPIClient(api_key=key)
    stream = client.stream(request())
    for obj in (settings, settings.api_key, client, aclient, stream, vars(client)):
        assert KEY not in repr(obj)
        assert KEY not in str(obj)
    assert settings.require_key() == KEY  # it is there, just never shown


def test_the_key_cannot_be_pickled() -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(ClientSettings(api_key=KEY).api_key)


def test_no_log_record_carries_the_key(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, httpx's included
    client = client_for(
        httpx.Response(503, json={"message": "busy"}),
        httpx.Response(200, json=CC_OK, headers={"x-request-id": "rid-log"}),
        httpx.Response(401, json={"message": f"Invalid key {KEY}", "statusCode": 401}),
    )
    client.create(request())
    with pytest.raises(AuthenticationError):
        client.create(request())
    ours = [r for r in caplog.records if r.name == "aimlapi_core"]
    messages = [r.getMessage() for r in ours]
    # One line per response with method, URL, status, request id and retries; one per retry.
    assert any(
        "POST" in m and "-> 200" in m and "rid-log" in m and "1 retries" in m for m in messages
    )
    assert any("-> 401" in m for m in messages)
    assert any("retry 1" in m for m in messages)
    for record in caplog.records:
        assert KEY not in record.getMessage()
        assert KEY not in repr(record.args)
    assert KEY not in caplog.text


def test_401_echoing_the_key_is_redacted() -> None:
    body = {"title": "Unauthorized", "status": 401, "message": f"Bad key {KEY}", "requestId": "r"}
    client = client_for(httpx.Response(401, json=body))
    with pytest.raises(AuthenticationError) as info:
        client.create(request())
    text = "".join(traceback.format_exception(info.value))
    assert KEY not in text
    assert "[redacted]" in info.value.message
    assert KEY not in str(info.value.body)


def test_connection_error_text_has_no_key() -> None:
    client = client_for(
        httpx.ConnectError(f"refused while sending Bearer {KEY}"),  # a worst case
        max_retries=0,
    )
    with pytest.raises(APIConnectionError) as info:
        client.create(request())
    assert KEY not in str(info.value)
    assert KEY not in repr(info.value)


def test_the_chained_httpx_error_carries_no_key_in_its_request() -> None:
    """Our errors chain the transport error; its request must not hand out the key either."""
    client = AIMLAPIClient(
        api_key=KEY, base_url="http://127.0.0.1:9", max_retries=0, sleep=lambda _: None
    )
    with pytest.raises(APIConnectionError) as info:
        client.create(request())
    cause = info.value.__cause__
    assert isinstance(cause, httpx.RequestError)
    assert cause.request.headers["authorization"] == "<redacted>"
    assert KEY not in "".join(traceback.format_exception(info.value))
