"""Thinking-block signatures: HMAC-SHA256 over the thinking text with a per-emulator secret.

The real /messages endpoint returns an opaque `signature` with every thinking block and rejects
a replayed conversation whose thinking block was altered ("messages.N.content.0: Invalid
`signature` in `thinking` block"). A keyed MAC gives the emulator the same property: a client
that edits, re-encodes or drops a thinking block is caught, and a signature from one emulator
does not verify on another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os


class ThinkingSigner:
    """Signs and verifies thinking text with a secret private to one emulator instance."""

    __slots__ = ("_secret",)

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret if secret is not None else os.urandom(32)

    def __repr__(self) -> str:  # never show the secret
        return "ThinkingSigner(<secret>)"

    def sign(self, thinking: str) -> str:
        mac = hmac.new(self._secret, thinking.encode("utf-8"), hashlib.sha256).digest()
        return base64.b64encode(mac).decode("ascii")

    def verify(self, thinking: str, signature: str) -> bool:
        return hmac.compare_digest(self.sign(thinking), signature)
