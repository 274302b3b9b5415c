"""Deterministic embedding vectors with real lexical similarity.

Not a semantic model: a signed hashed bag of word unigrams and bigrams. Words are lower-cased
``\\w+`` runs with common stopwords removed; each unigram (weight 1) and bigram (weight 0.5)
is hashed with BLAKE2 to a bucket and a sign, and the vector is L2-normalised. Texts sharing
words therefore have a positive cosine, texts sharing none are (up to rare collisions)
orthogonal, and the same text always gives the same vector — so a retrieval test or demo that
ranks documents by similarity ranks them for a reason.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re

_WORD = re.compile(r"\w+")
# Words every question and document share would otherwise swamp the ranking.
STOPWORDS = frozenset(
    re.findall(
        r"\w+",
        "a an and are as at be by do does did for from has have how in is it its of on or that "
        "the this to was were what when where which who why will with",
    )
)
_BIGRAM_WEIGHT = 0.5


def _slot(gram: str, dims: int) -> tuple[int, float]:
    h = int.from_bytes(hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest(), "little")
    return h % dims, 1.0 if h >> 63 else -1.0


def embed_text(text: str, dims: int) -> list[float]:
    """The vector of ``text``: ``dims`` floats, unit length.

    A text with no content word (only stopwords or punctuation) is hashed whole, so that no
    vector is ever all zeros (a real model never returns one either).
    """
    words = [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS]
    weights: dict[int, float] = {}
    grams = [(w, 1.0) for w in words]
    grams += [(f"{a} {b}", _BIGRAM_WEIGHT) for a, b in itertools.pairwise(words)]
    if not grams:
        grams = [(text, 1.0)]
    for gram, weight in grams:
        slot, sign = _slot(gram, dims)
        weights[slot] = weights.get(slot, 0.0) + sign * weight
    norm = math.sqrt(sum(v * v for v in weights.values()))
    if norm == 0.0:  # every weight cancelled out by collisions: fall back to the whole text
        slot, sign = _slot(text, dims)
        weights, norm = {slot: sign}, 1.0
    vector = [0.0] * dims
    for slot, value in weights.items():
        vector[slot] = value / norm
    return vector
