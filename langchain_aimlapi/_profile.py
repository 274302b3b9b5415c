"""``ChatAIMLAPI.profile``: what a model can do, from the core's catalogue.

LangChain reads profiles to size context (``SummarizationMiddleware``, trimming) and to pick
strategies. The catalogue resolves every gateway id spelling and falls back by family, so any
id gets a profile.
"""

from __future__ import annotations

from langchain_core.language_models.model_profile import ModelProfile

from aimlapi_core import model_info


def model_profile(model: str, api: str) -> ModelProfile:
    info = model_info(model)
    return ModelProfile(
        max_input_tokens=info.context_window,
        max_output_tokens=info.max_output_tokens,
        text_inputs=True,
        image_inputs=info.supports_vision,
        image_url_inputs=info.supports_vision,  # fetched and inlined: the API takes base64 only
        pdf_inputs=True,
        image_tool_message=info.supports_vision,
        # The /chat/completions specs allow only text and images inside a tool result.
        pdf_tool_message=api == "messages",
        audio_inputs=False,
        video_inputs=False,
        text_outputs=True,
        image_outputs=False,
        audio_outputs=False,
        video_outputs=False,
        reasoning_output=info.supports_thinking,
        tool_calling=info.supports_tools,
        tool_choice=info.supports_tools,
        tool_call_streaming=info.supports_tools,
        mid_conversation_system_messages=True,  # merged into the top-level system prompt
    )
