"""BPJS simulator settings (env prefix BPJS_SIM_); build them explicitly in tests."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class BpjsSimSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BPJS_SIM_", extra="ignore")

    database_url: str = "sqlite:///data/bpjs.db"
    seed: int = 2025
    families: int = Field(default=600, ge=1)
    host: str = "127.0.0.1"
    port: int = 8102
    admin_token: str = "dev-admin-token"  # noqa: S105 - a simulator's development default

    # The one bridging consumer this simulator knows (a hospital's VClaim credentials).
    cons_id: str = "1234"
    secret: str = "dev-bpjs-secret"  # noqa: S105 - development default
    user_key: str = "dev-user-key"
    timestamp_tolerance_seconds: int = Field(default=300, ge=1)

    # Monthly premiums in rupiah; a tariff transition is pending, so none is hard-wired.
    premium_class_1: int = 150_000
    premium_class_2: int = 100_000
    premium_class_3: int = 42_000
    premium_class_3_participant: int = 35_000  # the rest of class III is subsidised
    ppu_extra_rate_percent: float = 1.0  # 4th+ child of a PPU worker: share of the wage
    enrolment_deadline_days: int = 28  # Perpres 82/2018 Pasal 16

    def participant_premium(self, kelas: str) -> int:
        """What a self-paying (PBPU) member pays per month in `kelas`."""
        return {
            "1": self.premium_class_1,
            "2": self.premium_class_2,
            "3": self.premium_class_3_participant,
        }[kelas]

    def ppu_extra(self, wage: int) -> int:
        return round(wage * self.ppu_extra_rate_percent / 100)
