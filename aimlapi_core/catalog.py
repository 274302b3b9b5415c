"""What the integrations know about each Claude model, from any spelling of its id.

The gateway serves one model under several ids (docs/wire.md "Model ids"; the model pages in
``aimlapi-docs/`` list them): ``claude-sonnet-4-20250514`` = ``claude-sonnet-4`` =
``anthropic/claude-sonnet-4``; ``anthropic/claude-3.7-sonnet`` = ``claude-3-7-sonnet-20250219``
= ``claude-3-7-sonnet-latest``. :func:`model_info` normalises a spelling (vendor prefix, dots or
dashes, date suffix, ``-latest``, case) to a family and generation and looks that up; an id it
does not know falls back to the nearest known generation of its family, and anything else (even
``""`` or ``"gpt-4o"``) to conservative defaults. It never raises.

Where the numbers come from:

* context windows: 200 000 tokens for every Claude 3 and 4 model (Anthropic's models overview;
  the gateway's ``/v1/models`` reports ``contextLength`` per model, complete-model-list.md);
* ``max_output_tokens``: Anthropic's published output maxima — 4096 for Claude 3, 8192 for 3.5,
  64000 for 3.7 Sonnet, Sonnet 4, Sonnet 4.5, Haiku 4.5 and Opus 4.5, 32000 for Opus 4 and 4.1.
  The gateway's specs agree where they say anything: ``max_tokens`` defaults to 32000 on
  /chat/completions for Sonnet 4 and 4.5 (specs/claude-4-sonnet.json, claude-sonnet-4-5.json),
  64000 on /messages for Sonnet 4 (specs/claude-sonnet-4-MESSAGES.json), and 128000 for
  ``anthropic/claude-sonnet-latest`` (specs/claude-sonnet-latest.json) — a default can only be
  below the maximum, so "latest" gets 128000;
* extended thinking: Claude 3.7 Sonnet and every Claude 4 model (the ``thinking`` parameter
  appears in the 3.7 and 4.x specs, capabilities__thinking-reasoning.md), never Claude 3 / 3.5;
* vision and tools: every Claude 3+ model ("Vision Tasks" and "Function Calling" in the
  Anthropic README of the docs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, TypeAlias

__all__ = ["ModelInfo", "model_info"]

Family: TypeAlias = Literal["opus", "sonnet", "haiku", "unknown"]


@dataclass(frozen=True, slots=True)
class ModelInfo:
    id: str  # the id as given
    family: Family
    generation: str | None  # "3", "3.5", "3.7", "4", "4.1", "4.5"; None when unknown
    context_window: int
    max_output_tokens: int
    supports_thinking: bool
    supports_vision: bool
    supports_tools: bool


_CONTEXT = 200_000

# (family, generation) → (max_output_tokens, supports_thinking); see the module docstring.
_KNOWN: dict[tuple[Family, str], tuple[int, bool]] = {
    ("haiku", "3"): (4096, False),
    ("sonnet", "3"): (4096, False),
    ("opus", "3"): (4096, False),
    ("haiku", "3.5"): (8192, False),
    ("sonnet", "3.5"): (8192, False),
    ("sonnet", "3.7"): (64000, True),
    ("sonnet", "4"): (64000, True),
    ("opus", "4"): (32000, True),
    ("opus", "4.1"): (32000, True),
    ("sonnet", "4.5"): (64000, True),
    ("haiku", "4.5"): (64000, True),
    ("opus", "4.5"): (64000, True),
}
_LATEST_SONNET_OUTPUT = 128000  # specs/claude-sonnet-latest.json: max_tokens default 128000

# claude-3-5-sonnet (generation first, the Claude 3 naming) or claude-sonnet-4-5 (family first,
# the Claude 4 naming); the minor version is one digit, so a date suffix is never taken for it.
_GEN_FIRST = re.compile(r"claude-(\d)(?:-(\d))?-(opus|sonnet|haiku)")
_FAMILY_FIRST = re.compile(r"claude-(opus|sonnet|haiku)-(\d)(?:-(\d))?(?!\d)")
_FAMILY_ONLY = re.compile(r"claude-(?:[\d-]*-)?(opus|sonnet|haiku)")


def _generation_key(generation: str) -> tuple[int, int]:
    major, _, minor = generation.partition(".")
    return int(major), int(minor or 0)


def _normalise(model_id: str) -> str:
    name = model_id.strip().lower().rsplit("/", 1)[-1]  # "anthropic/claude-3.7-sonnet"
    return name.replace(".", "-").replace("_", "-")


def _parse(name: str) -> tuple[Family, str | None]:
    m = _GEN_FIRST.search(name)
    if m:
        major, minor, family = m.groups()
        return family, f"{major}.{minor}" if minor else major  # type: ignore[return-value]
    m = _FAMILY_FIRST.search(name)
    if m:
        family, major, minor = m.groups()
        return family, f"{major}.{minor}" if minor else major  # type: ignore[return-value]
    m = _FAMILY_ONLY.search(name)
    if m:
        return m.group(1), None  # type: ignore[return-value]
    return "unknown", None


def _nearest(family: Family, generation: str | None) -> str | None:
    """The newest known generation of ``family`` not newer than ``generation`` (the oldest
    known when it predates them all; the newest when ``generation`` is None)."""
    known = sorted((g for f, g in _KNOWN if f == family), key=_generation_key)
    if not known:
        return None
    if generation is None:
        return known[-1]
    older = [g for g in known if _generation_key(g) <= _generation_key(generation)]
    return older[-1] if older else known[0]


def model_info(model_id: object) -> ModelInfo:
    """Everything known about ``model_id``; never raises.

    Example:
        >>> info = model_info("anthropic/claude-3.7-sonnet")
        >>> info.family, info.generation, info.max_output_tokens, info.supports_thinking
        ('sonnet', '3.7', 64000, True)
        >>> model_info("gpt-4o").family
        'unknown'
    """
    given = model_id if isinstance(model_id, str) else ""
    try:
        name = _normalise(given)
        family, generation = _parse(name)
        if family == "sonnet" and generation is None and name.endswith("latest"):
            return ModelInfo(
                given, "sonnet", None, _CONTEXT, _LATEST_SONNET_OUTPUT, True, True, True
            )
        if family != "unknown":
            nearest = _nearest(family, generation)
            if nearest is not None:
                output, thinking = _KNOWN[(family, nearest)]
                if generation is not None and _generation_key(generation) > _generation_key(
                    nearest
                ):
                    thinking = True  # every generation after 3.7 thinks
                return ModelInfo(
                    given, family, generation or nearest, _CONTEXT, output, thinking, True, True
                )
    except Exception:  # never raise: the catalogue is advice, not a gate
        pass
    return ModelInfo(given, "unknown", None, _CONTEXT, 4096, False, True, True)
