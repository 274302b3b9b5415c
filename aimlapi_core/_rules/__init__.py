"""Input rules: one home for every rule about what a caller may ask for.

Both adapters call these functions while they translate framework types (so a mistake is
reported at ``bind_tools`` / construction time, naming the framework's block), and the encoder
calls the same functions as the final check before any I/O. One function, one wording: the same
mistake gives the same error type and words in LangChain, LlamaIndex and the core.

The rules, each with the ``docs/wire.md`` section that records its doc pages and its module:

* tool choice ("Tools"; ``tools.py``) — ``{"type": "auto" | "any" | "tool" | "none"}`` plus
  ``disable_parallel_tool_use``; the spellings people pass (OpenAI's ``"required"`` and
  ``{"type": "function", ...}``, ``True`` / ``False``, a bare tool name) are parsed here, once.
* thinking ("Thinking"; ``thinking.py``) — ``{"type": "enabled", "budget_tokens": N}`` with
  ``1024 <= N < max_tokens``, or ``{"type": "adaptive"}``, either with ``display``; with thinking
  of either kind on, no forced tool choice and no temperature other than 1. Which model takes
  which kind is per model (``_model_rules.py``).
* tool names ("Tools"; ``tools.py``) — ``^[a-zA-Z0-9_-]{1,64}$``, and unique.
* data URIs ("Content parts"; ``content.py``) — RFC 2397, both forms (:func:`parse_data_uri`
  says why non-base64 is accepted).
* media types ("Content parts"; ``content.py``) — the four image and two document types the
  Claude specs list.
* which content each dialect carries ("Content parts"; ``content.py``) —
  :data:`DIALECT_CONTENT`.
* prompt caching ("Prompt caching"; ``caching.py``) — the adapters' ``prompt_caching=``
  setting; where its breakpoints go is ``aimlapi_core/_caching.py``.
* a caller's block fields (``caller.py``) — :func:`block_str`, :func:`tool_arguments`, and
  :func:`caller_input`, the net that reports any other malformed caller value met while
  converting as ``UnsupportedContentError`` naming the message and block.

Every name is re-exported here: import from ``aimlapi_core._rules``, not from its modules.

Rules that differ per model (images, documents, thinking on one model's schema) are
``_model_rules.py``'s, read from the catalogue; these hold for every model.
"""

from __future__ import annotations

from .caching import prompt_caching_setting
from .caller import block_str, caller_input, tool_arguments
from .content import (
    DIALECT_CONTENT,
    DOCUMENT_MEDIA_TYPES,
    IMAGE_MEDIA_TYPES,
    DataURI,
    DialectContent,
    check_document_media_type,
    check_image_media_type,
    document_url,
    parse_data_uri,
)
from .thinking import (
    MIN_THINKING_BUDGET,
    ThinkingSetting,
    check_thinking,
    check_thinking_budget,
    thinking_budget,
    thinking_setting,
)
from .tools import (
    call_instruction,
    check_forced_choice,
    check_tool_choice,
    check_tool_name,
    check_tool_names,
    parse_tool_choice,
    resolve_tool_choice,
    tool_choice_dict,
    unforced_with_thinking,
    with_parallel,
)

__all__ = [
    "DIALECT_CONTENT",
    "DOCUMENT_MEDIA_TYPES",
    "IMAGE_MEDIA_TYPES",
    "MIN_THINKING_BUDGET",
    "DataURI",
    "DialectContent",
    "ThinkingSetting",
    "block_str",
    "call_instruction",
    "caller_input",
    "check_document_media_type",
    "check_forced_choice",
    "check_image_media_type",
    "check_thinking",
    "check_thinking_budget",
    "check_tool_choice",
    "check_tool_name",
    "check_tool_names",
    "document_url",
    "parse_data_uri",
    "parse_tool_choice",
    "prompt_caching_setting",
    "resolve_tool_choice",
    "thinking_budget",
    "thinking_setting",
    "tool_arguments",
    "tool_choice_dict",
    "unforced_with_thinking",
    "with_parallel",
]
