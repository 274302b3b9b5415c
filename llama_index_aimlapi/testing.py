"""Offline testing aids for LlamaIndex pipelines built on :class:`~llama_index_aimlapi.AIMLAPI`.

Pair them with :class:`aimlapi_emulator.Emulator` to run a whole query engine or agent in CI with
no key and no network. :class:`HashingEmbedding` is a tiny deterministic local embedding: not a
semantic model but a hashed bag of words (lower-cased word tokens, common stopwords removed,
hashed with BLAKE2 into ``dim`` buckets, L2-normalised), so documents sharing words with a query
rank first. Replace it with a real embedding model in production.
"""

from __future__ import annotations

import hashlib
import math
import re

from llama_index.core.base.embeddings.base import BaseEmbedding, Embedding
from llama_index.core.bridge.pydantic import Field

_WORD = re.compile(r"[a-z0-9]+")
# Words that every question and document share would otherwise swamp the ranking.
_STOPWORDS = frozenset(
    _WORD.findall("a an and are at does for in is it its of on or the to was what when who")
)


class HashingEmbedding(BaseEmbedding):
    """Hashed bag-of-words vectors; the same text always gives the same vector."""

    dim: int = Field(default=256, gt=0)

    @classmethod
    def class_name(cls) -> str:
        return "AIMLAPI_HashingEmbedding"

    def _vector(self, text: str) -> Embedding:
        vector = [0.0] * self.dim
        for word in _WORD.findall(text.lower()):
            if word in _STOPWORDS:
                continue
            digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
            vector[int.from_bytes(digest, "little") % self.dim] += 1.0
        norm = math.sqrt(sum(v * v for v in vector)) or 1.0
        return [v / norm for v in vector]

    def _get_query_embedding(self, query: str) -> Embedding:
        return self._vector(query)

    async def _aget_query_embedding(self, query: str) -> Embedding:
        return self._vector(query)

    def _get_text_embedding(self, text: str) -> Embedding:
        return self._vector(text)
