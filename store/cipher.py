"""Encryption at rest of the read model's stored states (`bundle.state_json`, `follow_up.state_json`).

They hold NIKs, KK numbers and document numbers; the listing columns beside them stay plain.
AES-256-GCM in a self-describing envelope, `enc1:<key id>:<base64(nonce + ciphertext)>`, so keys
rotate: new writes use the current key, older rows open with the key they name, and `kelahiran
readmodel reencrypt` moves them to the current one. The associated data names the table, the row
and the key id, so a ciphertext copied into another row does not open. Plain JSON (rows written
before encryption) is read as it is.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from infra.codec import CodecKeyError, parse_keys

PREFIX = "enc1:"
MAC_PREFIX = "hmac1:"
# The embedded test stack uses this key; production refuses it (like the payload test key).
TEST_KEY_ID = "test-only-rm"
TEST_KEY = base64.b64encode(b"kelahiran-readmodel-test-key-32b").decode()


class StateKeyError(ValueError):
    """A stored state does not open (key missing or wrong, copied from another row), or bad keys."""


def key_id(stored: str) -> str | None:
    """The key id an envelope names; None for plain JSON written before encryption."""
    if stored.startswith("{"):
        return None
    kid, sep, _ = stored.removeprefix(PREFIX).partition(":")
    if not stored.startswith(PREFIX) or not sep or not kid:
        raise StateKeyError("stored state is neither an encryption envelope nor JSON")
    return kid


def _aad(table: str, row_id: str, kid: str) -> bytes:
    return f"kelahiran/readmodel/{table}/{row_id}/{kid}".encode()


class StateCipher:
    """Encrypts and decrypts stored states; without keys it stores plain JSON (never in production)."""

    def __init__(self, keys: Mapping[str, bytes], current: str | None = None) -> None:
        current = current or next(iter(keys), None)
        if keys and current not in keys:
            raise StateKeyError(f"current read-model key id {current!r} is not among the keys")
        self._aead = {kid: AESGCM(key) for kid, key in keys.items()}
        # A MAC key of its own per read-model key (never the AES key itself for two purposes).
        self._mac = {kid: hmac.new(key, b"kelahiran/readmodel/mac-key/v1", hashlib.sha256).digest()
                     for kid, key in keys.items()}
        self.current = current if keys else None

    @classmethod
    def from_spec(cls, spec: str, current: str | None = None) -> StateCipher:
        """From `id:base64key,...` (the KELAHIRAN_READMODEL_KEYS format)."""
        try:
            return cls(parse_keys(spec, what="read-model"), current)
        except CodecKeyError as exc:
            raise StateKeyError(str(exc)) from None

    def encrypt(self, table: str, row_id: str, plaintext: str) -> str:
        if self.current is None:
            return plaintext
        nonce = os.urandom(12)
        aad = _aad(table, row_id, self.current)
        sealed = self._aead[self.current].encrypt(nonce, plaintext.encode(), aad)
        return f"{PREFIX}{self.current}:{base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, table: str, row_id: str, stored: str) -> str:
        kid = key_id(stored)
        if kid is None:
            return stored
        aead = self._aead.get(kid)
        if aead is None:
            raise StateKeyError(f"{table} {row_id} is encrypted with read-model key {kid!r}, which is not "
                                "configured (KELAHIRAN_READMODEL_KEYS)")
        try:
            blob = base64.b64decode(stored[len(PREFIX) + len(kid) + 1:], validate=True)
            return aead.decrypt(blob[:12], blob[12:], _aad(table, row_id, kid)).decode()
        except (InvalidTag, binascii.Error, ValueError):
            raise StateKeyError(f"{table} {row_id} does not decrypt with read-model key {kid!r}: wrong key, "
                                "damaged, or copied from another row") from None

    def mac(self, table: str, row_id: str, secret: str) -> str | None:
        """A keyed digest of a short secret (a PIN), bound to its row: `hmac1:<key id>:<hex>`.

        Without the key, which never lives in the database, a stolen digest cannot be tried against
        the million PINs; with it, no hash cost would stop that either. None without keys.
        """
        if self.current is None:
            return None
        return f"{MAC_PREFIX}{self.current}:{self._digest(self.current, table, row_id, secret)}"

    def mac_ok(self, table: str, row_id: str, secret: str, stored: str) -> bool:
        """Whether `stored` (from `mac`) is the digest of `secret` for this row; False for a retired key."""
        kid, sep, want = stored.removeprefix(MAC_PREFIX).partition(":")
        if not stored.startswith(MAC_PREFIX) or not sep or kid not in self._mac:
            return False
        return hmac.compare_digest(self._digest(kid, table, row_id, secret), want)

    def _digest(self, kid: str, table: str, row_id: str, secret: str) -> str:
        msg = f"{table}/{row_id}".encode() + b"\0" + secret.encode()
        return hmac.new(self._mac[kid], msg, hashlib.sha256).hexdigest()

    def derived_keys(self, purpose: str) -> dict[str, bytes]:
        """A key of its own for `purpose` per read-model key, the current one first; {} without keys."""
        ids = sorted(self._mac, key=lambda kid: kid != self.current)
        return {kid: hmac.new(self._mac[kid], purpose.encode(), hashlib.sha256).digest() for kid in ids}

    def is_current(self, stored: str) -> bool:
        """True when `stored` is already as this cipher would write it (current key, or plain if none)."""
        return key_id(stored) == self.current


def spec_for_tests() -> str:
    return f"{TEST_KEY_ID}:{TEST_KEY}"
