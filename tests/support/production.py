"""Settings values that satisfy every production check, so a test can drop or vary exactly one."""

from __future__ import annotations

from typing import Any

from infra.codec import new_key_spec

SECRETS: dict[str, Any] = {
    "environment": "production",
    "bpjs_secret": "real-bpjs-secret",
    "dukcapil_client_secret": "real-dukcapil-secret",
    "sms_api_key": "real-sms-key",
    "temporal_address": "127.0.0.1:7233",
}


def production(**over: Any) -> dict[str, Any]:
    """Every production requirement met (fresh encryption keys), with `over` applied."""
    values = {**SECRETS, "payload_keys": new_key_spec("prod-1"), "readmodel_keys": new_key_spec("rm-1")}
    values.update(over)
    return {k: v for k, v in values.items() if v is not None}
