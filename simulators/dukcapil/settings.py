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
