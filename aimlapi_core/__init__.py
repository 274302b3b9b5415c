"""Framework-free client core for the AI/ML API's Claude models.

``AIMLAPIClient`` / ``AsyncAIMLAPIClient`` send a neutral :class:`ChatRequest` to
``/chat/completions`` or ``/messages`` and return a :class:`ChatResult` (``create``) or a stream
of neutral events (``stream``); ``embed`` turns texts into vectors (``POST /embeddings``).
Errors are in :mod:`aimlapi_core.errors`. Importing this package loads httpx and the standard
library only: no pydantic model is built, no framework imported.

The Batches API's names (``Batches``, ``Batch``, ...) are loaded on first use (PEP 562
``__getattr__``): a chat call never needs them, and ``_batches`` with the batch wire modules
are a measurable share of this package's own import work (benchmarks/results/micro_timings.md).
``from aimlapi_core import Batch``, ``dir()`` and ``__all__`` work as before; type checkers
read the ``TYPE_CHECKING`` imports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import errors
from ._accumulate import StreamAccumulator, accumulate
from ._async_client import AsyncAIMLAPIClient, AsyncChatStream
from ._client import AIMLAPIClient, ChatStream
from ._client_settings import VERSION as __version__
from ._client_settings import ClientSettings
from ._embedding_models import EmbeddingModel, embedding_model
from ._embeddings import EmbeddingResult, plan_embeddings
from ._lazy import lazy_attributes
from ._redact import is_secret_header
from ._schema import tool_input_schema
from ._types import (
    TOOL_FIELDS,
    CacheTTL,
    ChatRequest,
    ChatResult,
    CitationDelta,
    Cost,
    CostDelta,
    DocumentPart,
    Finish,
    ImageMediaType,
    ImagePart,
    JSONObject,
    Message,
    MessageStart,
    Part,
    PartDelta,
    PromptCaching,
    RawPart,
    RedactedThinkingDelta,
    RedactedThinkingPart,
    Role,
    SearchResultPart,
    ServerToolCallDelta,
    ServerToolCallPart,
    ServerToolResultPart,
    ServerToolSpec,
    SignatureDelta,
    StopReason,
    StreamEvent,
    TextDelta,
    TextPart,
    ThinkingDelta,
    ThinkingPart,
    ToolCallDelta,
    ToolCallPart,
    ToolChoice,
    ToolResultPart,
    ToolSpec,
    UnsupportedBehavior,
    Usage,
    UsageDelta,
)
from .catalog import ModelInfo, model_info

if TYPE_CHECKING:
    from ._batches import AsyncBatches, Batches, in_input_order
    from .wire.batches import Batch, BatchCounts, BatchResult

# name -> the module (relative to this package) that defines it, imported on first access.
_LAZY = {
    "AsyncBatches": "._batches",
    "Batches": "._batches",
    "in_input_order": "._batches",
    "Batch": ".wire.batches",
    "BatchCounts": ".wire.batches",
    "BatchResult": ".wire.batches",
}

__all__ = [
    "TOOL_FIELDS",
    "AIMLAPIClient",
    "AsyncAIMLAPIClient",
    "AsyncBatches",
    "AsyncChatStream",
    "Batch",
    "BatchCounts",
    "BatchResult",
    "Batches",
    "CacheTTL",
    "ChatRequest",
    "ChatResult",
    "ChatStream",
    "CitationDelta",
    "ClientSettings",
    "Cost",
    "CostDelta",
    "DocumentPart",
    "EmbeddingModel",
    "EmbeddingResult",
    "Finish",
    "ImageMediaType",
    "ImagePart",
    "JSONObject",
    "Message",
    "MessageStart",
    "ModelInfo",
    "Part",
    "PartDelta",
    "PromptCaching",
    "RawPart",
    "RedactedThinkingDelta",
    "RedactedThinkingPart",
    "Role",
    "SearchResultPart",
    "ServerToolCallDelta",
    "ServerToolCallPart",
    "ServerToolResultPart",
    "ServerToolSpec",
    "SignatureDelta",
    "StopReason",
    "StreamAccumulator",
    "StreamEvent",
    "TextDelta",
    "TextPart",
    "ThinkingDelta",
    "ThinkingPart",
    "ToolCallDelta",
    "ToolCallPart",
    "ToolChoice",
    "ToolResultPart",
    "ToolSpec",
    "UnsupportedBehavior",
    "Usage",
    "UsageDelta",
    "__version__",
    "accumulate",
    "embedding_model",
    "errors",
    "in_input_order",
    "is_secret_header",
    "model_info",
    "plan_embeddings",
    "tool_input_schema",
]


__getattr__, __dir__ = lazy_attributes(globals(), _LAZY)
