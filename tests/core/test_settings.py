"""Settings from arguments and environment; a missing key is caught before any request."""

from __future__ import annotations

import re

import httpx
import pytest
from pydantic import SecretStr

from aimlapi_core import AIMLAPIClient, ChatRequest, ClientSettings, Message, TextPart
from aimlapi_core.errors import MissingAPIKeyError


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIMLAPI_API_KEY", raising=False)
    monkeypatch.delenv("AIMLAPI_BASE_URL", raising=False)


def test_key_from_argument_env_and_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ClientSettings(api_key="sk-arg").require_key() == "sk-arg"
    assert ClientSettings(api_key=SecretStr("sk-secret")).require_key() == "sk-secret"
    monkeypatch.setenv("AIMLAPI_API_KEY", "sk-env")
    assert ClientSettings().require_key() == "sk-env"
    assert ClientSettings(api_key="sk-arg").require_key() == "sk-arg"


def test_missing_key_is_allowed_at_construction_and_named_at_use() -> None:
    settings = ClientSettings()
    assert settings.api_key is None
    with pytest.raises(MissingAPIKeyError) as info:
        settings.require_key()
    assert "AIMLAPI_API_KEY" in str(info.value)
    assert "api_key=" in str(info.value)


def test_missing_key_raises_before_any_request() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    client = AIMLAPIClient(http_client=httpx.Client(transport=httpx.MockTransport(handler)))
    request = ChatRequest(
        model="claude-sonnet-4",
        max_tokens=8,
        messages=[Message(role="user", parts=[TextPart(text="hi")])],
    )
    with pytest.raises(MissingAPIKeyError):
        client.create(request)
    with pytest.raises(MissingAPIKeyError), client.stream(request):
        pass
    assert sent == []


def test_base_url_default_env_and_trailing_slash(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ClientSettings().base_url == "https://api.aimlapi.com/v1"
    assert ClientSettings(base_url="http://127.0.0.1:9/v1/").base_url == "http://127.0.0.1:9/v1"
    monkeypatch.setenv("AIMLAPI_BASE_URL", "http://localhost:1234/v1/")
    assert ClientSettings().base_url == "http://localhost:1234/v1"
    assert ClientSettings(base_url="https://other/v1").base_url == "https://other/v1"


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"api": "responses"}, "'chat_completions', 'messages' or None"),
        ({"base_url": "api.aimlapi.com/v1"}, "http://"),
        ({"max_retries": -1}, "max_retries"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": "60"}, "timeout"),
        ({"stream_idle_timeout": -2.0}, "stream_idle_timeout"),
    ],
)
def test_bad_settings_are_named(kwargs: dict[str, object], needle: str) -> None:
    with pytest.raises(ValueError, match=re.escape(needle)):
        ClientSettings(api_key="k", **kwargs)  # type: ignore[arg-type]


def test_timeouts() -> None:
    default = ClientSettings()
    assert default.timeout.connect == 60.0
    assert default.timeout.read == 600.0
    assert default.stream_idle_timeout == 600.0  # defaults to the read timeout
    s = ClientSettings(timeout=12.5)
    assert s.timeout == httpx.Timeout(12.5)
    assert s.stream_idle_timeout == 12.5
    custom = httpx.Timeout(5.0, read=30.0)
    s = ClientSettings(timeout=custom, stream_idle_timeout=2.0)
    assert s.timeout is custom
    assert s.stream_timeout == httpx.Timeout(connect=5.0, read=2.0, write=5.0, pool=5.0)


def test_api_and_retries_and_headers() -> None:
    s = ClientSettings(api="messages", max_retries=0, default_headers={"X-A": "1"})
    assert (s.api, s.max_retries, s.default_headers) == ("messages", 0, {"X-A": "1"})
    assert ClientSettings().api is None  # per model: catalog.default_api
    assert ClientSettings().max_retries == 2
