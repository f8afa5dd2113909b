"""Encryption of every Temporal payload (workflow inputs, results, activity arguments, queries).

AES-256-GCM with a key id in each payload's metadata, so keys can rotate: new payloads use the
current key, old ones decrypt with the key they name. Payloads this codec did not encode pass
through untouched, so histories recorded before encryption still replay.
"""

from __future__ import annotations

import base64
import dataclasses
import os
from collections.abc import Sequence

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, PayloadCodec

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
# Committed replay fixtures and tests use this key; production refuses it.
TEST_KEY_ID = "test-only"
TEST_KEY = base64.b64encode(b"kelahiran-test-key-not-a-secret!").decode()


class CodecKeyError(ValueError):
    """A payload names a key this process does not have, or the key configuration is invalid."""


def parse_keys(spec: str, *, what: str = "payload") -> dict[str, bytes]:
    """`id:base64key,id2:base64key` -> {id: 32-byte key}; `what` names the keys in errors."""
    keys: dict[str, bytes] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        kid, _, b64 = item.partition(":")
        try:
            key = base64.b64decode(b64, validate=True)
        except ValueError:
            raise CodecKeyError(f"{what} key {kid!r} is not valid base64") from None
        if not kid or len(key) != 32:
            raise CodecKeyError(f"{what} key {kid!r} must be 32 bytes (AES-256)")
        keys[kid] = key
    return keys


def new_key_spec(kid: str) -> str:
    return f"{kid}:{base64.b64encode(os.urandom(32)).decode()}"


class EncryptionCodec(PayloadCodec):
    def __init__(self, keys: dict[str, bytes], current: str) -> None:
        if current not in keys:
            raise CodecKeyError(f"current payload key id {current!r} is not among the keys")
        self._aead = {kid: AESGCM(key) for kid, key in keys.items()}
        self._current = current

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        aead, kid = self._aead[self._current], self._current.encode()
        out = []
        for p in payloads:
            nonce = os.urandom(12)
            data = nonce + aead.encrypt(nonce, p.SerializeToString(), kid)
            out.append(Payload(metadata={"encoding": ENCODING, KEY_ID: kid}, data=data))
        return out

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        out = []
        for p in payloads:
            if p.metadata.get("encoding") != ENCODING:
                out.append(p)  # not ours (e.g. recorded before encryption): pass through
                continue
            kid = p.metadata.get(KEY_ID, b"")
            aead = self._aead.get(kid.decode())
            if aead is None:
                raise CodecKeyError(f"no payload key with id {kid.decode()!r}")
            out.append(Payload.FromString(aead.decrypt(p.data[:12], p.data[12:], kid)))
        return out


def data_converter(keys_spec: str, current: str | None) -> DataConverter:
    """The pydantic converter, with encryption when keys are configured."""
    if not keys_spec:
        return pydantic_data_converter
    keys = parse_keys(keys_spec)
    codec = EncryptionCodec(keys, current or next(iter(keys)))
    return dataclasses.replace(pydantic_data_converter, payload_codec=codec)


def test_converter() -> DataConverter:
    return data_converter(f"{TEST_KEY_ID}:{TEST_KEY}", TEST_KEY_ID)
