"""``AIMLAPI.metadata`` and ``to_payload``: LlamaIndex's ``LLMMetadata`` from the core's model
catalogue, kept per value of the four fields it reads.

LlamaIndex reads the metadata on every ``chat`` / ``complete`` (the callbacks' ``model_dict``,
through ``to_payload``), so both the fields and their validated dump are made once per value of
``model``, ``context_window``, ``num_output`` and ``max_tokens``; callers copy what they get.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from llama_index.core.base.llms.types import LLMMetadata

__all__ = ["metadata_dump", "metadata_fields"]


def _cached(function: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """``function`` kept per argument values; its results are read-only (callers copy them).
    Fields are not validated on assignment, so an unhashable value can come: computed as is."""
    cached = functools.lru_cache(maxsize=64)(function)

    @functools.wraps(function)
    def call(*args: Any) -> dict[str, Any]:
        try:
            return cached(*args)
        except TypeError:
            return function(*args)

    return call


@_cached
def metadata_fields(
    model: str, context_window: int | None, num_output: int | None, max_tokens: int
) -> dict[str, Any]:
    """``LLMMetadata``'s fields for these values of the model's fields."""
    from aimlapi_core.catalog import model_info  # never raises, for any id spelling

    info = model_info(model)
    return {
        # The model page's window (catalog.json); an undocumented id borrows its family's.
        "context_window": context_window or info.context_window,
        # What a call asks for, never more than the model can write.
        "num_output": num_output or min(max_tokens, info.max_output_tokens),
        "is_chat_model": True,
        "is_function_calling_model": info.supports_tools,
        "model_name": model,
    }


@_cached
def metadata_dump(
    model: str, context_window: int | None, num_output: int | None, max_tokens: int
) -> dict[str, Any]:
    """``LLMMetadata(**metadata_fields(...)).model_dump()``, made once per value."""
    fields = metadata_fields(model, context_window, num_output, max_tokens)
    return LLMMetadata(**fields).model_dump()
