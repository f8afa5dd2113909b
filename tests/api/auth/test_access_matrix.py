"""Every route declares who may call it; walk the whole role x endpoint matrix over real HTTP."""

from __future__ import annotations

import uuid

import pytest
from fastapi.routing import APIRoute

from api.app import create_app
from api.auth.deps import Allow
from infra.settings import Settings

pytestmark = pytest.mark.integration
H, OP, S, A, AD = "hospital", "operator", "supervisor", "auditor", "admin"
ROLES = (H, OP, S, A, AD)
# The access policy, written out: a route whose declaration differs from this table fails.
EXPECTED = {
    ("POST", "/v1/births"): {H},
    ("POST", "/v1/fhir"): {H},  # the same intake as a FHIR R4 transaction Bundle
    ("GET", "/v1/births"): {H, OP, S, A},
    ("GET", "/v1/births/{bundle_id}"): {H, OP, S, A},
    ("POST", "/v1/births/{bundle_id}/children/{birth_order}/name"): {H, OP, S},
    ("POST", "/v1/births/{bundle_id}/children/{birth_order}/death"): {H, OP, S},
    ("POST", "/v1/births/{bundle_id}/children/{birth_order}/correction"): {H, OP, S},
    ("POST", "/v1/births/{bundle_id}/children/{birth_order}/follow-ups/{kind}/retry"): {OP, S},
    ("POST", "/v1/births/{bundle_id}/retry"): {OP, S},
    ("POST", "/v1/births/{bundle_id}/decision"): {S},
    ("POST", "/v1/births/{bundle_id}/close"): {S},
    ("POST", "/v1/births/{bundle_id}/forward"): {OP, S},
    ("POST", "/v1/births/{bundle_id}/sptjm"): {S},
    ("POST", "/v1/births/{bundle_id}/duplicate"): {S},
    ("POST", "/v1/births/{bundle_id}/parents"): {OP, S},
    ("POST", "/v1/births/{bundle_id}/submitted/reveal"): {OP, S, A},  # one masked field, audited
    ("PUT", "/v1/hospital/webhook"): {H},
    ("GET", "/v1/hospital/webhook"): {H},
    ("DELETE", "/v1/hospital/webhook"): {H},
    ("POST", "/v1/hospital/webhook/rotate-secret"): {H},
    ("GET", "/v1/hospital/events"): {H},
    ("GET", "/v1/audit"): {A},
    ("GET", "/v1/audit/export"): {A},
    ("GET", "/v1/admin/hospitals"): {AD},
    ("POST", "/v1/admin/hospitals"): {AD},
    ("GET", "/v1/admin/hospitals/{hospital_id}/keys"): {AD},
    ("POST", "/v1/admin/hospitals/{hospital_id}/keys"): {AD},
    ("POST", "/v1/admin/keys/{key_id}/rotate"): {AD},
    ("POST", "/v1/admin/keys/{key_id}/revoke"): {AD},
    ("GET", "/v1/admin/operators"): {AD},
    ("POST", "/v1/admin/operators"): {AD},
    ("PATCH", "/v1/admin/operators/{username}"): {AD},
    ("GET", "/v1/auth/me"): {OP, S, A, AD},
    ("POST", "/v1/auth/logout"): {OP, S, A, AD},
    ("POST", "/v1/auth/operators/{username}/unlock"): {AD},
    ("POST", "/codec/decode"): {S, A},
    ("POST", "/codec/encode"): {S, A},
    # the operators' console (HTML): anonymous callers are sent to its login form (303), not 401
    ("GET", "/console"): {OP, S, A, AD},
    ("POST", "/console/logout"): {OP, S, A, AD},
    ("GET", "/console/admin"): {AD},
    ("GET", "/console/worklist"): {OP, S, A},
    ("GET", "/console/bundles"): {OP, S, A},
    ("POST", "/console/bundles/search"): {OP, S, A},
    ("GET", "/console/bundles/{bundle_id}"): {OP, S, A},
    ("GET", "/console/bundles/{bundle_id}/live"): {OP, S, A},
    ("GET", "/console/bundles/{bundle_id}/events"): {OP, S, A},
    ("POST", "/console/bundles/{bundle_id}/reveal"): {OP, S, A},
    ("GET", "/console/dashboard"): {OP, S, A},
    ("POST", "/console/bundles/{bundle_id}/name"): {OP, S},
    ("POST", "/console/bundles/{bundle_id}/retry"): {OP, S},
    ("POST", "/console/bundles/{bundle_id}/forward"): {OP, S},
    ("POST", "/console/bundles/{bundle_id}/parents"): {OP, S},
    ("POST", "/console/bundles/{bundle_id}/death"): {OP, S},
    ("POST", "/console/bundles/{bundle_id}/correction"): {OP, S},
    ("GET", "/console/bundles/{bundle_id}/follow-ups"): {OP, S, A},
    ("POST", "/console/bundles/{bundle_id}/follow-ups/{kind}/{birth_order}/retry"): {OP, S},
    ("POST", "/console/bundles/{bundle_id}/decision"): {S},
    ("POST", "/console/bundles/{bundle_id}/sptjm"): {S},
    ("POST", "/console/bundles/{bundle_id}/duplicate"): {S},
    ("POST", "/console/bundles/{bundle_id}/close"): {S},
    ("GET", "/console/bundles/{bundle_id}/parents"): {OP, S},
    ("GET", "/console/audit"): {A},
    ("GET", "/console/audit/export.csv"): {A},
    ("POST", "/console/admin/hospitals"): {AD},
    ("POST", "/console/admin/hospitals/{hospital_id}/keys"): {AD},
    ("POST", "/console/admin/hospitals/{hospital_id}/{change}"): {AD},
    ("POST", "/console/admin/keys/{key_id}/revoke"): {AD},
    ("POST", "/console/admin/operators"): {AD},
    ("POST", "/console/admin/operators/{username}/{change}"): {AD},
}
PUBLIC = {("GET", "/health"), ("GET", "/ready"), ("POST", "/v1/auth/login"),
          ("GET", "/console/login"), ("POST", "/console/login"),
          # the family's download pages: the link's token and its one-time PIN are the credentials
          ("GET", "/unduh/{token}"), ("POST", "/unduh/{token}"), ("POST", "/unduh/{token}/pin-baru"),
          ("GET", "/unduh/{token}/dokumen"), ("GET", "/unduh/{token}/akta/{birth_order}"),
          ("GET", "/unduh/{token}/kk"), ("GET", "/unduh/{token}/kia/{birth_order}"),
          ("GET", "/unduh/{token}/kematian/{birth_order}"), ("POST", "/unduh/{token}/keluar"),
          # the API's interactive docs (api/docs_ui.py): the OpenAPI they show is public too
          ("GET", "/docs"), ("GET", "/redoc"),
          # FHIR discovery, as clients expect before authenticating: no personal data
          ("GET", "/v1/fhir/metadata"), ("GET", "/v1/fhir/StructureDefinition"),
          ("GET", "/v1/fhir/StructureDefinition/{definition_id}")}
