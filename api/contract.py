"""The OpenAPI beyond what each route declares: the webhooks hospitals receive (its `webhooks`
section, one per event type) and an example for every request body (api/examples.py).

No `from __future__ import annotations` here: the webhook signatures close over their example.
"""

from typing import Annotated, Any, get_args

from fastapi import Body, FastAPI, Header

from api.examples import examples_for
from store.callback_events import CallbackEvent, EventType

_SAMPLE = {"id": "0b6f4c1e-8d7a-4f0e-9c52-3a1d2e4f5a6b", "occurred_at": "2026-11-28T02:10:04.512Z",
           "hospital_id": "RSUD-SERANG", "bundle_id": "5d1c7b0a-2f3e-5a4b-8c9d-0e1f2a3b4c5d",
           "record_id": "RM-2026-00123", "version": 27001}
_EVENTS: dict[str, dict[str, Any]] = {
    "bundle.service_changed": {"status": "in_progress", "previous_status": "in_progress",
                               "change": ("akta", 1, "completed", None, "in_progress")},
    "bundle.status_changed": {"status": "needs_attention", "previous_status": "in_progress",
                              "change": ("bpjs", 1, "needs_attention", "TUNGGAKAN_IURAN", "in_progress")},
    "bundle.completed": {"status": "completed", "previous_status": "in_progress",
                         "change": ("kia", 1, "completed", None, "in_progress")},
    "bundle.closed": {"status": "closed_duplicate", "previous_status": "needs_attention",
                      "change": ("routing", 0, "completed", None, "needs_attention")},
}


def event_example(event_type: str) -> dict[str, Any]:
    spec = _EVENTS[event_type]
    service, order, status, reason, before = spec["change"]
    return {**_SAMPLE, "type": event_type, "status": spec["status"],
            "previous_status": spec["previous_status"],
            "services": [{"birth_order": order, "service": service, "status": status, "reason": reason}],
            "changes": [{"birth_order": order, "service": service, "status": status, "reason": reason,
                         "previous_status": before}]}


def _webhook(event_type: str):
    example = {"default": {"summary": event_type, "value": event_example(event_type)}}

    def receive(
        event: Annotated[CallbackEvent, Body(openapi_examples=example)],
        webhook_id: Annotated[str, Header(alias="webhook-id", description=(
            "the event id, the same on every retry: deduplicate on it"))],
        webhook_timestamp: Annotated[int, Header(alias="webhook-timestamp", description=(
            "epoch seconds of this attempt; refuse it when more than 5 minutes away from now"))],
        webhook_signature: Annotated[str, Header(alias="webhook-signature", description=(
            "`v1,<base64 HMAC-SHA256 of \"{webhook-id}.{webhook-timestamp}.{body}\">` keyed with the "
            "decoded `whsec_` secret; two, space-separated, during a secret rotation (Standard Webhooks)"))],
        x_kelahiran_event_type: Annotated[str, Header(alias="X-Kelahiran-Event-Type")],
    ) -> None:
        """A change to one of the hospital's bundles, POSTed to its webhook (docs/callbacks.md)."""

    return receive


def _schema_examples(spec: dict, schema: dict) -> dict[str, dict[str, Any]] | None:
    ref = schema.get("$ref", "")
    listed = spec.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[-1], {}).get("examples")
    return {f"example{i + 1}": {"value": v} for i, v in enumerate(listed)} if ref and listed else None


def install(app: FastAPI) -> None:
    for event_type in get_args(EventType):
        app.webhooks.post(event_type, operation_id=f"webhook-{event_type}", tags=["webhooks"],
                          summary=f"{event_type} (sent to the hospital's webhook)", status_code=200,
                          responses={200: {"description": "Any 2xx: delivered. Anything else, or no answer "
                                                          "within 5 s, is retried with backoff"}},
                          )(_webhook(event_type))
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = build()
        for path in spec.get("paths", {}).values():
            for op in path.values():
                for media in op.get("requestBody", {}).get("content", {}).values():
                    if "examples" not in media and "example" not in media:
                        if (found := examples_for(media.get("schema", {}))) is not None:
                            media["examples"] = found
                        elif (given := _schema_examples(spec, media.get("schema", {}))) is not None:
                            media["examples"] = given  # a model's own json_schema_extra, shown too
        app.openapi_schema = spec
        return spec

    app.openapi = openapi
