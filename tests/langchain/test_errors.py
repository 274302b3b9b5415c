"""ChatAIMLAPI's errors are ours (``aimlapi_core.errors``) and LangChain's (``ModelError`` family).

Each status is produced by the emulator on loopback, through invoke, stream and their async
forms; the test asserts the exception is an instance of both classes and that the request
really went out (and, for 429, was retried before giving up).
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core import exceptions as lc

from aimlapi_core import errors
from aimlapi_emulator import Emulator, Fault
from langchain_aimlapi import ChatAIMLAPI
from langchain_aimlapi import _errors as dual

# ModelError and its subclasses arrived in langchain-core 1.6; ContextOverflowError in 1.4.
HAS_MODEL_ERRORS = hasattr(lc, "ModelError")


def _llm(emu: Emulator, **kwargs: Any) -> ChatAIMLAPI:
    return ChatAIMLAPI(api_key=emu.api_key, base_url=emu.base_url, **kwargs)


async def _call(llm: ChatAIMLAPI, how: str) -> None:
    try:
        if how == "invoke":
            llm.invoke("Hello")
        elif how == "stream":
            list(llm.stream("Hello"))
        elif how == "ainvoke":
            await llm.ainvoke("Hello")
        else:
            [_ async for _ in llm.astream("Hello")]
    finally:
        await llm.aclose()


HOWS = ["invoke", "stream", "ainvoke", "astream"]


@pytest.mark.parametrize("how", HOWS)
async def test_a_401_is_both_authentication_errors(fresh_emulator: Emulator, how: str) -> None:
    llm = ChatAIMLAPI(api_key="sk-wrong-0000", base_url=fresh_emulator.base_url)
    with pytest.raises(errors.AuthenticationError) as info:
        await _call(llm, how)
    assert info.value.status_code == 401
    assert info.value.request_id
    assert "sk-wrong-0000" not in str(info.value)
    assert len(fresh_emulator.requests) == 1
    if HAS_MODEL_ERRORS:
        assert isinstance(info.value, lc.ModelAuthenticationError)
        assert info.value.is_retryable is False


@pytest.mark.parametrize("how", HOWS)
async def test_a_429_after_retries_is_both_rate_limit_errors(
    fresh_emulator: Emulator, how: str
) -> None:
    fresh_emulator.add_fault(Fault(status=429, message="Free-tier limit", retry_after=0, times=2))
    with pytest.raises(errors.RateLimitError) as info:
        await _call(_llm(fresh_emulator, max_retries=1), how)
    assert info.value.message == "Free-tier limit"
    assert len(fresh_emulator.requests) == 2  # the first try and one retry
    if HAS_MODEL_ERRORS:
        assert isinstance(info.value, lc.ModelRateLimitError)
        assert info.value.is_retryable is True


@pytest.mark.parametrize("how", HOWS)
async def test_prompt_too_long_is_a_context_overflow(fresh_emulator: Emulator, how: str) -> None:
    # Anthropic's wording for a prompt over the context window, passed through by the gateway.
    message = "prompt is too long: 208342 tokens > 200000 maximum"
    fresh_emulator.add_fault(Fault(status=400, message=message))
    with pytest.raises(errors.BadRequestError) as info:
        await _call(_llm(fresh_emulator), how)
    assert isinstance(info.value, lc.ContextOverflowError)  # there since langchain-core 1.4
    assert info.value.message == message
    assert len(fresh_emulator.requests) == 1


def test_other_400s_are_not_context_overflows(fresh_emulator: Emulator) -> None:
    fresh_emulator.add_fault(Fault(status=400, message="messages: field required"))
    with pytest.raises(errors.BadRequestError) as info:
        _llm(fresh_emulator).invoke("Hello")
    assert not isinstance(info.value, lc.ContextOverflowError)
    if HAS_MODEL_ERRORS:
        assert isinstance(info.value, lc.ModelInvalidRequestError)


def test_a_timeout_is_both_timeout_errors(fresh_emulator: Emulator) -> None:
    fresh_emulator.add_fault(Fault(delay=1.0))
    with pytest.raises(errors.APITimeoutError) as info:
        _llm(fresh_emulator, timeout=0.2, max_retries=0).invoke("Hello")
    assert isinstance(info.value, errors.APIConnectionError)
    if HAS_MODEL_ERRORS:
        assert isinstance(info.value, lc.ModelTimeoutError)
        assert info.value.is_retryable is True


@pytest.mark.parametrize(
    ("status", "core_class", "lc_name"),
    [
        (403, errors.PermissionDeniedError, "ModelPermissionDeniedError"),
        (404, errors.NotFoundError, "ModelNotFoundError"),
        (500, errors.InternalServerError, "ModelAPIError"),
    ],
)
def test_other_statuses_map_too(
    fresh_emulator: Emulator, status: int, core_class: type, lc_name: str
) -> None:
    fresh_emulator.add_fault(Fault(status=status, times=3))
    with pytest.raises(core_class) as info:
        _llm(fresh_emulator, max_retries=0).invoke("Hello")
    if HAS_MODEL_ERRORS:
        assert isinstance(info.value, getattr(lc, lc_name))


def test_errors_raised_before_any_request_are_left_alone(fresh_emulator: Emulator) -> None:
    llm = _llm(fresh_emulator)
    with pytest.raises(errors.InvalidRequestError) as info:
        llm.invoke("Hello", tool_choice="any")  # a forced choice with no tools
    assert type(info.value) is errors.InvalidRequestError
    assert fresh_emulator.requests == []


def test_dual_classes_fall_back_to_the_core_class_on_an_older_langchain_core(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # langchain-core 1.4/1.5 have no ModelError family: the module must still import and the
    # dual class is the core class alone.
    monkeypatch.delattr(lc, "ModelAuthenticationError", raising=False)
    cls = dual._dual(errors.AuthenticationError, "ModelAuthenticationError")
    assert cls.__bases__ == (errors.AuthenticationError,)
    exc = cls("nope", status_code=401)
    assert isinstance(exc, errors.AuthenticationError)
    assert str(exc) == "401: nope"


def test_translation_keeps_message_attributes_and_cause() -> None:
    cause = RuntimeError("transport")
    original = errors.RateLimitError("slow down", status_code=429, request_id="r1", body={"a": 1})
    original.__cause__ = cause
    with pytest.raises(errors.RateLimitError) as info, dual.translated():
        raise original
    twin = info.value
    assert twin is not original
    assert (twin.message, twin.status_code, twin.request_id, twin.body) == (
        "slow down",
        429,
        "r1",
        {"a": 1},
    )
    assert twin.__cause__ is cause
    assert str(twin) == str(original)
