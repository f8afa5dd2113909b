"""The systems the download pages call: Dukcapil (the documents) and the SMS gateway (a new PIN)."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.dukcapil.client import DukcapilClient
from adapters.dukcapil.port import DukcapilPort
from adapters.sms.client import SmsGatewayClient
from adapters.sms.port import SmsPort
from infra.settings import Settings


@dataclass
class FamilyPorts:
    dukcapil: DukcapilPort
    sms: SmsPort

    @classmethod
    def from_settings(cls, settings: Settings) -> FamilyPorts:
        return cls(
            dukcapil=DukcapilClient(settings.dukcapil_url, client_id=settings.dukcapil_client_id,
                                    client_secret=settings.dukcapil_client_secret,
                                    timeout=settings.http_timeout_seconds),
            sms=SmsGatewayClient(settings.sms_url, api_key=settings.sms_api_key, sender=settings.sms_sender,
                                 timeout=settings.http_timeout_seconds))

    async def aclose(self) -> None:
        await self.dukcapil.aclose()
        await self.sms.aclose()
