"""Models that travel: what a pickled or deep-copied adapter model carries, in one place.

Every adapter model (``ChatAIMLAPI``, ``AIMLAPIEmbeddings``, LlamaIndex ``AIMLAPI`` and
``AIMLAPIEmbedding``) is a pydantic model that builds its core clients lazily. Those clients
hold sockets and the key in a ``Secret`` that refuses pickling, so a model used once could not
be pickled, deep-copied or sent to a worker process (Ray, ``ProcessPoolExecutor``,
LlamaIndex ``IngestionPipeline(num_workers=...)``). The rule, shared here so that no model
forgets it:

* a pickle or a deep copy carries no core client: the copy rebuilds its own on first use;
* the key travels as pydantic pickles a ``SecretStr`` (a pickle carries it, so that a worker
  process can call; ``repr``, ``dumpd`` and ``to_dict`` never do: ``tests/e2e/test_travel.py``);
* httpx clients the caller passed in are shared by a deep copy, not copied (a pool is the
  caller's to own);
* a field newer than the pickle gets its default;
* private attributes a framework's ``__setstate__`` would lose (LlamaIndex's ``BaseComponent``
  re-runs ``__init__`` with the public fields only) are put back from the pickle.

Only pydantic is used, as everywhere in the adapters' kit: no framework is imported.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel

__all__ = ["TravellingModel"]


class TravellingModel(BaseModel):
    """Mixin for adapter models with lazily built core clients (see the module docstring).

    Subclasses name their attributes in three class variables.
    """

    _core_clients: ClassVar[tuple[str, ...]] = ("_client", "_async_client")
    """Private attributes holding core clients: never pickled nor copied."""
    _shared_pools: ClassVar[tuple[str, ...]] = ()
    """Attributes holding httpx clients the caller passed in: shared by a deep copy."""
    _restored_private: ClassVar[tuple[str, ...]] = ()
    """Private attributes put back after the base class's ``__setstate__``."""

    def __getstate__(self) -> dict[Any, Any]:
        # Emptied on the live object while the base class builds the state (LlamaIndex's
        # probes every private value with pickle and would drop what refuses), then put back.
        private = self.__pydantic_private__ or {}
        kept = {name: private.get(name) for name in self._core_clients}
        private.update(dict.fromkeys(self._core_clients))
        try:
            state = dict(super().__getstate__())
        finally:
            private.update(kept)
        carried = dict(state.get("__pydantic_private__") or {})
        carried.update(dict.fromkeys(self._core_clients))
        state["__pydantic_private__"] = carried
        return state

    def __setstate__(self, state: dict[Any, Any]) -> None:
        super().__setstate__(state)
        # A pickle made before a field existed gets the field's default: a newer release's
        # setting must not make an older pickle unusable (tests/e2e/test_old_pickles.py).
        for name, info in type(self).model_fields.items():
            if name not in self.__dict__ and not info.is_required():
                self.__dict__[name] = info.get_default(call_default_factory=True)
        # A pickle whose private slots were named otherwise (older releases) leaves the clients'
        # slots unset on frameworks that restore only what the pickle holds: they start empty.
        private = self.__pydantic_private__
        if private is not None:
            for name in self._core_clients:
                private.setdefault(name, None)
        carried = state.get("__pydantic_private__") or {}
        for name in self._restored_private:
            if carried.get(name) is not None:
                setattr(self, name, carried[name])

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Any:
        # pydantic copies private attributes directly, not through __getstate__.
        memo = {} if memo is None else memo
        for name in self._core_clients:
            client = getattr(self, name, None)
            if client is not None:
                memo[id(client)] = None
        for name in self._shared_pools:
            pool = getattr(self, name, None)
            if pool is not None:
                memo[id(pool)] = pool
        return super().__deepcopy__(memo)
