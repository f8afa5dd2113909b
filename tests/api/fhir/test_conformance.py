"""GET /v1/fhir/metadata and our extensions' StructureDefinitions: served, listed, and complete."""

from __future__ import annotations

import httpx
import pytest

from api.app import create_app
from api.fhir import codes
from infra.settings import Settings
from store.migrate import upgrade_to_head
from tests.support.servers import serve_app


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('fhir')}/api.db"
    upgrade_to_head(url)
    with serve_app(create_app(Settings(environment="test", database_url=url,
                                       temporal_address="127.0.0.1:9"))) as base:
        with httpx.Client(base_url=base, timeout=30) as client:
            yield client


def test_the_capability_statement_says_r4_transaction_without_a_key(api):
    r = api.get("/v1/fhir/metadata")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/fhir+json")
    cs = r.json()
    assert (cs["resourceType"], cs["fhirVersion"], cs["kind"]) == ("CapabilityStatement", "4.0.1", "instance")
    [rest] = cs["rest"]
    assert rest["mode"] == "server" and rest["interaction"] == [{"code": "transaction"}]
    assert cs["implementation"]["url"].endswith("/v1/fhir")
    types = {r["type"] for r in rest["resource"]}
    assert {"Patient", "Encounter", "RelatedPerson", "Consent", "StructureDefinition"} <= types


def test_every_extension_the_intake_reads_is_defined_listed_and_readable(api):
    listed = api.get("/v1/fhir/StructureDefinition").json()
    assert listed["resourceType"] == "Bundle" and listed["type"] == "searchset"
    urls = {e["resource"]["url"] for e in listed["entry"]}
    assert urls == codes.KNOWN_EXTENSIONS
    for entry in listed["entry"]:
        sd = api.get(entry["fullUrl"].split("/v1/fhir", 1)[1].join(["/v1/fhir", ""])).json()
        assert sd == entry["resource"]
        assert sd["type"] == "Extension" and sd["derivation"] == "constraint"
        assert sd["context"][0]["expression"] in ("Encounter", "Consent")
        fixed = [e["fixedUri"] for e in sd["differential"]["element"] if e["id"] == "Extension.url"]
        assert fixed == [sd["url"]]
    witness = api.get("/v1/fhir/StructureDefinition/birth-witness").json()
    slices = {e["sliceName"] for e in witness["differential"]["element"] if "sliceName" in e}
    assert slices == {"nik", "name"}


def test_an_unknown_definition_is_an_operation_outcome(api):
    r = api.get("/v1/fhir/StructureDefinition/no-such-thing")
    assert r.status_code == 404 and r.json()["resourceType"] == "OperationOutcome"
