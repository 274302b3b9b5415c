"""Large batches (issue 14: 10,000 requests in one batch, memory bounded).

The create body is serialised a slice of requests at a time (``_batches._create_body``), which
may not change a byte sent: these tests pin the body to ``json_bytes``' form of the whole.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from aimlapi_core import AIMLAPIClient, ChatRequest, Message, TextPart
from aimlapi_core.errors import InvalidRequestError

KEY = "sk-batch-large-test-77c1e0"
BASE = "http://gateway.test/v1"
MODEL = "claude-sonnet-4-20250514"
CREATED = {"id": "b-large", "processing_status": "in_progress"}


def ask(text: str, **kw: Any) -> ChatRequest:
    messages = [Message(role="user", parts=[TextPart(text=text)])]
    return ChatRequest(model=MODEL, max_tokens=64, messages=messages, **kw)


def client_sending(answer: httpx.Response) -> tuple[AIMLAPIClient, list[httpx.Request]]:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return answer

    http = httpx.Client(transport=httpx.MockTransport(handler))
    return AIMLAPIClient(api_key=KEY, base_url=BASE, http_client=http), sent


# --------------------------------------------------------------------------- create


def test_a_large_batch_is_json_bytes_form_of_the_whole_body_in_input_order() -> None:
    # 150 requests span three slices of 64; non-ASCII text checks ensure_ascii=False throughout.
    texts = [f"Résumé {i}: “quoted” ünïcode ✓" for i in range(150)]
    client, sent = client_sending(httpx.Response(200, json=CREATED))
    client.batches.create([ask(t) for t in texts])
    (request,) = sent
    body = json.loads(request.content)
    assert request.content == json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    assert [r["custom_id"] for r in body["requests"]] == [str(i) for i in range(150)]
    assert [r["params"] for r in body["requests"]] == [
        {"model": MODEL, "messages": [{"role": "user", "content": t}], "max_tokens": 64}
        for t in texts
    ]


@pytest.mark.parametrize("size", [1, 64, 65, 130])
def test_the_body_holds_every_request_at_each_slice_boundary(size: int) -> None:
    client, sent = client_sending(httpx.Response(200, json=CREATED))
    client.batches.create({f"id-{i}": ask(f"q{i}") for i in range(size)})
    ids = [r["custom_id"] for r in json.loads(sent[0].content)["requests"]]
    assert ids == [f"id-{i}" for i in range(size)]


def test_a_bad_last_request_of_a_large_batch_is_refused_by_its_index_before_any_request() -> None:
    requests = [ask(f"q{i}") for i in range(299)] + [ask("x", temperature=3)]
    client, sent = client_sending(httpx.Response(200, json=CREATED))
    with pytest.raises(InvalidRequestError, match="batch request '299': temperature must be"):
        client.batches.create(requests)
    assert sent == []
