"""The core's neutral model: requests, results and stream events.

Nothing here knows a wire field name, httpx, LangChain or LlamaIndex. The two wire dialects
(``wire/chat_completions.py`` and ``wire/messages.py``) encode a :class:`ChatRequest` into JSON
and decode whole responses into :class:`ChatResult` and streamed responses into
:data:`StreamEvent` values; :class:`StreamAccumulator` folds those events back into a
:class:`ChatResult`, so that ``accumulate(stream(x)) == create(x)``.

Conventions
-----------
* A message is a role (``"user"`` or ``"assistant"``) and an ordered list of parts (the part
  types are ``_parts.py``, re-exported here). The system prompt is not a message: it is
  :attr:`ChatRequest.system`.
* :attr:`Usage.input_tokens` counts *every* input token, cache reads and cache writes included
  (LangChain's convention); ``cache_read_tokens`` / ``cache_creation_tokens`` break it down.
* :data:`StopReason` is Anthropic's vocabulary, whatever the wire said; the wire's own word is
  kept in :attr:`ChatResult.raw_stop_reason`.
* Stream events carry ``index``: the position of the part they build in the final result's
  ``parts``. Parallel tool calls therefore have distinct indexes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

# The parts, re-exported (``aimlapi_core._types.TextPart`` as before).
from ._parts import DocumentPart as DocumentPart
from ._parts import ImagePart as ImagePart
from ._parts import JSONObject as JSONObject
from ._parts import Part as Part
from ._parts import RawPart as RawPart
from ._parts import RedactedThinkingPart as RedactedThinkingPart
from ._parts import SearchResultPart as SearchResultPart
from ._parts import ServerToolCallPart as ServerToolCallPart
from ._parts import ServerToolResultPart as ServerToolResultPart
from ._parts import TextPart as TextPart
from ._parts import ThinkingPart as ThinkingPart
from ._parts import ToolCallPart as ToolCallPart
from ._parts import ToolResultPart as ToolResultPart

Role: TypeAlias = Literal["user", "assistant"]

StopReason: TypeAlias = Literal[
    "end_turn", "max_tokens", "stop_sequence", "tool_use", "refusal", "pause_turn"
]

ImageMediaType: TypeAlias = Literal["image/jpeg", "image/png", "image/gif", "image/webp"]

CacheTTL: TypeAlias = Literal["5m", "1h"]
UnsupportedBehavior: TypeAlias = Literal["ignore", "warn", "raise"]


@dataclass(slots=True, kw_only=True)
class Message:
    role: Role
    parts: list[Part]


# --------------------------------------------------------------------------- request


@dataclass(slots=True, kw_only=True)
class ToolSpec:
    """A custom tool. Besides name, description and input schema, the per-tool fields the newer
    request schemas list (``docs/schemas/claude-sonnet-5.json``, every ``/v1/messages`` schema):
    each is sent when set, or refused before any request where the model's schema lacks it
    (``_model_rules.py``); ``None`` sends nothing."""

    name: str
    description: str = ""
    input_schema: JSONObject = field(default_factory=lambda: {"type": "object", "properties": {}})
    cache_control: JSONObject | None = None  # {"type": "ephemeral", "ttl"?: "5m" | "1h"}
    strict: bool | None = None  # inputs guaranteed to match input_schema
    eager_input_streaming: bool | None = None  # fine-grained streaming of the tool's input
    defer_loading: bool | None = None  # loaded on demand through a tool-search server tool
    input_examples: list[JSONObject] | None = None  # example inputs shown to the model
    allowed_callers: list[str] | None = None  # e.g. ["code_execution_20250825"]

    def wire_fields(self) -> JSONObject:
        """The optional per-tool fields that are set, by their wire names (``cache_control``
        aside: where it may go is the content rule's, ``wire/blocks.py``)."""
        fields = ((name, getattr(self, name)) for name in TOOL_FIELDS)
        return {name: value for name, value in fields if value is not None}


# The optional per-tool fields of :class:`ToolSpec`, named as the schemas name them.
TOOL_FIELDS = (
    "strict",
    "eager_input_streaming",
    "defer_loading",
    "input_examples",
    "allowed_callers",
)


@dataclass(slots=True, kw_only=True)
class ServerToolSpec:
    """A server tool the API runs itself (``{"type": "web_search_20250305", "name":
    "web_search", "max_uses": 3}``): ``type`` and ``name`` as documented, every other
    documented field in ``options``, sent as given."""

    type: str
    name: str
    options: JSONObject = field(default_factory=dict)
    cache_control: JSONObject | None = None


@dataclass(slots=True, kw_only=True)
class ToolChoice:
    """``auto`` (model decides), ``any`` (must call some tool), ``tool`` (must call ``name``),
    ``none`` (must not call a tool)."""

    type: Literal["auto", "any", "tool", "none"]
    name: str | None = None
    disable_parallel_tool_use: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class PromptCaching:
    """Cache breakpoints placed for the caller (``prompt_caching="auto"`` on the adapters): the
    encoder marks the last tool, the system prompt and the conversation tail, within the API's
    four breakpoints and the model's minimum cacheable length (``_caching.py``; docs/wire.md
    "Prompt caching"). ``unsupported_model_behavior`` says what happens where the model's
    schema takes no ``cache_control`` on the chosen endpoint: nothing, a warning, or an error."""

    ttl: CacheTTL = "5m"
    unsupported_model_behavior: UnsupportedBehavior = "warn"

    @property
    def cache_control(self) -> JSONObject:
        """The block-level hint each breakpoint carries."""
        return {"type": "ephemeral", "ttl": self.ttl}


@dataclass(slots=True, kw_only=True)
class ChatRequest:
    model: str
    messages: list[Message]
    max_tokens: int
    system: list[TextPart] = field(default_factory=list)
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    stop_sequences: list[str] = field(default_factory=list)
    tools: list[ToolSpec | ServerToolSpec] = field(default_factory=list)
    tool_choice: ToolChoice | None = None
    thinking_budget: int | None = None  # {"type": "enabled", "budget_tokens": N}; None: off
    adaptive_thinking: bool = False  # {"type": "adaptive"}: the model decides how much to think
    thinking_display: Literal["summarized", "omitted"] | None = None  # thinking.display
    thinking_disabled: bool = False  # {"type": "disabled"}: off, said explicitly
    metadata: JSONObject | None = None
    prompt_caching: PromptCaching | None = None  # automatic breakpoints; None: only the caller's
    # Escape hatches, merged last into the JSON body / the request headers.
    extra_body: JSONObject | None = None
    extra_headers: Mapping[str, str] | None = None


# --------------------------------------------------------------------------- result


@dataclass(slots=True, kw_only=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int | None = None
    cache_creation_tokens: int | None = None
    reasoning_tokens: int | None = None

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


@dataclass(slots=True, kw_only=True)
class Cost:
    credits_used: float | None = None
    usd_spent: float | None = None


@dataclass(slots=True, kw_only=True)
class ChatResult:
    parts: list[Part]
    id: str | None = None
    model: str | None = None
    stop_reason: StopReason | None = None
    raw_stop_reason: str | None = None
    stop_sequence: str | None = None
    usage: Usage = field(default_factory=Usage)
    cost: Cost | None = None
    request_id: str | None = None  # x-request-id (or the body's requestId)
    inference_id: str | None = None  # x-inference-id
    raw: JSONObject | None = field(default=None, compare=False, repr=False)

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.parts if isinstance(p, TextPart))

    @property
    def thinking(self) -> str:
        return "".join(p.thinking for p in self.parts if isinstance(p, ThinkingPart))

    @property
    def tool_calls(self) -> list[ToolCallPart]:
        return [p for p in self.parts if isinstance(p, ToolCallPart)]


# --------------------------------------------------------------------------- stream events


@dataclass(slots=True)
class MessageStart:
    id: str | None
    model: str | None


@dataclass(slots=True)
class TextDelta:
    index: int
    text: str


@dataclass(slots=True)
class ThinkingDelta:
    index: int
    thinking: str


@dataclass(slots=True)
class SignatureDelta:
    index: int
    signature: str


@dataclass(slots=True)
class RedactedThinkingDelta:
    index: int
    data: str


@dataclass(slots=True)
class ToolCallDelta:
    """A piece of a tool call. ``id`` and ``name`` come on the first delta for an index;
    ``arguments`` is a fragment of the JSON arguments text (possibly empty)."""

    index: int
    id: str | None
    name: str | None
    arguments: str


@dataclass(slots=True)
class ServerToolCallDelta:
    """A piece of a server tool call, like :class:`ToolCallDelta`."""

    index: int
    id: str | None
    name: str | None
    arguments: str


@dataclass(slots=True)
class PartDelta:
    """A whole part that arrives in one piece (server tool results, raw blocks)."""

    index: int
    part: Part


@dataclass(slots=True)
class CitationDelta:
    """A citation for the text part at ``index`` (``citations_delta``)."""

    index: int
    citation: JSONObject


@dataclass(slots=True, kw_only=True)
class UsageDelta:
    """Usage as the wire reported it so far. Fields that are ``None`` were not reported by this
    event; reported fields replace earlier values (wire usage is cumulative, never additive)."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_read_tokens: int | None = None
    cache_creation_tokens: int | None = None
    reasoning_tokens: int | None = None


@dataclass(slots=True)
class CostDelta:
    cost: Cost


@dataclass(slots=True, kw_only=True)
class Finish:
    stop_reason: StopReason | None
    raw_stop_reason: str | None
    stop_sequence: str | None = None


StreamEvent: TypeAlias = (
    MessageStart
    | TextDelta
    | ThinkingDelta
    | SignatureDelta
    | RedactedThinkingDelta
    | ToolCallDelta
    | ServerToolCallDelta
    | PartDelta
    | CitationDelta
    | UsageDelta
    | CostDelta
    | Finish
)
