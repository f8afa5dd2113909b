"""Settings of the SMS gateway simulator (env prefix SMS_SIM_); build them explicitly in tests."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_API_KEY = "dev-sms-api-key"  # noqa: S105 - the simulator's published development key


class SmsSimSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SMS_SIM_", extra="ignore")

    database_url: str = "sqlite:///data/sms.db"
    host: str = "127.0.0.1"
    port: int = 8103
    seed: int = 2025  # fault rules with a probability draw from it
    admin_token: str = Field(default="dev-admin-token", min_length=8)  # reads stored messages
    api_key: str = Field(default=DEV_API_KEY, min_length=8, repr=False)  # the one sending client
    max_length: int = Field(default=918, ge=160, description="6 concatenated GSM-7 segments")
