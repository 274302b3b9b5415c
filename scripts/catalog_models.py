"""The models the docs describe and the judgements ``build_catalog.py`` applies to them.

What the gateway's docs say is in ``docs/schemas/``; this module says which schema files and
pages describe which model, and where the build does not take a schema at its word (each
judgement is named; the rule in ``build_catalog.py`` that applies it cites the name, and the
texts are copied into ``catalog.json``).
"""

from __future__ import annotations

from typing import Any

# --------------------------------------------------------------------------- the models
# One row per model the docs describe. ``chat``/``messages``: the schema files that list it, best
# first (judgement "two-chat-schemas", "general-messages-reference"); ``pages``: its model pages.
# The ids of a model are every id in those schemas' ``model`` enums and those pages' id lists.
MODELS: list[dict[str, Any]] = [
    {"id": "anthropic/claude-3-haiku", "name": "Claude 3 Haiku", "family": "haiku",
     "generation": "3", "chat": ["claude-3-haiku.json"],
     "messages": ["claude-3-haiku-MESSAGES.json"], "pages": ["Anthropic__claude-3-haiku.md"]},
    {"id": "anthropic/claude-3-opus", "name": "Claude 3 Opus", "family": "opus",
     "generation": "3", "chat": ["claude-3-opus.json"], "messages": [], "pages": []},
    {"id": "anthropic/claude-3-sonnet", "name": "Claude 3 Sonnet", "family": "sonnet",
     "generation": "3", "chat": ["claude-3-sonnet.json"], "messages": [], "pages": []},
    {"id": "anthropic/claude-3-5-haiku", "name": "Claude 3.5 Haiku", "family": "haiku",
     "generation": "3.5", "chat": ["claude-3-5-haiku.json"], "messages": [], "pages": []},
    {"id": "anthropic/claude-3.5-sonnet", "name": "Claude 3.5 Sonnet", "family": "sonnet",
     "generation": "3.5", "chat": ["claude-3.5-sonnet.json", "claude-3-5-sonnet.json"],
     "messages": [], "pages": []},
    {"id": "anthropic/claude-3.7-sonnet", "name": "Claude 3.7 Sonnet", "family": "sonnet",
     "generation": "3.7", "chat": ["claude-3-7-sonnet.json", "claude-3.7-sonnet.json"],
     "messages": [], "pages": []},
    {"id": "anthropic/claude-sonnet-4", "name": "Claude Sonnet 4", "family": "sonnet",
     "generation": "4", "chat": ["claude-4-sonnet.json", "claude-sonnet-4.json"],
     "messages": ["claude-sonnet-4-MESSAGES.json", "messages.json"],
     "pages": ["Anthropic__claude-sonnet-4.md", "anthropic__claude-4-sonnet.md"]},
    {"id": "anthropic/claude-opus-4", "name": "Claude Opus 4", "family": "opus",
     "generation": "4", "chat": ["claude-4-opus.json", "claude-opus-4.json"],
     "messages": ["claude-opus-4-MESSAGES.json", "messages.json"],
     "pages": ["Anthropic__claude-opus-4.md", "anthropic__claude-4-opus.md"]},
    {"id": "anthropic/claude-opus-4.1", "name": "Claude Opus 4.1", "family": "opus",
     "generation": "4.1", "chat": ["claude-opus-4.1.json"], "messages": ["messages.json"],
     "pages": ["anthropic__claude-opus-4.1.md"]},
    {"id": "anthropic/claude-sonnet-4.5", "name": "Claude Sonnet 4.5", "family": "sonnet",
     "generation": "4.5", "chat": ["claude-sonnet-4-5.json"], "messages": ["messages.json"],
     "pages": ["anthropic__claude-4-5-sonnet.md"]},
    {"id": "anthropic/claude-haiku-4.5", "name": "Claude Haiku 4.5", "family": "haiku",
     "generation": "4.5", "chat": ["claude-haiku-4-5.json"], "messages": ["messages.json"],
     "pages": ["anthropic__claude-4.5-haiku.md"]},
    {"id": "anthropic/claude-opus-4-5", "name": "Claude Opus 4.5", "family": "opus",
     "generation": "4.5", "chat": ["claude-opus-4-5.json"], "messages": ["messages.json"],
     "pages": ["anthropic__claude-4.5-opus.md"]},
    {"id": "anthropic/claude-opus-4-6", "name": "Claude Opus 4.6", "family": "opus",
     "generation": "4.6", "chat": ["claude-opus-4-6.json"], "messages": ["messages.json"],
     "pages": ["anthropic__claude-4.6-opus.md"]},
    {"id": "anthropic/claude-sonnet-4.6", "name": "Claude Sonnet 4.6", "family": "sonnet",
     "generation": "4.6", "chat": ["claude-sonnet-4-6.json"], "messages": ["messages.json"],
     "pages": ["anthropic__claude-4.6-sonnet.md"]},
    {"id": "anthropic/claude-opus-4-7", "name": "Claude Opus 4.7", "family": "opus",
     "generation": "4.7", "chat": ["claude-opus-4-7.json"], "messages": ["messages.json"],
     "pages": ["anthropic__claude-4.7-opus.md"]},
    {"id": "anthropic/claude-opus-4-8", "name": "Claude Opus 4.8", "family": "opus",
     "generation": "4.8", "chat": ["claude-opus-4-8.json"], "messages": [],
     "pages": ["anthropic__claude-4.8-opus.md"]},
    {"id": "anthropic/claude-opus-4.8-fast", "name": "Claude Opus 4.8 (Fast)", "family": "opus",
     "generation": "4.8", "chat": ["claude-opus-4.8-fast.json"],
     "messages": ["claude-opus-4.8-fast-MESSAGES.json"],
     "pages": ["Anthropic__claude-opus-4.8-fast.md"]},
    {"id": "anthropic/claude-sonnet-5", "name": "Claude Sonnet 5", "family": "sonnet",
     "generation": "5", "chat": ["claude-sonnet-5.json"],
     "messages": ["claude-sonnet-5-MESSAGES.json"], "pages": ["Anthropic__claude-sonnet-5.md"]},
    {"id": "anthropic/claude-opus-5", "name": "Claude Opus 5", "family": "opus",
     "generation": "5", "chat": ["claude-opus-5.json"],
     "messages": ["claude-opus-5-MESSAGES.json"], "pages": ["Anthropic__claude-opus-5.md"]},
    {"id": "anthropic/claude-fable-5", "name": "Claude Fable 5", "family": "fable",
     "generation": "5", "chat": ["claude-fable-5.json"], "messages": [],
     "pages": ["anthropic__claude-fable-5.md"]},
    {"id": "anthropic/claude-sonnet-latest", "name": "Claude Sonnet Latest", "family": "sonnet",
     "generation": None, "chat": ["claude-sonnet-latest.json"], "messages": [],
     "pages": ["Anthropic__claude-sonnet-latest.md"]},
    {"id": "anthropic/claude-opus-latest", "name": "Claude Opus Latest", "family": "opus",
     "generation": None, "chat": ["claude-opus-latest.json"], "messages": [],
     "pages": ["Anthropic__claude-opus-latest.md"]},
    {"id": "anthropic/claude-haiku-latest", "name": "Claude Haiku Latest", "family": "haiku",
     "generation": None, "chat": ["claude-haiku-latest.json"], "messages": [],
     "pages": ["Anthropic__claude-haiku-latest.md"]},
    {"id": "anthropic/claude-fable-latest", "name": "Claude Fable Latest", "family": "fable",
     "generation": None, "chat": ["claude-fable-latest.json"], "messages": [],
     "pages": ["Anthropic__claude-fable-latest.md"]},
]  # fmt: skip

