"""The audit log: operators' views and every action recorded; append-only in the database itself."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from store.db import make_engine
from store.migrate import upgrade_to_head
from tests.support import payloads
from tests.support.postgres import throwaway_schema


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/audit.db"
    else:
        with throwaway_schema() as pg:
            yield pg


def test_events_cannot_be_changed_or_deleted_only_their_details_cleared(url):
    upgrade_to_head(url)
    engine = make_engine(url)
    with engine.begin() as c:
        c.execute(sa.text("INSERT INTO audit_event (at, actor, actor_role, action, outcome, details_json) "
                          "VALUES (:at, 'siti', 'operator', 'bundle.view', 'ok', '{\"x\": 1}')"),
                  {"at": datetime.now(UTC)})
    for stmt in ("UPDATE audit_event SET actor = 'someone-else'",
                 "UPDATE audit_event SET details_json = '{\"x\": 2}'",
                 "UPDATE audit_event SET reason = 'rewritten'",
                 "DELETE FROM audit_event"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as c:
            c.execute(sa.text(stmt))
    with engine.begin() as c:  # what retention does: clear the details, keep the event
        c.execute(sa.text("UPDATE audit_event SET details_json = NULL, reason = NULL"))
        row = c.execute(sa.text("SELECT actor, details_json FROM audit_event")).one()
    assert tuple(row) == ("siti", None)
    engine.dispose()


@pytest.mark.integration
async def test_operator_views_and_actions_are_audited_and_auditors_can_export(stack):
    fam = await stack.family(kab_kota="3671")  # no connected office: needs a person
    bid = await stack.accepted(payloads.from_family(fam), hospital="RSUD-AUDIT")
    await stack.wait(bid, lambda b: b["status"] == "needs_attention")
    sup = await stack.staff("supervisor")
    api = stack.api_url
    assert (await stack.http.get(f"{api}/v1/births/{bid}", headers=sup)).status_code == 200
    r = await stack.http.post(f"{api}/v1/births/{bid}/close", headers=sup,
                              json={"reason": "keluarga pindah ke Kota Tangerang"})
    assert r.status_code == 200, r.text
    auditor = await stack.staff("auditor")
    events = (await stack.http.get(f"{api}/v1/audit", params={"bundle_id": bid}, headers=auditor)).json()
    seen = [(e["actor"], e["action"], e["reason"], e["outcome"]) for e in events["items"]]
    assert ("supervisor-all", "bundle.view", None, "ok") in seen
    assert ("supervisor-all", "bundle.close", "keluarga pindah ke Kota Tangerang", "ok") in seen
    # A hospital reading its own bundle is not an operator view.
    await stack.get(bid)
    again = (await stack.http.get(f"{api}/v1/audit", params={"bundle_id": bid}, headers=auditor)).json()
    assert len(again["items"]) == len(events["items"])
    export = await stack.http.get(f"{api}/v1/audit/export", headers=auditor)
    assert export.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in export.text.splitlines()]
    assert {"bundle.close", "audit.search"} <= {e["action"] for e in lines}
    assert [e["id"] for e in lines] == sorted(e["id"] for e in lines)
    # Refusals are recorded too, with the workflow's reason.
    r = await stack.http.post(f"{api}/v1/births/{bid}/close", headers=sup, json={"reason": "lagi"})
    assert r.status_code == 409
    last = (await stack.http.get(f"{api}/v1/audit", params={"bundle_id": bid, "action": "bundle.close"},
                                 headers=auditor)).json()["items"][-1]
    assert last["outcome"] == "refused" and last["details"]["refusal"]
