"""PEP 562 lazy attributes for a package's ``__init__``: one home for the three packages.

A name in the map is imported from its module on first access and then stored in the package's
globals, so later lookups never come back here; ``dir()`` lists it before it is loaded.
``aimlapi_core`` defers the Batches API this way, the adapters their embedding models: a chat
call never needs them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any


def lazy_attributes(
    namespace: MutableMapping[str, Any], lazy: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module ``__getattr__`` and ``__dir__`` for a package whose globals are ``namespace``.

    Args:
        namespace: the package's ``globals()``; its ``__name__`` anchors relative module names
            and its ``__all__`` is listed by ``dir()``.
        lazy: attribute name -> the module that defines it (absolute, or relative like
            ``"._batches"``).

    Example:
        >>> __getattr__, __dir__ = lazy_attributes(globals(), {"Batch": "._batches"})
    """
    package = namespace["__name__"]

    def __getattr__(name: str) -> Any:
        module = lazy.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        namespace[name] = value  # once: later lookups do not come back here
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(namespace.get("__all__", ())))

    return __getattr__, __dir__
