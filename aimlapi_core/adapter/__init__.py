"""The adapters' kit: what ``langchain_aimlapi`` and ``llama_index_aimlapi`` share.

The adapters import public names of the core (``aimlapi_core``, ``aimlapi_core.errors``,
``aimlapi_core.catalog``, ``aimlapi_core.tokens``, ...) and this package, nothing else;
``tests/core/test_seams.py`` holds them to it. Everything here is stable for our two adapters
(a change here changes both in step); it is not a public API for other code. It is also the
only part of the core that imports pydantic: the rest stays framework-free.

Its modules:

* ``_clients.py`` — :class:`CoreClients`, the client mixin of every adapter model (the core
  clients built on first use; ``_client_options()``, ``_sync_core()``, ``_async_core()``);
* ``_travel.py`` — :class:`TravellingModel`, what a pickled or deep-copied model carries;
* ``_config.py`` — constructor and per-call argument checks, one wording for both adapters
  (:func:`reject_unknown`, :func:`settings_errors`, :func:`check_settings`,
  :func:`field_names`);
* ``_batch_handle.py`` — :class:`BatchHandle`, the base of both adapters' ``AIMLAPIBatch``;
* ``_headers.py`` — :func:`redact_headers`, the one rule for serialized ``default_headers``.

Both chat models build their neutral request in one shape (``_request``): per-call overrides
over the model's fields, thinking, tools, then the tool choice resolved against those tools and
thinking with ``rules.resolve_tool_choice``, then any keyword left over refused with
:func:`reject_unknown`; every input error is raised there, before any I/O.

And three re-exports whose home stays where the core itself uses them:

* ``rules`` — the input rules (``aimlapi_core/_rules/``), which the request encoder calls as
  the final check and the adapters while they translate;
* :func:`lazy_attributes` — the PEP 562 lazy attributes of the packages' ``__init__``
  (``aimlapi_core/_lazy.py``);
* :class:`PartialPart` — a streamed part so far, as the core's accumulator exposes it
  (``aimlapi_core/_accumulate.py``).
"""

from __future__ import annotations

from aimlapi_core import _rules as rules
from aimlapi_core._accumulate import PartialPart
from aimlapi_core._lazy import lazy_attributes

from ._batch_handle import BatchHandle, bar_progress
from ._clients import CoreClients
from ._config import check_settings, field_names, reject_unknown, settings_errors
from ._headers import is_secret_header, redact_headers
from ._travel import TravellingModel

__all__ = [
    "BatchHandle",
    "CoreClients",
    "PartialPart",
    "TravellingModel",
    "bar_progress",
    "check_settings",
    "field_names",
    "is_secret_header",
    "lazy_attributes",
    "redact_headers",
    "reject_unknown",
    "rules",
    "settings_errors",
]
