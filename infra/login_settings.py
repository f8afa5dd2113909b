"""The login guard's part of `infra.settings.Settings` (api/auth/guard.py, docs/security.md "Login").

A base class of the one settings class, like infra/observability_settings.py; the variables keep the
`KELAHIRAN_` prefix of the class that inherits them. The proxy whose X-Forwarded-For is believed is
`forwarded_allow_ips` there (uvicorn's setting as well).
"""

from __future__ import annotations

import os

from pydantic import Field
from pydantic_settings import BaseSettings


class LoginSettings(BaseSettings):
    login_window_minutes: int = Field(default=15, ge=1, description=(
        "an account's failed logins are counted over this sliding window (a success clears none)"))
    login_address_limit: int = Field(default=20, ge=1, description=(
        "failed logins per client address per window; then 429, before any password is hashed"))
    # Half the cores, at least one: a login storm's hashes then leave the rest to the hospitals' intake
    # (with two at once on two cores, the storm took both and the intake's p99 rose twentyfold).
    login_hash_concurrency: int = Field(default_factory=lambda: max(1, (os.cpu_count() or 2) // 2), ge=1,
                                        description=(
        "password hashes (Argon2id, 64 MiB each) running at once in one API process; others wait "
        "(default: half the machine's cores, at least 1)"))
