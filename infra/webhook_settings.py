"""The hospital-webhook part of `infra.settings.Settings`: where webhooks may point, and how long the
deprecated signature is still sent.

A base class of the one settings class, kept apart so that file stays readable; the variables keep
the `KELAHIRAN_` prefix of the class that inherits them.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings


class WebhookSettings(BaseSettings):
    """Webhook destinations (adapters/webhooks/addresses.py) and signatures (docs/callbacks.md)."""

    # Checked in every environment, at registration and again at every delivery.
    callback_allowed_networks: str = Field(default="", description=(
        "networks (comma-separated CIDRs) webhooks may reach besides public addresses, e.g. a provincial "
        "hospital network 10.20.0.0/16; https still; loopback, link-local and multicast never"))
    callback_allow_loopback: bool = Field(default=False, description=(
        "development and tests: webhooks to this machine (127.0.0.0/8, ::1), http included; production "
        "refuses to start with it"))
    # Deliveries always carry the Standard Webhooks headers; the older X-Kelahiran-Signature and
    # X-Kelahiran-Timestamp come along for receivers not yet moved, until the end of this day (UTC).
    callback_legacy_signature_until: date | None = Field(default=date(2027, 3, 7), description=(
        "last day (UTC) deliveries also carry the deprecated X-Kelahiran-Signature (90 days after the "
        "switch to Standard Webhooks); a past date: Standard Webhooks headers only"))

    @model_validator(mode="after")
    def _webhook_destinations(self) -> WebhookSettings:
        # At start-up, naming the bad entry, rather than at the first registration or delivery.
        if getattr(self, "environment", None) == "production" and self.callback_allow_loopback:
            raise ValueError("KELAHIRAN_CALLBACK_ALLOW_LOOPBACK is for development: production refuses "
                             "webhooks to this machine")
        try:
            self.webhook_policy()
        except ValueError as exc:
            raise ValueError(f"KELAHIRAN_CALLBACK_ALLOWED_NETWORKS: {exc}") from None
        return self

    def webhook_policy(self):
        """Where webhooks may point besides public https addresses (registration and delivery)."""
        from adapters.webhooks.addresses import Policy, parse_networks

        return Policy(parse_networks(self.callback_allowed_networks), self.callback_allow_loopback)

    def legacy_signature_on(self, today: date) -> bool:
        until = self.callback_legacy_signature_until
        return until is not None and today <= until
