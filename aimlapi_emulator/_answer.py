"""One chat request answered, after auth and faults: the pipeline both places that answer share.

``/chat/completions`` and ``/messages`` (``_server.py``) and every request of a batch
(``_batches.py``, as /messages) go through :func:`answer`, so a rule or hook added here holds
on all of them: issue 15's preparation (``_claude_line.py``), validation and the model rules
(each refusal an :class:`APIError` — a 400 on the routes, an ``errored`` result in a batch),
then the scripted reply if the test gave one, else the default assistant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._assistant import respond
from ._cache_ledger import breakpoint_error, count_breakpoints
from ._claude_finish import Line
from ._claude_line import prepare
from ._models import check_model, check_prompt_size
from ._records import RecordedRequest
from ._reply import Answer, make_answer
from ._validate import Dialect, validate
from ._validate_content import upstream_error

if TYPE_CHECKING:
    from ._server import ServerState

__all__ = ["ReplyFunctionError", "answer"]


class ReplyFunctionError(Exception):
    """The test's replies function raised; ``str()`` says so (the cause is its exception)."""


def answer(
    body: dict[str, Any], dialect: Dialect, state: ServerState, recorded: RecordedRequest
) -> tuple[dict[str, Any], Answer, Line]:
    """The prepared body, the answer and its issue-15 line (which finishes the rendered body).

    Raises:
        APIError: the request is refused (validation, model rules); nothing is remembered.
        ReplyFunctionError: the test's replies function raised.
    """
    sent = body
    body, line = prepare(body, dialect)
    validate(body, dialect, state.signer)
    check_prompt_size(body, check_model(body, dialect))
    too_many = breakpoint_error(count_breakpoints(sent))
    if too_many is not None:
        raise upstream_error(too_many)
    line.cache = state.prompt_cache.use(sent)
    try:
        scripted = state.replies.next(recorded)
    except Exception as exc:  # the test's own function failed: the caller says so
        raise ReplyFunctionError(
            f"the replies function raised {type(exc).__name__}: {exc}"
        ) from exc
    reply = make_answer(scripted if scripted is not None else respond(body), body)
    if scripted is not None:
        line.search_query = None  # a scripted reply is answered as scripted
    line.adjust_reply(reply)
    return body, reply, line