PARAMS = {"bundle_id": str(uuid.uuid4()), "birth_order": "1", "hospital_id": "RSUD-NOBODY",
          "key_id": "0" * 16, "username": "nobody", "kind": "correction", "change": "disable"}


def _api_routes(routes) -> list[APIRoute]:
    """Every APIRoute, through included routers (FastAPI keeps those as their own route objects)."""
    out = []
    for route in routes:
        if isinstance(route, APIRoute):
            out.append(route)
        elif hasattr(route, "original_router"):
            out += _api_routes(route.original_router.routes)
    return out


def _declared() -> dict[tuple[str, str], set[str] | None]:
    app = create_app(Settings(environment="test"))
    found: dict[tuple[str, str], set[str] | None] = {}
    for route in _api_routes(app.routes):
        if route.path == "/metrics":
            continue  # Prometheus scrapes it; bind the API to a private network (docs/production.md)
        allows = [d.call for d in route.dependant.dependencies if isinstance(d.call, Allow)]
        assert len(allows) <= 1, route.path
        for method in route.methods:
            found[(method, route.path)] = {r.value for r in allows[0].roles} if allows else None
    return found


def test_every_route_declares_its_roles_as_the_policy_says():
    declared = _declared()
    assert {k for k, v in declared.items() if v is None} == PUBLIC
    assert {k: v for k, v in declared.items() if v is not None} == EXPECTED


async def test_matrix_over_http(stack):
    creds = {H: stack.hospital("RSUD-MATRIX")}
    for role in (OP, S, A, AD):
        creds[role] = await stack.staff(role, "3673" if role == OP else None)
    wrong = []
    for (method, path), allowed in EXPECTED.items():
        if path in ("/v1/auth/logout", "/console/logout"):
            continue  # below, with throwaway sessions
        url = stack.api_url + path.format(**PARAMS)
        anon = await stack.http.request(method, url, json={})
        if anon.status_code != (303 if path.startswith("/console") else 401):
            wrong.append((method, path, "anonymous", anon.status_code))
        for role in ROLES:
            r = await stack.http.request(method, url, json={}, headers=creds[role])
            ok = r.status_code not in (401, 403) if role in allowed else r.status_code == 403
            if not ok:
                wrong.append((method, path, role, r.status_code))
    assert wrong == []


async def test_logout_ends_the_session_for_each_operator_role(stack):
    from tests.support import creds

    for role in (OP, S, A, AD):
        user = creds.ensure_operator(stack.settings, role, username=f"logout-{role}")
        r = await stack.http.post(f"{stack.api_url}/v1/auth/login",
                                  json={"username": user, "password": creds.PASSWORD})
        stack.http.cookies.clear()
        token = {"Authorization": f"Bearer {r.json()['token']}"}
        assert (await stack.http.get(f"{stack.api_url}/v1/auth/me", headers=token)).json()["role"] == role
        assert (await stack.http.post(f"{stack.api_url}/v1/auth/logout", headers=token)).status_code == 204
        assert (await stack.http.get(f"{stack.api_url}/v1/auth/me", headers=token)).status_code == 401
    key = stack.hospital("RSUD-MATRIX")
    assert (await stack.http.post(f"{stack.api_url}/v1/auth/logout", headers=key)).status_code == 403