# --------------------------------------------------------------------------- the judgements
JUDGEMENTS: dict[str, str] = {
    "openai-template": (
        "claude-3-haiku.json, claude-3-opus.json, claude-3-5-haiku.json, claude-3.7-sonnet.json, "
        "claude-sonnet-4.json, claude-opus-4.json and claude-opus-4.8-fast.json are the gateway's "
        "generic OpenAI chat template (they list audio, modalities, n, logit_bias, input_audio, "
        "Perplexity search filters: nothing Claude takes). They describe the gateway's OpenAI "
        "translation layer, not the Claude format this library sends on /chat/completions "
        "(docs/wire.md: top-level system, stop_sequences, Anthropic blocks and tools), so a "
        "model's chat capabilities come from its Anthropic-style chat schema; a model that has "
        "none borrows the one named in CHAT_PROXY."
    ),
    "two-chat-schemas": (
        "Claude 3.7 Sonnet, Sonnet 4 and Opus 4 each have an Anthropic-style chat schema and an "
        "OpenAI-template one (claude-3-7-sonnet.json / claude-3.7-sonnet.json, claude-4-sonnet "
        "/ claude-sonnet-4, claude-4-opus / claude-opus-4); the Anthropic-style one is read, "
        "and the ids of both are the model's ids."
    ),
    "tools-swap": (
        "claude-4-sonnet, claude-4-opus, claude-opus-4.1, claude-sonnet-4-5, claude-sonnet-4-6, "
        "claude-haiku-4-5, claude-opus-4-5, claude-opus-4-6 and claude-opus-4-7 (chat) give "
        "`tools` the tool_choice item schema (auto/any/tool/none) and `tool_choice` a tool "
        "object; their descriptions say which is which, so the two are swapped back."
    ),
    "copied-thinking": (
        "claude-3-5-sonnet.json is claude-3-7-sonnet.json with the model enum changed (thinking "
        "included), and claude-3-haiku-MESSAGES.json differs from claude-sonnet-5-MESSAGES.json "
        "only in the model id and the max_tokens default (adaptive thinking included); Claude 3 "
        "/ 3.5 have no extended thinking (their other schemas have none), so neither model gets "
        "thinking. Their other capabilities are kept as published: the server decides."
    ),
    "general-messages-reference": (
        "capabilities/messages.json (the /v1/messages reference on the Anthropic page) covers "
        "the dated 4.x ids; where a model also has its own *-MESSAGES.json (Sonnet 4, Opus 4) "
        "the model's own schema wins. messages.json has no cache_control anywhere, while every "
        "per-model /messages schema has it, including those of Sonnet 4 and Opus 4 which "
        "messages.json also lists: read as an omission of the generic reference, so "
        "cache_control is allowed on /messages for every model."
    ),
    "messages-without-schema": (
        "The Anthropic page says every Claude model is served on /messages, but Claude 3 Opus, "
        "3 Sonnet, 3.5 Haiku, 3.5 Sonnet, 3.7 Sonnet, Opus 4.8, Fable 5 and the -latest ids "
        "have no /messages schema: they get the general reference (messages.json, first "
        "variant, with cache_control as above), with thinking limited to what the model's own "
        "chat schema allows (thinking is the model's, not the endpoint's)."
    ),
    "context-window": (
        "Context windows come from the model pages' prose ('1M token context window' for "
        "Sonnet 5, Opus 5, Opus 4.7, Opus 4.8, Fable 5); pages that say nothing get Anthropic's "
        "standard 200,000. The -latest pages say nothing, but the gateway's model table gives "
        "the -latest aliases a 1,000,000-token window (they follow the newest model of their "
        "family, which has one): the table wins over the pages' silence (LATEST_CONTEXT)."
    ),
    "deprecated": (
        "The gateway's model table lists Claude 3 Haiku, 3 Opus, 3 Sonnet, 3.5 Haiku, 3.5 "
        "Sonnet, 3.7 Sonnet, Sonnet 4 and Opus 4 as deprecated ('no longer available for API "
        "or Playground calls'), and lists Claude 3 Haiku, Sonnet 4 and Opus 4 again in its "
        "active table. The docs contradict themselves for those three; each also has a current "
        "/v1/messages schema and model page (claude-3-haiku-MESSAGES.json, "
        "claude-sonnet-4-MESSAGES.json, claude-opus-4-MESSAGES.json), so the active listing "
        "wins and they are not marked. The five others are (DEPRECATED): a call to one of their "
        "ids warns once (aimlapi_core.catalog.ModelDeprecationWarning) naming the successor, "
        "the current model of the same family, and is still sent — the server decides."
    ),
    "sampling-per-model": (
        "The sampling parameters a model takes (temperature, top_p, top_k) are the model's, "
        "read from its Anthropic-style chat schema, and hold on both endpoints: the per-model "
        "/v1/messages schemas are copies of one template that lists none (Sonnet 4's and Opus "
        "4's omit them, though their chat schemas and messages.json list all three), and "
        "messages.json's second variant omits them for the ids the chat schemas also omit "
        "them for. Opus 4.7, Opus 4.8 (and Fast), the 5-series and the -latest ids list none: "
        "a caller's value is refused before any request (nothing in the docs says the "
        "gateway ignores them; Anthropic answers 400 for those models)."
    ),
    "max-output": (
        "Max output is the largest of: the page prose ('128k output tokens'), every max_tokens "
        "default in the model's own schemas (a default cannot exceed the maximum; not the "
        "default of messages.json's first variant, shared by nine models), and Anthropic's "
        "published maxima for models whose pages say nothing (PUBLISHED_MAX_OUTPUT). "
        "Opus 4.8 (Fast) shares Opus 4.8's page prose."
    ),
    "haiku-latest-copy": (
        "claude-haiku-latest.json is claude-fable-latest.json with the model id replaced (the "
        "only difference), so its max_tokens default of 128000 says nothing about Haiku: the "
        "max output is that of the newest documented Haiku (4.5, 64000). Its capabilities are "
        "still read from it: it is the schema the gateway publishes for that id."
    ),
    "search-result-content": (
        "search_result blocks give `content` one text object; Anthropic's block takes a list "
        "of text blocks, and the published item (a text block with its own cache_control) is "
        "one of them: the array level was lost. The client sends the list; the conformance "
        "test reads the schema so (build_catalog.corrected)."
    ),
    "page-typo": (
        "Anthropic__claude-opus-4.8-fast.md lists `anthropic/claude-opus-4.8-fast.8-fast`, a "
        "typo of the schema's `anthropic/claude-opus-4.8-fast`; the typo is not an id."
    ),
}

