"""Every fault: error statuses in both envelopes, Retry-After, delays, cut and legacy streams,
malformed JSON, upstream 400s, path matching and counts."""

from __future__ import annotations

import json

import httpx
import pytest
from emulator_support import Api, sse_data, sse_events, user

from aimlapi_emulator import Fault
from aimlapi_emulator._faults import parse_faults


def _hello(api: Api, **kw: object) -> httpx.Response:
    return api.chat(messages=user("Hello"), max_tokens=100, **kw)


def test_status_fault_fires_times_then_stops(fresh_api: Api):
    fresh_api.emu.add_fault(Fault(status=429, times=2))
    assert [_hello(fresh_api).status_code for _ in range(3)] == [429, 429, 201]
    assert fresh_api.emu.pending_faults == []


@pytest.mark.parametrize("status", [403, 500, 502, 503, 504])
def test_each_status_comes_in_the_nest_envelope_with_the_documented_message(
    fresh_api: Api, status: int
):
    fresh_api.emu.add_fault(Fault(status=status))
    response = _hello(fresh_api)
    assert response.status_code == status
    body = response.json()
    assert body["statusCode"] == status
    assert body["message"]
    assert "retry-after" not in response.headers  # not observed on the real service


def test_problem_envelope_and_retry_after(fresh_api: Api):
    fresh_api.emu.add_fault(Fault(status=429, envelope="problem", retry_after=2, message="slow"))
    response = _hello(fresh_api)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "2"
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["error"]["message"] == "slow"


def test_upstream_400_surfaces_as_a_500(fresh_api: Api):
    fresh_api.emu.add_fault(Fault(upstream_400=True))
    response = _hello(fresh_api)
    assert response.status_code == 500
    assert response.json()["message"].startswith("400 ")


def test_faults_match_by_path(fresh_api: Api):
    fresh_api.emu.add_fault(Fault(status=503, path="/messages"))
    assert _hello(fresh_api).status_code == 201
    assert fresh_api.messages(messages=user("Hi")).status_code == 503


def test_delay_before_the_first_byte_still_answers(fresh_api: Api):
    fresh_api.emu.add_fault(Fault(delay=0.05))
    assert _hello(fresh_api).status_code == 201
    assert fresh_api.emu.pending_faults == []


def test_a_stream_cut_after_n_chunks_has_no_finish(fresh_api: Api):
    fresh_api.emu.add_fault(Fault(cut_after=2))
    chunks = sse_data(_hello(fresh_api, stream=True))
    assert len(chunks) == 2
    assert all("finish_reason" not in c["choices"][0] for c in chunks)
    fresh_api.emu.add_fault(Fault(cut_after=3, path="/messages"))
    events = sse_events(fresh_api.messages(messages=user("Hi"), stream=True))
    assert [n for n, _ in events] == ["message_start", "ping", "content_block_start"]


def test_legacy_wrapped_stream(fresh_api: Api):
    fresh_api.emu.add_fault(Fault(legacy_stream=True))
    lines = sse_data(_hello(fresh_api, stream=True))
    assert all(set(line) == {"event", "state"} for line in lines[:-1])
    assert set(lines[-1]) == {"event", "state", "meta"}  # the cost still comes last
    assert lines[-1]["meta"]["usage"]["usd_spent"] > 0
    assert lines[0]["event"]["object"] == "chat.completion.chunk"
    assert set(lines[-1]["state"]["usage"]) == {"input_tokens", "output_tokens"}
    assert lines[-1]["event"]["choices"][0]["finish_reason"] == "stop"


def test_done_marker(fresh_api: Api):
    fresh_api.emu.add_fault(Fault(done_marker=True))
    assert sse_data(_hello(fresh_api, stream=True))[-1] == "[DONE]"


def test_malformed_json_whole_and_streamed(fresh_api: Api):
    fresh_api.emu.add_fault(Fault(malformed_json=True, times=2))
    response = _hello(fresh_api)
    assert response.status_code == 201
    with pytest.raises(json.JSONDecodeError):
        response.json()
    with pytest.raises(json.JSONDecodeError):
        sse_data(_hello(fresh_api, stream=True))


def test_fault_arguments_are_checked():
    with pytest.raises(ValueError, match="400-599"):
        Fault(status=200)
    with pytest.raises(ValueError, match="envelope"):
        Fault(status=500, envelope="xml")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown Fault field"):
        parse_faults('{"statuss": 500}')
    assert parse_faults('[{"status": 429, "times": 2}, {"cut_after": 1}]') == [
        Fault(status=429, times=2),
        Fault(cut_after=1),
    ]
