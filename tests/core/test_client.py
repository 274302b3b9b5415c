"""The sync client at level 2: exact requests out, scripted responses in (httpx.MockTransport)."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from aimlapi_core import (
    AIMLAPIClient,
    ChatRequest,
    Finish,
    ImagePart,
    Message,
    TextDelta,
    TextPart,
    ToolResultPart,
)
from aimlapi_core.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    StreamError,
    UnsupportedContentError,
)

FIXTURES = Path(__file__).parent / "fixtures"
KEY = "sk-client-test-7d2f9b1c"
BASE = "http://gateway.test/v1"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24

Handler = Callable[[httpx.Request], httpx.Response]


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def request(**kw: object) -> ChatRequest:
    base: dict[str, object] = {
        "model": "claude-sonnet-4-20250514",
        "max_tokens": 64,
        "system": [TextPart(text="Be terse.")],
        "messages": [Message(role="user", parts=[TextPart(text="Hello")])],
    }
    base.update(kw)
    return ChatRequest(**base)  # type: ignore[arg-type]


class Script:
    """A MockTransport handler answering from a list, recording every request."""

    def __init__(self, *answers: httpx.Response | Exception | Handler) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, req: httpx.Request) -> httpx.Response:
        self.requests.append(req)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(req)
        return answer


def make(script: Script, **kw: object) -> tuple[AIMLAPIClient, list[float]]:
    sleeps: list[float] = []
    kw.setdefault("api_key", KEY)
    kw.setdefault("base_url", BASE)
    kw.setdefault("api", "chat_completions")  # the chat-format fixtures these tests serve
    client = AIMLAPIClient(
        http_client=httpx.Client(transport=httpx.MockTransport(script)),
        sleep=sleeps.append,
        jitter=lambda: 0.0,
        **kw,  # type: ignore[arg-type]
    )
    return client, sleeps


def json_ok(name: str, **headers: str) -> httpx.Response:
    return httpx.Response(200, content=fixture_bytes(name), headers=headers)


def sse_ok(body: bytes | Iterator[bytes], **headers: str) -> httpx.Response:
    return httpx.Response(
        200, content=body, headers={"content-type": "text/event-stream", **headers}
    )


# --------------------------------------------------------------------------- exact requests


@pytest.mark.parametrize(
    ("api", "path", "fixture", "expected_body"),
    [
        (
            "chat_completions",
            "/v1/chat/completions",
            "cc_text.json",
            {
                "model": "claude-sonnet-4-20250514",
                "messages": [{"role": "user", "content": "Hello"}],
                "system": "Be terse.",
                "max_tokens": 64,
            },
        ),
        (
            "messages",
            "/v1/messages",
            "msg_text.json",
            {
                "model": "claude-sonnet-4-20250514",
                "messages": [{"role": "user", "content": "Hello"}],
                "system": "Be terse.",
                "max_tokens": 64,
            },
        ),
    ],
)
def test_create_sends_exactly(api: str, path: str, fixture: str, expected_body: dict) -> None:
    script = Script(json_ok(fixture, **{"x-request-id": "rid-1", "x-inference-id": "inf-1"}))
    client, sleeps = make(script, api=api, default_headers={"X-Team": "a"})
    result = client.create(request(extra_headers={"X-Client-Request-Id": "c-1"}))

    (sent,) = script.requests
    assert (sent.method, str(sent.url)) == ("POST", f"http://gateway.test{path}")
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["accept"] == "application/json"
    assert sent.headers["user-agent"] == "aimlapi-integrations/0.1.0"
    assert sent.headers["x-team"] == "a"
    assert sent.headers["x-client-request-id"] == "c-1"
    assert json.loads(sent.content) == expected_body
    assert sent.extensions["timeout"] == httpx.Timeout(60.0, read=600.0).as_dict()
    assert result.text
    assert result.request_id == "rid-1"
    assert result.inference_id == "inf-1"
    assert sleeps == []


@pytest.mark.parametrize(
    ("api", "path", "fixture"),
    [
        ("chat_completions", "/v1/chat/completions", "cc_text.sse"),
        ("messages", "/v1/messages", "msg_text.sse"),
    ],
)
def test_stream_sends_exactly_and_accumulates(api: str, path: str, fixture: str) -> None:
    headers = {"x-request-id": "rid-s", "x-inference-id": "inf-s"}
    script = Script(sse_ok(fixture_bytes(fixture), **headers))
    client, _ = make(script, api=api, stream_idle_timeout=7.5, timeout=20.0)
    stream = client.stream(request())
    assert script.requests == []  # lazy until entered
    with stream:
        assert stream.request_id == "rid-s"
        assert stream.response_headers is not None
        events = list(stream)
        final = stream.get_final_result()

    (sent,) = script.requests
    assert (sent.method, str(sent.url)) == ("POST", f"http://gateway.test{path}")
    assert sent.headers["accept"] == "text/event-stream"
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    body = json.loads(sent.content)
    assert body["stream"] is True
    assert body["model"] == "claude-sonnet-4-20250514"
    # The idle timeout is the read timeout of the streaming request: httpx applies it to each
    # read of the body, i.e. to the gap between two chunks.
    assert sent.extensions["timeout"] == {"connect": 20.0, "read": 7.5, "write": 20.0, "pool": 20.0}
    assert sum(isinstance(e, Finish) for e in events) == 1
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert final.text == text
    assert text
    assert (final.request_id, final.inference_id) == ("rid-s", "inf-s")


@pytest.mark.parametrize("api", ["chat_completions", "messages"])
def test_stream_equals_create_on_the_same_answer(api: str) -> None:
    prefix = "cc" if api == "chat_completions" else "msg"
    script = Script(json_ok(f"{prefix}_text.json"), sse_ok(fixture_bytes(f"{prefix}_text.sse")))
    client, _ = make(script, api=api)
    whole = client.create(request())
    with client.stream(request()) as s:
        streamed = s.get_final_result()
    assert streamed.parts == whole.parts
    assert streamed.stop_reason == whole.stop_reason


@pytest.mark.parametrize("api", ["chat_completions", "messages"])
def test_a_stream_answered_with_one_json_body_is_read_as_the_whole_answer(api: str) -> None:
    # A route that ignores "stream": true sends the whole completion as JSON.
    prefix = "cc" if api == "chat_completions" else "msg"
    body = fixture_bytes(f"{prefix}_text.json")
    whole_json = httpx.Response(200, content=body, headers={"content-type": "application/json"})
    script = Script(json_ok(f"{prefix}_text.json"), whole_json)
    client, _ = make(script, api=api)
    whole = client.create(request())
    with client.stream(request()) as s:
        events = list(s)
        streamed = s.get_final_result()
    assert isinstance(events[-1], Finish)
    assert streamed.parts == whole.parts
    assert (streamed.stop_reason, streamed.usage, streamed.cost) == (
        whole.stop_reason,
        whole.usage,
        whole.cost,
    )


def test_a_stream_answered_with_an_error_envelope_on_a_2xx_raises_its_message() -> None:
    envelope = {"message": "Free-tier limit: try again later", "statusCode": 429}
    answer = httpx.Response(200, json=envelope)  # content-type: application/json
    client, _ = make(Script(answer))
    with pytest.raises(RateLimitError, match="Free-tier limit"):
        list(client.stream(request()))


def test_iterating_without_with_starts_and_closes() -> None:
    script = Script(sse_ok(fixture_bytes("cc_text.sse")))
    client, _ = make(script)
    events = list(client.stream(request()))
    assert (len(script.requests) == 1 and isinstance(events[-1], Finish)) or events


# --------------------------------------------------------------------------- retries


def err(status: int, body: object = None, **headers: str) -> httpx.Response:
    if body is None:
        body = {"message": f"status {status}", "statusCode": status}
    return httpx.Response(status, json=body, headers=headers)


def test_429_then_200_retries_once_with_backoff() -> None:
    script = Script(err(429), json_ok("cc_text.json"))
    client, sleeps = make(script)
    assert client.create(request()).text
    assert len(script.requests) == 2
    assert sleeps == [0.5]  # attempt 0, no jitter: 0.5 · 2⁰


def test_503_three_times_gives_up_after_max_retries() -> None:
    script = Script(err(503), err(503), err(503), json_ok("cc_text.json"))
    client, sleeps = make(script)
    with pytest.raises(InternalServerError) as info:
        client.create(request())
    assert info.value.status_code == 503
    assert len(script.requests) == 3  # 1 + max_retries (2)
    assert sleeps == [0.5, 1.0]


def test_max_retries_zero_never_sleeps() -> None:
    script = Script(err(503))
    client, sleeps = make(script, max_retries=0)
    with pytest.raises(InternalServerError):
        client.create(request())
    assert (len(script.requests), sleeps) == (1, [])


def test_retry_after_is_honoured() -> None:
    script = Script(err(429, **{"Retry-After": "3"}), err(529, **{"retry-after-ms": "250"}))
    script.answers.append(json_ok("cc_text.json"))
    client, sleeps = make(script)
    client.create(request())
    assert sleeps == [3.0, 0.25]


def test_400_is_not_retried() -> None:
    script = Script(err(400, {"message": "max_tokens must be a number", "statusCode": 400}))
    client, sleeps = make(script)
    with pytest.raises(BadRequestError, match="max_tokens must be a number"):
        client.create(request())
    assert (len(script.requests), sleeps) == (1, [])


def test_connect_error_is_retried() -> None:
    script = Script(httpx.ConnectError("refused"), json_ok("cc_text.json"))
    client, sleeps = make(script)
    assert client.create(request()).text
    assert (len(script.requests), sleeps) == (2, [0.5])


def test_connect_error_exhausted_maps_and_chains() -> None:
    boom = [httpx.ConnectError("refused") for _ in range(3)]
    script = Script(*boom)
    client, sleeps = make(script)
    with pytest.raises(APIConnectionError) as info:
        client.create(request())
    assert not isinstance(info.value, APITimeoutError)
    assert info.value.__cause__ is boom[-1]
    assert "gateway.test" in str(info.value)
    assert sleeps == [0.5, 1.0]


def test_timeout_maps_to_api_timeout_error() -> None:
    script = Script(httpx.ReadTimeout("slow"))
    client, _ = make(script, max_retries=0)
    with pytest.raises(APITimeoutError) as info:
        client.create(request())
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)


def test_stream_retries_before_the_body_only() -> None:
    script = Script(err(429), sse_ok(fixture_bytes("cc_text.sse")))
    client, sleeps = make(script)
    with client.stream(request()) as s:
        assert s.get_final_result().text
    assert (len(script.requests), sleeps) == (2, [0.5])


def test_no_retry_once_a_stream_has_yielded_data() -> None:
    def broken() -> Iterator[bytes]:
        yield b"\n\n".join(fixture_bytes("cc_text.sse").split(b"\n\n")[:3]) + b"\n\n"
        raise httpx.ReadError("connection reset")

    script = Script(sse_ok(broken()), sse_ok(fixture_bytes("cc_text.sse")))
    client, sleeps = make(script)
    got: list[object] = []
    with pytest.raises(StreamError, match="mid-stream") as info, client.stream(request()) as s:
        got.extend(s)
    assert isinstance(info.value.__cause__, httpx.ReadError)
    assert any(isinstance(e, TextDelta) for e in got)  # data was yielded before the break
    assert (len(script.requests), sleeps) == (1, [])


def test_failed_response_is_closed_before_sleeping() -> None:
    closed: list[bool] = []

    class Body(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            yield b'{"message": "busy", "statusCode": 503}'

        def close(self) -> None:
            closed.append(True)

    script = Script(httpx.Response(503, stream=Body()), json_ok("cc_text.json"))
    sleeps: list[float] = []

    def sleep(s: float) -> None:
        assert closed == [True]  # the failed response was closed first
        sleeps.append(s)

    client = AIMLAPIClient(
        api_key=KEY,
        base_url=BASE,
        http_client=httpx.Client(transport=httpx.MockTransport(script)),
        sleep=sleep,
        api="chat_completions",  # cc_text.json
    )
    client.create(request())
    assert len(sleeps) == 1


# --------------------------------------------------------------------------- error envelopes

NEST = {
    "message": "Free-tier limit: upgrade",
    "path": "/v1/chat/completions",
    "requestId": "798b860e-aaaa",
    "statusCode": 429,
    "timestamp": "2025-03-11T07:13:27.813Z",
}
PROBLEM = {
    "title": "Unauthorized",
    "status": 401,
    "message": "You provided an empty string as an API key",
    "instance": "/v1/chat/completions",
    "requestId": "prob-rid",
    "timestamp": "2025-03-11T07:13:27.813Z",
    "error": {"name": "UnauthorizedException", "message": "You provided an empty string"},
}


@pytest.mark.parametrize(
    ("status", "body", "headers", "cls", "message", "rid"),
    [
        (429, NEST, {}, RateLimitError, "Free-tier limit: upgrade", "798b860e-aaaa"),
        (401, PROBLEM, {}, AuthenticationError, PROBLEM["message"], "prob-rid"),
        (
            403,
            {"title": "Forbidden", "status": 403, "error": {"message": "Out of credits"}},
            {"x-request-id": "hdr-rid"},
            PermissionDeniedError,
            "Out of credits",
            "hdr-rid",
        ),
        (
            400,
            {"message": ["max_tokens must be a number", "model is required"], "statusCode": 400},
            {},
            BadRequestError,
            "max_tokens must be a number; model is required",
            None,
        ),
        (
            500,
            {"type": "error", "error": {"type": "api_error", "message": "400 upstream said no"}},
            {},
            # An upstream 400 the gateway wrapped in a 500 (docs/wire.md "Errors"): the class of
            # the upstream status, status_code still the 500 received (upstream_status checked in
            # tests/core/test_harden_errors.py).
            BadRequestError,
            "400 upstream said no",
            None,
        ),
        (418, {"title": "I'm a teapot"}, {}, APIStatusError, "I'm a teapot", None),
    ],
)
def test_error_envelopes(
    status: int, body: dict, headers: dict, cls: type, message: str, rid: str | None
) -> None:
    content_type = "application/problem+json" if "title" in body else "application/json"
    resp = httpx.Response(
        status, content=json.dumps(body), headers={"content-type": content_type, **headers}
    )
    client, _ = make(Script(resp), max_retries=0)
    with pytest.raises(cls) as info:
        client.create(request())
    assert type(info.value) is cls
    assert info.value.status_code == status
    assert info.value.message == message
    assert info.value.request_id == rid
    assert info.value.body == body


def test_non_json_error_body() -> None:
    resp = httpx.Response(502, text="<html>Bad gateway</html>", headers={"x-request-id": "r"})
    client, _ = make(Script(resp), max_retries=0)
    with pytest.raises(InternalServerError) as info:
        client.create(request())
    assert info.value.message == "<html>Bad gateway</html>"
    assert (info.value.status_code, info.value.request_id) == (502, "r")


def test_empty_error_body_uses_reason_phrase() -> None:
    client, _ = make(Script(httpx.Response(404)), max_retries=0)
    with pytest.raises(APIStatusError, match="Not Found"):
        client.create(request())


def test_non_json_success_body() -> None:
    client, _ = make(Script(httpx.Response(200, text="<html>ok</html>")))
    with pytest.raises(ResponseValidationError, match="not JSON"):
        client.create(request())


def test_201_is_success() -> None:
    client, _ = make(Script(httpx.Response(201, content=fixture_bytes("cc_text.json"))))
    assert client.create(request()).text


# --------------------------------------------------------------------------- streams


def test_stream_without_finish_raises_after_yielding_what_came() -> None:
    client, _ = make(Script(sse_ok(fixture_bytes("cc_truncated.sse"))))
    got: list[object] = []
    with (
        pytest.raises(StreamError, match="before the model finished"),
        client.stream(request()) as s,
    ):
        got.extend(s)
    assert any(isinstance(e, TextDelta) for e in got)
    with pytest.raises(StreamError):
        s.get_final_result()


def test_stream_idle_timeout_raises_api_timeout_error() -> None:
    # What the transport does when no byte arrives within the read timeout (= idle timeout).
    def stalls() -> Iterator[bytes]:
        yield fixture_bytes("cc_text.sse").split(b"\n\n")[0] + b"\n\n"
        raise httpx.ReadTimeout("timed out")

    script = Script(sse_ok(stalls(), **{"x-request-id": "rid-idle"}))
    client, sleeps = make(script, stream_idle_timeout=0.25)
    with (
        pytest.raises(APITimeoutError, match="stream_idle_timeout") as info,
        client.stream(request()) as s,
    ):
        list(s)
    assert "0.25 s" in str(info.value)
    assert "rid-idle" in str(info.value)
    assert script.requests[0].extensions["timeout"]["read"] == 0.25
    assert (len(script.requests), sleeps) == (1, [])


class TrackedBody(httpx.SyncByteStream):
    def __init__(self, data: bytes) -> None:
        self.data, self.closed = data, False

    def __iter__(self) -> Iterator[bytes]:
        for block in self.data.split(b"\n\n"):
            yield block + b"\n\n"

    def close(self) -> None:
        self.closed = True


def test_breaking_out_closes_the_response() -> None:
    body = TrackedBody(fixture_bytes("cc_text.sse"))
    client, _ = make(Script(httpx.Response(200, stream=body)))
    with client.stream(request()) as s:
        for event in s:
            if isinstance(event, TextDelta):
                break
        assert not body.closed
    assert body.closed


def test_close_without_reading_closes_and_final_result_drains() -> None:
    body = TrackedBody(fixture_bytes("cc_text.sse"))
    client, _ = make(Script(httpx.Response(200, stream=body)))
    s = client.stream(request())
    next(s)
    assert s.get_final_result().text  # drains the rest
    assert body.closed


# --------------------------------------------------------------------------- images


def image_request(*parts: object) -> ChatRequest:
    return request(messages=[Message(role="user", parts=[TextPart(text="look"), *parts])])  # type: ignore[list-item]


def test_image_urls_are_fetched_inlined_and_the_caller_request_untouched() -> None:
    def route(req: httpx.Request) -> httpx.Response:
        if req.url.host == "img.test":
            return httpx.Response(200, content=PNG, headers={"content-type": "image/png"})
        return httpx.Response(200, content=fixture_bytes("msg_text.json"))

    script = Script(route, route, route)
    client, _ = make(script, api="messages")
    tool_result = ToolResultPart(
        tool_call_id="t1", content=[ImagePart(url="https://img.test/b.png")]
    )
    req = image_request(ImagePart(url="https://img.test/a.png"))
    req.messages.insert(0, Message(role="user", parts=[tool_result]))
    before = copy.deepcopy(req)
    client.create(req)

    fetches = [r for r in script.requests if r.url.host == "img.test"]
    assert [str(r.url) for r in fetches] == ["https://img.test/b.png", "https://img.test/a.png"]
    assert all("authorization" not in r.headers for r in fetches)  # the key stays home
    sent = json.loads(script.requests[-1].content)
    blocks = [b for m in sent["messages"] for b in m["content"] if isinstance(m["content"], list)]
    image = next(b for b in blocks if b["type"] == "image")
    assert image["source"] == {
        "type": "base64",
        "media_type": "image/png",
        "data": base64.b64encode(PNG).decode(),
    }
    nested = next(b for b in blocks if b["type"] == "tool_result")
    assert nested["content"][0]["source"]["data"] == base64.b64encode(PNG).decode()
    assert req == before


def test_data_urls_are_decoded_without_a_fetch() -> None:
    script = Script(httpx.Response(200, content=fixture_bytes("msg_text.json")))
    client, _ = make(script, api="messages")
    url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    client.create(image_request(ImagePart(url=url)))
    assert len(script.requests) == 1
    sent = json.loads(script.requests[0].content)
    image = sent["messages"][0]["content"][1]
    assert image["source"]["media_type"] == "image/png"
    assert image["source"]["data"] == base64.b64encode(PNG).decode()


@pytest.mark.parametrize(
    ("response", "needle"),
    [
        (httpx.Response(404), "HTTP 404"),
        (httpx.Response(200, text="<html/>", headers={"content-type": "text/html"}), "text/html"),
    ],
)
def test_bad_images_fail_before_the_api_request(response: httpx.Response, needle: str) -> None:
    script = Script(response)
    client, _ = make(script, api="messages")
    with pytest.raises(UnsupportedContentError, match=needle):
        client.create(image_request(ImagePart(url="https://img.test/x")))
    assert [r.url.host for r in script.requests] == ["img.test"]


# --------------------------------------------------------------------------- models, lifecycle


def test_list_models_needs_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIMLAPI_API_KEY", raising=False)
    models = {"object": "list", "data": [{"id": "anthropic/claude-sonnet-4", "aliases": []}]}
    script = Script(httpx.Response(200, json=models))
    client, _ = make(script, api_key=None)
    assert client.list_models() == models["data"]
    (sent,) = script.requests
    assert (sent.method, str(sent.url)) == ("GET", "http://gateway.test/v1/models")
    assert "authorization" not in sent.headers
    assert "content-type" not in sent.headers


def test_injected_client_is_not_closed_owned_client_is() -> None:
    injected = httpx.Client(transport=httpx.MockTransport(Script()))
    with AIMLAPIClient(api_key=KEY, http_client=injected):
        pass
    assert not injected.is_closed
    own = AIMLAPIClient(api_key=KEY)
    http = own._client()
    with own:
        pass
    assert http.is_closed
