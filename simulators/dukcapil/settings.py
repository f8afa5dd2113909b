"""Settings of the Dukcapil simulator (env prefix DUKCAPIL_SIM_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class DukcapilSimSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DUKCAPIL_SIM_")

    database_url: str = "sqlite:///data/dukcapil.db"
    seed: int = 2025
    families: int = Field(default=600, ge=1, le=20_000)
    host: str = "127.0.0.1"
    port: int = 8101
    admin_token: str = Field(default="dev-admin-token", min_length=8)

    # The one registered OAuth2 client (client-credentials grant), as an institution's integrator.
    client_id: str = Field(default="kelahiran", min_length=1)
    client_secret: str = Field(default="dev-dukcapil-secret", min_length=8, repr=False)
    token_ttl_seconds: int = Field(default=3600, ge=1, description="lifetime of an access token")

    # Each office's Ed25519 signing key (its TTE on akta and KK) is derived from this secret.
    signing_secret: str = Field(default="dev-dukcapil-signing-secret", min_length=16, repr=False)
    # What the QR codes point at (the public verification page); default: the URL the PDF was asked on.
    public_url: str | None = None
