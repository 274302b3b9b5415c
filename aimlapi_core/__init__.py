"""Framework-free client core for the AI/ML API's Claude models.

``AIMLAPIClient`` / ``AsyncAIMLAPIClient`` send a neutral :class:`ChatRequest` to
``/chat/completions`` or ``/messages`` and return a :class:`ChatResult` (``create``) or a stream
of neutral events (``stream``); ``embed`` turns texts into vectors (``POST /embeddings``).
Errors are in :mod:`aimlapi_core.errors`. Importing this package loads httpx and the standard
library only: no pydantic model is built, no framework imported.
"""

from . import errors
from ._accumulate import StreamAccumulator, accumulate
from ._async_client import AsyncAIMLAPIClient, AsyncChatStream
from ._batches import AsyncBatches, Batches, in_input_order
from ._client import AIMLAPIClient, ChatStream
from ._embedding_models import EmbeddingModel, embedding_model
from ._embeddings import EmbeddingResult, plan_embeddings
from ._schema import tool_input_schema
from ._settings import VERSION as __version__
from ._settings import ClientSettings
from ._types import (
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
    Usage,
    UsageDelta,
)
from .catalog import ModelInfo, model_info
from .wire.batches import Batch, BatchCounts, BatchResult

__all__ = [
    "AIMLAPIClient",
    "AsyncAIMLAPIClient",
    "AsyncBatches",
    "AsyncChatStream",
    "Batch",
    "BatchCounts",
    "BatchResult",
    "Batches",
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
    "Usage",
    "UsageDelta",
    "__version__",
    "accumulate",
    "embedding_model",
    "errors",
    "in_input_order",
    "model_info",
    "plan_embeddings",
    "tool_input_schema",
]