# judgement "openai-template": the Anthropic-style chat schema a model without one is held to.
CHAT_PROXY = {
    "anthropic/claude-3-haiku": "claude-3-sonnet.json",  # the Claude 3 seed schema
    "anthropic/claude-3-opus": "claude-3-sonnet.json",
    "anthropic/claude-3-5-haiku": "claude-3.5-sonnet.json",
    "anthropic/claude-opus-4.8-fast": "claude-opus-4-8.json",  # the same model, served faster
}
# judgement "max-output": Anthropic's models overview, for models whose pages give no figure.
PUBLISHED_MAX_OUTPUT = {
    ("haiku", "3"): 4096, ("opus", "3"): 4096, ("sonnet", "3"): 4096,
    ("haiku", "3.5"): 8192, ("sonnet", "3.5"): 8192, ("sonnet", "3.7"): 64000,
    ("sonnet", "4"): 64000, ("opus", "4"): 32000, ("opus", "4.1"): 32000,
    ("sonnet", "4.5"): 64000, ("haiku", "4.5"): 64000, ("opus", "4.5"): 64000,
    ("opus", "4.6"): 128000, ("sonnet", "4.6"): 64000,
}  # fmt: skip
PAGE_TYPO_IDS = {"anthropic/claude-opus-4.8-fast.8-fast"}  # judgement "page-typo"
SHARED_PROSE = {"anthropic/claude-opus-4.8-fast": "anthropic__claude-4.8-opus.md"}
STANDARD_CONTEXT = 200_000
LATEST_CONTEXT = 1_000_000  # judgement "context-window": the model table's -latest row

# judgement "deprecated": the models the gateway's table retires and lists nowhere else, with
# the current model of the same family to move to.
DEPRECATED: dict[str, dict[str, str]] = {
    "anthropic/claude-3-opus": {"successor": "anthropic/claude-opus-4.1"},
    "anthropic/claude-3-sonnet": {"successor": "anthropic/claude-sonnet-4.5"},
    "anthropic/claude-3-5-haiku": {"successor": "anthropic/claude-haiku-4.5"},
    "anthropic/claude-3.5-sonnet": {"successor": "anthropic/claude-sonnet-4.5"},
    "anthropic/claude-3.7-sonnet": {"successor": "anthropic/claude-sonnet-4.5"},
}
