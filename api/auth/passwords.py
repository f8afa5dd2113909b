"""Operator passwords: Argon2id (RFC 9106) with argon2-cffi's defaults."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


@cache
def _dummy() -> str:
    """Verified against when the username is unknown, so both cases cost the same time.

    Made at the first login, not at import: a hash costs ~90 ms of CPU and 64 MiB of memory, and
    every `kelahiran` process (the simulators, `kelahiran --help`) imports this module."""
    return _hasher.hash("not-a-real-password-but-the-same-cost")

MIN_LENGTH = 12


class WeakPassword(ValueError):
    pass


def check_strength(password: str, *, username: str) -> None:
    """Length over composition rules (NIST SP 800-63B): at least 12 characters, not the username."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"password must have at least {MIN_LENGTH} characters")
    if username.lower() in password.lower():
        raise WeakPassword("password must not contain the username")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
