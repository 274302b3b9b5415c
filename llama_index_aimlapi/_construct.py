"""LlamaIndex models built from values this package made itself, without validation.

A streamed answer is one ``PartialChatResponse`` per chunk, and every answer ends in a
``ChatMessage`` holding the blocks made from the core's typed result. pydantic's
``model_construct`` (what the partial responses used) costs several times a validation for models
this small, as it searches aliases field by field; validating a ``ChatMessage`` runs its custom
``__init__`` and a Python validator. :func:`constructor` does what ``model_construct`` does, with
the per-class work done once, not on every chunk (figures in
``benchmarks/results/adapter_micro_timings.md``).

What a constructed model holds is what ``model_construct`` gives, and what validation gives for
the same values: the same fields in the same order, defaults filled in (factories called for
each instance), ``model_fields_set`` = the names passed; lists and dicts passed in are kept, not
copied (callers pass new ones). It is used only where nothing is left to check: ``ChatMessage``'s
one validator acts on ``additional_kwargs["images"]``, which an answer never carries
(``_responses.message_kwargs``), and its blocks are built validated. Blocks and whole responses
are cheaper validated than constructed, so they are.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from llama_index.core.base.llms.types import ChatMessage
from pydantic import BaseModel

__all__ = ["chat_message", "constructor"]

M = TypeVar("M", bound=BaseModel)

_set = object.__setattr__
# Defaults that can be shared between instances; any other default is made anew each time.
_IMMUTABLE = (type(None), str, int, float, bool, tuple, frozenset)


def constructor(cls: type[M], *, lazy: str | None = None) -> Callable[..., M]:
    """``make(**values)``: an instance of ``cls`` as ``cls(**values)`` gives it for values that
    are already valid, and as ``cls.model_construct(**values)`` gives it.

    ``lazy`` names a required field left out of ``__dict__`` (a ``_responses._Lazy`` model
    builds it when first read). Private attributes start at their defaults, but for those given
    as a dict before the fields (``make({"_parts": parts}, delta="")``).

    Example:
        >>> from llama_index.core.base.llms.types import TextBlock
        >>> make = constructor(TextBlock)
        >>> make(text="hi") == TextBlock(text="hi")
        True
    """
    if cls.__pydantic_root_model__ or cls.model_config.get("extra") == "allow":
        raise TypeError(f"{cls.__name__}: root models and extra fields are not supported")
    template: dict[str, Any] = {}
    fresh: list[tuple[str, Callable[[], Any]]] = []
    for name, field in cls.model_fields.items():
        if name == lazy:
            continue
        if field.alias not in (None, name) or field.validation_alias not in (None, name):
            raise TypeError(f"{cls.__name__}.{name} has an alias: not supported")
        template[name] = None  # keeps the declaration order when values fill it in
        if field.is_required():
            continue
        if field.default_factory is not None:
            if getattr(field, "default_factory_takes_data", False):
                raise TypeError(f"{cls.__name__}.{name}: a factory of the data: not supported")
            fresh.append((name, field.default_factory))  # type: ignore[arg-type]
        elif isinstance(field.default, _IMMUTABLE):
            template[name] = field.default
        else:
            fresh.append((name, functools.partial(copy.deepcopy, field.default)))
    required = frozenset(
        name for name, field in cls.model_fields.items() if field.is_required() and name != lazy
    )
    private = [(name, attr.get_default) for name, attr in cls.__private_attributes__.items()]
    private_names = frozenset(cls.__private_attributes__)
    new = cls.__new__

    def make(_private: dict[str, Any] | None = None, /, **values: Any) -> M:
        if not values.keys() >= required:  # a programming error here, never the caller's input
            raise TypeError(f"{cls.__name__} needs {', '.join(sorted(required - values.keys()))}")
        fields = {**template, **values}
        for name, factory in fresh:
            if name not in values:
                fields[name] = factory()
        if private and (_private is None or _private.keys() != private_names):
            _private = {n: f() for n, f in private} | (_private or {})
        model = new(cls)
        _set(model, "__dict__", fields)
        _set(model, "__pydantic_fields_set__", set(values))
        _set(model, "__pydantic_extra__", None)
        _set(model, "__pydantic_private__", _private)
        return model

    return make


chat_message = constructor(ChatMessage)
