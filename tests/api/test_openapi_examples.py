"""The OpenAPI is a contract a vendor can work from offline: every request body (FHIR and the
webhooks included) has an example, and every example is one the API accepts."""

from __future__ import annotations

import jsonschema_rs  # schemathesis's own validator
import pytest

from api.app import create_app
from api.examples import BY_SCHEMA
from api.fhir.mapping import to_notification
from api.fhir.parse import check_structure
from api.fhir.routes import EXAMPLES as FHIR_EXAMPLES
from domain.notification import BirthNotification
from infra.settings import Settings
from store.callback_events import CallbackEvent


@pytest.fixture(scope="module")
def spec() -> dict:
    return create_app(Settings(environment="test")).openapi()


def _bodies(spec: dict):
    for section in ("paths", "webhooks"):
        for path, ops in spec.get(section, {}).items():
            for method, op in ops.items():
                for media_type, media in op.get("requestBody", {}).get("content", {}).items():
                    yield f"{section} {method.upper()} {path} {media_type}", media


def test_every_request_body_has_an_example(spec):
    bodies = list(_bodies(spec))
    assert len(bodies) > 25  # the walk found the API (and the FHIR intake's two media types)
    missing = [where for where, media in bodies if not (media.get("examples") or media.get("example"))]
    assert missing == []


def test_every_example_matches_its_schema(spec):
    checked = 0
    for where, media in _bodies(spec):
        schema = {**media["schema"], "components": spec["components"]}
        for name, example in media.get("examples", {}).items():
            validator = jsonschema_rs.Draft202012Validator(schema)
            errors = [e.message for e in validator.iter_errors(example["value"])]
            assert errors == [], (where, name)
            checked += 1
    assert checked > 25


def test_the_webhooks_section_has_every_event_type_with_standard_webhooks_headers(spec):
    assert set(spec["webhooks"]) == {"bundle.status_changed", "bundle.service_changed", "bundle.completed",
                                     "bundle.closed"}
    for name, hook in spec["webhooks"].items():
        headers = {p["name"] for p in hook["post"]["parameters"] if p["in"] == "header"}
        assert {"webhook-id", "webhook-timestamp", "webhook-signature"} <= headers
        [example] = hook["post"]["requestBody"]["content"]["application/json"]["examples"].values()
        assert CallbackEvent.model_validate(example["value"]).type == name


def test_the_examples_pass_the_models_own_rules():
    """Beyond the schema: NIK structure, the name rules, the FHIR mapping."""
    for example in BY_SCHEMA["BirthNotification"].values():
        BirthNotification.model_validate(example["value"])
    from api.routes.operations import ParentsIn

    ParentsIn.model_validate(BY_SCHEMA["ParentsIn"]["default"]["value"])
    fhir = FHIR_EXAMPLES["single"]["value"]
    import json

    check_structure(json.dumps(fhir).encode(), fhir)
    mapped = to_notification(fhir)
    assert mapped.notification.record_id == "RM-2026-00123" and len(mapped.notification.children) == 1


# Errors whose body is not a Problem, by design: /ready's 503 is its readiness report (status not_ready).
OWN_BODIES = {"GET /ready 503"}


def _errors(spec: dict):
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            for status, declared in op["responses"].items():
                if status[0] in "45":
                    yield f"{method.upper()} {path} {status}", int(status), declared


def test_every_error_response_has_an_example_of_its_own_status(spec):
    """A 401's example says the credentials are missing, not a 422's invalid field; FHIR's are outcomes."""
    from api.fhir.outcome import FHIR_JSON
    from api.problems import KINDS, PROBLEM_JSON

    wrong, checked = [], 0
    for where, status, declared in _errors(spec):
        for media_type, media in declared.get("content", {}).items():
            examples = media.get("examples") or {}
            if not examples:
                wrong.append(f"{where} {media_type}: no example")
            schema = {**media["schema"], "components": spec["components"]}
            for name, example in examples.items():
                value, checked = example["value"], checked + 1
                errors = [e.message for e in jsonschema_rs.Draft202012Validator(schema).iter_errors(value)]
                if errors:
                    wrong.append(f"{where} {name}: {errors}")
                elif media_type == PROBLEM_JSON and value["status"] != status:
                    wrong.append(f"{where} {name}: status {value['status']}")
                elif media_type == FHIR_JSON and value["issue"][0]["details"]["coding"][0] != {
                        "system": "https://kelahiran.dev/problems", "code": KINDS[status]}:
                    wrong.append(f"{where} {name}: coded {value['issue'][0]['details']}")
                elif media_type not in (PROBLEM_JSON, FHIR_JSON) and where not in OWN_BODIES:
                    wrong.append(f"{where}: {media_type}")
    assert wrong == []
    assert checked >= 43 * 9
    unauthorized = spec["paths"]["/v1/births"]["post"]["responses"]["401"]["content"][PROBLEM_JSON]
    assert "API key" in next(iter(unauthorized["examples"].values()))["value"]["detail"]
