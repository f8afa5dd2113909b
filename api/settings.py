"""One settings class for the API and the worker, read from the environment."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.contracts import WorkflowTuning

DEV_BPJS_SECRET = "dev-bpjs-secret"  # noqa: S105 - the simulator's published development secret


class Settings(BaseSettings):
    """API and worker configuration; Temporal keeps its own variable names."""

    model_config = SettingsConfigDict(env_prefix="KELAHIRAN_", extra="ignore", populate_by_name=True)

    environment: Literal["development", "test", "production"] = "development"
    temporal_address: str = Field(
        default="127.0.0.1:7233",
        validation_alias=AliasChoices("TEMPORAL_ADDRESS", "KELAHIRAN_TEMPORAL_ADDRESS"),
    )
    temporal_namespace: str = Field(
        default="default",
        validation_alias=AliasChoices("TEMPORAL_NAMESPACE", "KELAHIRAN_TEMPORAL_NAMESPACE"),
    )
    temporal_ui_url: str | None = Field(default="http://127.0.0.1:8233")
    task_queue: str = "kelahiran"
    database_url: str = "sqlite:///data/kelahiran.db"

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    worker_metrics_port: int = Field(default=9464, description="0 disables the worker's /metrics")
    worker_health_port: int = Field(default=9465, description="0 disables the worker's /health")
    worker_max_concurrent_activities: int = 100
    worker_max_concurrent_workflow_tasks: int = 100

    dukcapil_url: str = "http://127.0.0.1:8101"
    bpjs_url: str = "http://127.0.0.1:8102"
    bpjs_cons_id: str = "1234"
    bpjs_secret: str = DEV_BPJS_SECRET
    bpjs_user_key: str = "dev-user-key"
    http_timeout_seconds: float = 10.0

    activity_timeout_seconds: float = 30
    retry_initial_seconds: float = 1
    retry_max_seconds: float = 60
    bpjs_poll_seconds: float = 3600
    akta_warn_days: int = 10
    bpjs_warn_days: int = 7
    stillbirth_warn_days: int = 7

    payload_keys: str = Field(default="", repr=False, description=(
        "Temporal payload encryption keys: 'id:base64(32 bytes),...'; empty disables encryption"))
    payload_key_id: str | None = Field(default=None, description="key id for new payloads")

    log_level: str = "INFO"
    log_json: bool = True

    @model_validator(mode="after")
    def _no_default_secrets_in_production(self) -> Settings:
        if self.environment == "production":
            if self.bpjs_secret == DEV_BPJS_SECRET:
                raise ValueError("KELAHIRAN_BPJS_SECRET must be set in production")
            if not self.payload_keys:
                raise ValueError("KELAHIRAN_PAYLOAD_KEYS must be set in production (payload encryption)")
            if any(k.strip().startswith("test") for k in self.payload_keys.split(",")):
                raise ValueError("test-only payload keys are refused in production")
        return self

    def data_converter(self):
        """The converter every client and worker of this deployment uses (encrypting if keyed)."""
        from api.codec import data_converter

        return data_converter(self.payload_keys, self.payload_key_id)

    def tuning(self) -> WorkflowTuning:
        return WorkflowTuning(
            activity_timeout_seconds=self.activity_timeout_seconds,
            retry_initial_seconds=self.retry_initial_seconds,
            retry_max_seconds=self.retry_max_seconds,
            bpjs_poll_seconds=self.bpjs_poll_seconds,
            akta_warn_days=self.akta_warn_days,
            bpjs_warn_days=self.bpjs_warn_days,
            stillbirth_warn_days=self.stillbirth_warn_days,
        )
