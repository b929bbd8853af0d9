"""The one token scrubber: removes the API token, raw, URL-encoded or base64-encoded, from any text shown to a user.

Servers and proxies have been known to echo request headers into error pages, and some encode them on the way
(a debug page quoting `Authorization=Bearer%20...`, a trace id that is the header in base64). One rule for every
caller (client, provider, CLI): a token of `ANYWHERE_LENGTH` characters or more is redacted wherever it appears; a
shorter one (a test's "t") only where it stands alone, since it would also match inside ordinary words, and only in
its raw and URL-encoded forms (its base64 image would be a few characters that occur anywhere). Redact before any
cut: a token straddling a length limit would otherwise survive minus its tail.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["ANYWHERE_LENGTH", "REDACTED", "TokenRedactor"]

ANYWHERE_LENGTH = 8
REDACTED = "[REDACTED]"

# URL-encoding leaves these as they are (RFC 3986 unreserved); any other character may appear as %XX.
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-"


class TokenRedactor:
    """Redacts one token from texts and from the strings inside JSON-like values; compiled once per token.

    Its repr shows nothing: the patterns it holds are made from the token.
    """

    __slots__ = ("_encoded", "_literal")

    def __init__(self, token: str) -> None:
        self._literal = _literal_pattern(token) if token else None
        self._encoded = _base64_pattern(token) if len(token) >= ANYWHERE_LENGTH else None

    def __call__(self, text: str) -> str:
        if self._literal is None:
            return text
        text = self._literal.sub(REDACTED, text)
        if self._encoded is None:
            return text
        # The whole base64 run holding the token's image goes, so the partial groups at its edges (which carry
        # bits of the token too) go with it. Found by a plain search, then widened: a regex that widens by itself
        # backtracks quadratically over a long run.
        parts: list[str] = []
        done = 0
        for match in self._encoded.finditer(text):
            start, end = match.start(), match.end()
            if start < done:
                continue  # inside a run already redacted
            while start > done and text[start - 1] in _BASE64_ALPHABET:
                start -= 1
            while end < len(text) and text[end] in _BASE64_ALPHABET + "=":
                end += 1
            parts += [text[done:start], REDACTED]
            done = end
        return "".join(parts) + text[done:] if parts else text

    def value(self, value: Any) -> Any:
        """`value` with the token redacted from every string in it, keys included (a parsed JSON body)."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, Mapping):
            return {self.value(key): self.value(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.value(item) for item in value]
        return value

    def __repr__(self) -> str:
        return "TokenRedactor(<hidden>)"


def _literal_pattern(token: str) -> re.Pattern[str]:
    # Each character as itself or percent-encoded, in either hex case.
    literal = "".join(_character(character) for character in token)
    if len(token) < ANYWHERE_LENGTH:
        return re.compile(rf"(?<![A-Za-z0-9]){literal}(?![A-Za-z0-9])")
    return re.compile(literal)


def _character(character: str) -> str:
    if character in _UNRESERVED or ord(character) > 0xFF:
        return re.escape(character)
    return f"(?:{re.escape(character)}|%(?i:{ord(character):02X}))"


def _base64_pattern(token: str) -> re.Pattern[str] | None:
    # The base64 text that encodes only the token's bytes, for each of the three offsets the token can have in
    # what was encoded ("<token>", "Bearer <token>", "Authorization: Bearer <token>", ...), standard and URL-safe.
    cores = {_base64_core(token, offset, urlsafe) for offset in range(3) for urlsafe in (False, True)}
    cores.discard("")
    return re.compile("|".join(re.escape(core) for core in sorted(cores))) if cores else None


def _base64_core(token: str, offset: int, urlsafe: bool) -> str:
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    encoded = encode(b"\0" * offset + token.encode()).decode().rstrip("=")
    # The first group mixes in the bytes before the token, the last one those after it.
    start = 4 if offset else 0
    return encoded[start : len(encoded) - 4]
