"""One chat request checked once and answered once: the pipeline every chat answer takes.

``/chat/completions`` and ``/messages`` (``_server.py``) and every request of a batch
(``_batches.py``, as /messages) go through :func:`answer`, in these stages:

1. **Model**: the body must be a JSON object naming a model; the catalogue
   (``aimlapi_core.catalog``) is read once for it: its :class:`ModelInfo` and the
   :class:`Capabilities` of its schema on this endpoint travel in the :class:`ChatCall`.
2. **Checks**: :data:`CHECKS` in order, each a function of the :class:`ChatCall` raising
   ``APIError`` (a 400 on the routes, an ``errored`` result in a batch): the body against the
   endpoint's schema and the model's capabilities (``_validate.py`` with ``_validate_content.py``,
   ``_thinking.py``, ``_server_tools.py``), then the model's own rules (``_models.py``).
3. **Reply**: the test's scripted reply if it gave one, else the default assistant
   (``_assistant.py``) reading the model's view of the request (``_model_view.py``), made an
   :class:`~aimlapi_emulator._reply.Answer` for the request (limits, ids, tokens).
4. **Answer features**: :data:`ANSWER_FEATURES` in order, each a function of the call and the
   answer that fills what the answer carries beyond the reply: citations of the request's
   search results (``_grounded.py``), the scripted web search turn (``_web_search.py``),
   adaptive thinking (``_thinking.py``), prompt-cache reads and writes
   (``_prompt_cache.py``).

The renderers (``_render_chat.py``, ``_render_messages.py``) then draw the ``Answer`` in the
request's dialect, whole or streamed, every field natively; the route applies the fault plan at
its one seam (``_wire.py``).

Adding a per-model request check: write ``check_x(call: ChatCall) -> None`` (raise
``schema_error``/``upstream_error`` from ``_envelopes.py``; ``call.caps`` says what the model's
schema takes) and add it to :data:`CHECKS`. Adding an answer feature: add its field to ``Answer``
(``_reply.py``), a ``feature(call, answer) -> None`` to :data:`ANSWER_FEATURES` that fills it, and
draw the field in the renderers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aimlapi_core.catalog import lookup

from ._answer import Answer, make_answer
from ._assistant import respond
from ._context import ChatCall, Dialect, ServerState
from ._grounded import grounded_turn
from ._models import check_model, check_prompt_size
from ._prompt_cache import check_breakpoints, prompt_cache_use
from ._records import RecordedRequest
from ._thinking import adaptive_thinking
from ._validate import check_object, validate
from ._web_search import web_search_turn

__all__ = ["ANSWER_FEATURES", "CHECKS", "answer", "check"]


def _check_schema(call: ChatCall) -> None:
    validate(call.body, call.dialect, call.signer, call.caps)


# Stage 2, in order: each raises APIError(400) for what it refuses.
CHECKS: tuple[Callable[[ChatCall], None], ...] = (
    _check_schema,
    check_breakpoints,
    check_model,
    check_prompt_size,
)
# Stage 4, in order: each fills what the answer carries beyond the reply.
ANSWER_FEATURES: tuple[Callable[[ChatCall, Answer], None], ...] = (
    grounded_turn,
    web_search_turn,
    adaptive_thinking,
    prompt_cache_use,
)


def check(body: Any, dialect: Dialect, state: ServerState) -> ChatCall:
    """Stages 1 and 2: the request read and checked. Raises APIError(400)."""
    body = check_object(body)
    model = body.get("model")
    info = lookup(model) if isinstance(model, str) else None
    call = ChatCall(
        body=body,
        dialect=dialect,
        info=info,
        caps=info.on(dialect) if info is not None else None,
        signer=state.signer,
        prompt_cache=state.prompt_cache,
    )
    for check_one in CHECKS:
        check_one(call)
    return call


def answer(
    body: Any, dialect: Dialect, state: ServerState, recorded: RecordedRequest
) -> tuple[ChatCall, Answer]:
    """The checked request and its answer, ready to render.

    Raises:
        APIError: the request is refused (a check); nothing is remembered.
        ReplyFunctionError: the test's replies function failed (``_reply.py``).
    """
    call = check(body, dialect, state)
    scripted = state.replies.next(recorded)
    call.scripted = scripted is not None
    result = make_answer(scripted if scripted is not None else respond(call.view), call.view)
    for feature in ANSWER_FEATURES:
        feature(call, result)
    return call, result
