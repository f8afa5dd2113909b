"""One settings class for the API and the worker, read from the environment."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import SettingsConfigDict

from domain.contracts import WorkflowTuning
from infra.login_settings import LoginSettings
from infra.observability_settings import ObservabilitySettings
from infra.webhook_settings import WebhookSettings

DEV_BPJS_SECRET = "dev-bpjs-secret"  # noqa: S105 - the simulator's published development secret
DEV_DUKCAPIL_CLIENT_ID = "kelahiran"
DEV_DUKCAPIL_CLIENT_SECRET = "dev-dukcapil-secret"  # noqa: S105 - the simulator's development default
DEV_SMS_API_KEY = "dev-sms-api-key"  # noqa: S105 - the SMS simulator's development default


def _temporal_env(name: str, **kwargs):
    """A field read from Temporal's own variable (`TEMPORAL_<NAME>`), or `KELAHIRAN_TEMPORAL_<NAME>`."""
    return Field(validation_alias=AliasChoices(f"TEMPORAL_{name}", f"KELAHIRAN_TEMPORAL_{name}"), **kwargs)


def is_loopback(address: str) -> bool:
    """True when a `host:port` Temporal address stays on this machine."""
    host = urlsplit(f"//{address}").hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Settings(ObservabilitySettings, WebhookSettings, LoginSettings):
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
    # TLS to the Temporal frontend, under the names the Temporal CLI and SDK env config read.
    temporal_tls: bool | None = _temporal_env(
        "TLS", default=None, description="unset: TLS when a CA, a client certificate or an API key is given")
    temporal_tls_server_ca_cert_path: Path | None = _temporal_env(
        "TLS_SERVER_CA_CERT_PATH", default=None, description="PEM CA for the server (else system roots)")
    temporal_tls_client_cert_path: Path | None = _temporal_env(
        "TLS_CLIENT_CERT_PATH", default=None, description="PEM client certificate (mTLS)")
    temporal_tls_client_key_path: Path | None = _temporal_env(
        "TLS_CLIENT_KEY_PATH", default=None, description="PEM client private key (mTLS)")
    temporal_tls_server_name: str | None = _temporal_env(
        "TLS_SERVER_NAME", default=None, description="name the server certificate is checked against (SNI)")
    temporal_api_key: str | None = _temporal_env("API_KEY", default=None, repr=False)
    temporal_allow_plaintext: bool = Field(default=False, description=(
        "production: allow plaintext to a non-loopback Temporal (only on a private network)"))
    temporal_ui_url: str | None = Field(default="http://127.0.0.1:8233")
    task_queue: str = "kelahiran"
    database_url: str = "sqlite:///data/kelahiran.db"

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    worker_metrics_port: int = Field(default=9464, description="0 disables the worker's /metrics")
    worker_health_port: int = Field(default=9465, description="0 disables the worker's /health")
    worker_max_concurrent_activities: int = 100
    worker_max_concurrent_workflow_tasks: int = 100
    worker_uvloop: bool = Field(default=True, description="run the worker on uvloop (if installed)")

    dukcapil_url: str = "http://127.0.0.1:8101"
    # Our OAuth2 client at Dukcapil (client-credentials grant on its /oauth/token).
    dukcapil_client_id: str = DEV_DUKCAPIL_CLIENT_ID
    dukcapil_client_secret: str = Field(default=DEV_DUKCAPIL_CLIENT_SECRET, repr=False)
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
    readmodel_keys: str = Field(default="", repr=False, description=(
        "read-model encryption keys (stored states at rest): 'id:base64(32 bytes),...'; "
        "empty stores plain JSON (refused in production)"))
    readmodel_key_id: str | None = Field(default=None, description="key id for new read-model writes")
    retention_days: int = Field(default=365, ge=1, description=(
        "days after a bundle ends before `kelahiran retention run` removes its personal data; "
        "also the Temporal namespace's workflow retention"))

    # Access control (see api/auth): operator sessions, lockout, per-hospital intake rate.
    session_idle_minutes: int = Field(default=30, ge=1)
    session_max_hours: int = Field(default=8, ge=1)
    login_max_failures: int = Field(default=5, ge=1)
    login_lockout_minutes: int = Field(default=15, ge=1)
    cookie_secure: bool | None = Field(default=None, description="Secure cookies; default: in production")
    intake_rate_per_second: float = Field(default=20.0, gt=0, description="per hospital, per API process")
    intake_burst: int = Field(default=40, ge=1)
    intake_start_lease_seconds: float = Field(default=30.0, ge=1, description=(
        "how long an API process holds the accepted births it took in or claimed, to start their "
        "workflows (api/starter.py, store/pending.py); a process that dies before starting them "
        "leaves them to the others after this (one that stops cleanly gives them up at once)"))
    api_key_cache_seconds: float = Field(default=5.0, ge=0, le=300, description=(
        "how long an API process trusts a hospital key it verified, without asking the database "
        "again (api/auth/keys.py KeyCache): a key revoked elsewhere stops working within this; 0: "
        "every request asks the database"))
    codec_cors_origins: str = Field(default="", description=(
        "origins allowed to call /codec/ (comma-separated); default: the Temporal Web UI's origin"))

    # Hospital callbacks (api/callbacks), delivered by `kelahiran callbacks`.
    callbacks_port: int = Field(default=9466, description=(
        "`kelahiran callbacks`: /health and /metrics; 0 disables"))
    callback_timeout_seconds: float = Field(default=5.0, gt=0, description="per delivery, DNS included")
    callback_retry_initial_seconds: float = Field(default=10.0, gt=0)
    callback_retry_max_seconds: float = Field(default=3600.0, gt=0)
    callback_max_age_hours: float = Field(default=72.0, gt=0, description="then an event is dead-lettered")
    callback_poll_seconds: float = Field(default=1.0, gt=0)
    callback_batch: int = Field(default=50, ge=1, le=1000)
    callback_event_retention_days: int = Field(default=30, ge=1, description=(
        "how long events are kept (and can be polled) once delivered, dead-lettered or not for a webhook"))

    # Child names (domain/person_names.py): the titles the intakes, /name and corrections refuse.
    child_name_titles: str | None = Field(default=None, description=(
        "titles refused in a child's name (Permendagri 73/2022), comma-separated, compared without "
        "case; unset: the built-in list (domain/person_names.py DEFAULT_TITLES)"))

    # The intake's duplicate check (store/identity.py): another delivery by the same mother this close
    # to an earlier one is held for a supervisor (DUPLIKAT_DICURIGAI); 0 checks the same child only.
    duplicate_window_days: int = Field(default=150, ge=0, le=400, description=(
        "days around an earlier delivery by the same mother within which a new one is held as a "
        "suspected duplicate"))

    # Documents for the family (api/family): the SMS with the download link, and the link itself.
    sms_url: str = "http://127.0.0.1:8103"
    sms_api_key: str = Field(default=DEV_SMS_API_KEY, repr=False)
    sms_sender: str = Field(default="DUKCAPIL", pattern=r"^[A-Za-z0-9 ]{1,11}$")
    public_url: str | None = Field(default=None, description=(
        "the API as families reach it (the SMS links point here); default http://<api host>:<api port>"))
    family_link_days: int = Field(default=7, ge=1, description="a download link works this long")
    family_pin_attempts: int = Field(default=5, ge=1, description="wrong PINs, then the link is locked")
    family_session_minutes: int = Field(default=30, ge=1, description="documents stay open after a PIN")
    family_pin_resends: int = Field(default=3, ge=0, description="new PINs a family may ask for per link")

    log_level: str = "INFO"
    log_json: bool = True

    @model_validator(mode="after")
    def _no_default_secrets_in_production(self) -> Settings:
        if self.environment == "production":
            if self.bpjs_secret == DEV_BPJS_SECRET:
                raise ValueError("KELAHIRAN_BPJS_SECRET must be set in production")
            if self.dukcapil_client_secret == DEV_DUKCAPIL_CLIENT_SECRET:
                raise ValueError("KELAHIRAN_DUKCAPIL_CLIENT_SECRET must be set in production")
            if self.sms_api_key == DEV_SMS_API_KEY:
                raise ValueError("KELAHIRAN_SMS_API_KEY must be set in production")
            if not self.payload_keys:
                raise ValueError("KELAHIRAN_PAYLOAD_KEYS must be set in production (payload encryption)")
            if any(k.strip().startswith("test") for k in self.payload_keys.split(",")):
                raise ValueError("test-only payload keys are refused in production")
            if not self.readmodel_keys:
                raise ValueError("KELAHIRAN_READMODEL_KEYS must be set in production (read model at rest)")
            if any(k.strip().startswith("test") for k in self.readmodel_keys.split(",")):
                raise ValueError("test-only read-model keys are refused in production")
        return self

    @property
    def temporal_tls_enabled(self) -> bool:
        """Temporal's own rule: an explicit TEMPORAL_TLS wins, else TLS when anything TLS is given."""
        if self.temporal_tls is not None:
            return self.temporal_tls
        return bool(self.temporal_tls_server_ca_cert_path or self.temporal_tls_client_cert_path
                    or self.temporal_api_key)

    @model_validator(mode="after")
    def _temporal_tls_is_usable(self) -> Settings:
        # Checked here so a bad path stops the process at start-up, not in the API's reconnect loop.
        files = {
            "TEMPORAL_TLS_SERVER_CA_CERT_PATH": (self.temporal_tls_server_ca_cert_path, b"CERTIFICATE-----"),
            "TEMPORAL_TLS_CLIENT_CERT_PATH": (self.temporal_tls_client_cert_path, b"CERTIFICATE-----"),
            "TEMPORAL_TLS_CLIENT_KEY_PATH": (self.temporal_tls_client_key_path, b"PRIVATE KEY-----"),
        }
        if (self.temporal_tls_client_cert_path is None) != (self.temporal_tls_client_key_path is None):
            raise ValueError("TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH go together")
        if self.temporal_tls is False and any(path for path, _ in files.values()):
            raise ValueError("TEMPORAL_TLS=false contradicts the TEMPORAL_TLS_*_PATH files given")
        for name, (path, marker) in files.items():
            if path is None:
                continue
            try:
                pem = path.read_bytes()
            except OSError as exc:
                raise ValueError(f"{name}={path}: cannot be read ({exc.strerror})") from None
            if b"-----BEGIN " not in pem or marker not in pem:
                raise ValueError(f"{name}={path}: not a PEM file with a {marker[:-5].decode().lower()}")
        if (self.environment == "production" and not self.temporal_tls_enabled
                and not self.temporal_allow_plaintext and not is_loopback(self.temporal_address)):
            raise ValueError(
                f"production refuses plaintext to Temporal at {self.temporal_address}: set the "
                "TEMPORAL_TLS_* variables, or KELAHIRAN_TEMPORAL_ALLOW_PLAINTEXT=true on a private network")
        return self

    def session_policy(self):
        from datetime import timedelta

        from api.auth.sessions import Policy

        return Policy(idle=timedelta(minutes=self.session_idle_minutes),
                      absolute=timedelta(hours=self.session_max_hours),
                      max_failures=self.login_max_failures,
                      lockout=timedelta(minutes=self.login_lockout_minutes))

    def codec_origins(self) -> list[str]:
        if self.codec_cors_origins:
            return [o.strip() for o in self.codec_cors_origins.split(",") if o.strip()]
        if not self.temporal_ui_url:
            return []
        from urllib.parse import urlsplit

        parts = urlsplit(self.temporal_ui_url)
        return [f"{parts.scheme}://{parts.netloc}"]

    def secure_cookies(self) -> bool:
        return self.environment == "production" if self.cookie_secure is None else self.cookie_secure

    def data_converter(self):
        """The converter every client and worker of this deployment uses (encrypting if keyed)."""
        from infra.codec import data_converter

        return data_converter(self.payload_keys, self.payload_key_id)

    def name_titles(self) -> list[str] | None:
        return None if self.child_name_titles is None else [
            t.strip() for t in self.child_name_titles.split(",") if t.strip()]

    def readmodel_cipher(self):
        """The cipher of the read model's stored states (plain JSON when no keys are set)."""
        from store.cipher import StateCipher

        return StateCipher.from_spec(self.readmodel_keys, self.readmodel_key_id)

    def family_link_base(self) -> str:
        """Where the SMS links point: the public URL, else the API's own address."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "[::1]"}.get(self.api_host, self.api_host)  # noqa: S104
        return f"http://{host}:{self.api_port}"

    def family_policy(self):
        from store.family_access import Policy

        return Policy(link_days=self.family_link_days, max_attempts=self.family_pin_attempts,
                      session_minutes=self.family_session_minutes, max_pins=1 + self.family_pin_resends)

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
