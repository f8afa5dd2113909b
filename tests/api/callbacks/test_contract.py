"""Schemathesis on /v1/hospital with a hospital's key: no 5xx, every response documented."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from api.app import create_app
from store.migrate import upgrade_to_head
from tests.api.callbacks.conftest import settings_for
from tests.support import creds
from tools.embedded import serve_app

# As in tests/api/test_openapi_fuzz.py: schema-valid URLs may rightly be refused (422).
EXCLUDED = [positive_data_acceptance, ignored_auth]


def test_hospital_routes_hold_their_contract(sqlite_url):
    upgrade_to_head(sqlite_url)
    config = settings_for(sqlite_url)
    headers = creds.hospital_headers(config, "RSUD-CONTRACT")
    checked = []
    with serve_app(create_app(config)) as base:
        schema = schemathesis.openapi.from_url(f"{base}/openapi.json").include(path_regex="^/v1/hospital/")
        for result in schema.get_all_operations():
            operation = result.ok()

            @given(case=operation.as_strategy())
            @settings(max_examples=30, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            def check(case) -> None:
                case.call_and_validate(headers=headers, excluded_checks=EXCLUDED)

            check()
            checked.append(operation.label)
    assert len(checked) == 5, checked
