"""``ChatAIMLAPI.profile``: what a model can do on the chosen endpoint, from the core's catalogue.

LangChain reads profiles to size context (``SummarizationMiddleware``, trimming) and to pick
strategies. The catalogue (``aimlapi_core/catalog.json``, generated from the gateway's request
schemas) gives each documented model its page's context window and maximum output and, per
endpoint, what the schema allows; an undocumented id borrows the nearest documented model of its
family, and anything else gets conservative defaults, so any id gets a profile.
"""

from __future__ import annotations

from typing import cast

from langchain_core.language_models.model_profile import ModelProfile

from aimlapi_core import model_info

# Keys this langchain-core's ModelProfile knows: older ones (1.4) warn about keys added later
# (tool_call_streaming, mid_conversation_system_messages), so only known keys are set.
_KNOWN_KEYS = ModelProfile.__required_keys__ | ModelProfile.__optional_keys__


def model_profile(model: str, api: str) -> ModelProfile:
    info = model_info(model)
    caps = info.on(api)
    images = caps.images if caps is not None else info.supports_vision
    documents = caps.documents if caps is not None else True
    profile = ModelProfile(
        max_input_tokens=info.context_window,
        max_output_tokens=info.max_output_tokens,
        text_inputs=True,
        image_inputs=images,
        image_url_inputs=images,  # fetched and inlined: the API takes base64 only
        pdf_inputs=documents,
        image_tool_message=images,
        # The encoder puts documents inside tool results on /messages only (docs/wire.md); the
        # newest chat schemas allow them too, which a later release may use.
        pdf_tool_message=api == "messages" and (caps is None or caps.tool_result_documents),
        audio_inputs=False,
        video_inputs=False,
        text_outputs=True,
        image_outputs=False,
        audio_outputs=False,
        video_outputs=False,
        reasoning_output=bool(caps.thinking) if caps is not None else info.supports_thinking,
        tool_calling=info.supports_tools,
        tool_choice=info.supports_tools,
        tool_call_streaming=info.supports_tools,
        mid_conversation_system_messages=True,  # merged into the top-level system prompt
        # Judgement (docs/wire.md "Structured output"): no schema lists output_format, but a
        # response_format is honoured on every model through a tool whose input is the answer
        # (_structured.AnswerTool), so every id declares it: create_agent then picks the same
        # strategy whatever the spelling, instead of matching its own list of names.
        structured_output=info.supports_tools,
        attachment=documents,
        temperature="temperature" in caps.sampling if caps is not None else True,
        status="deprecated" if info.deprecated is not None else "active",
    )
    return cast(ModelProfile, {k: v for k, v in profile.items() if k in _KNOWN_KEYS})
