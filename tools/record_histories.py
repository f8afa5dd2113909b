"""Record workflow histories of representative bundles into tests/workflows/histories/.

Run from the repository root: `.venv/bin/python -m tools.record_histories`. The replay test then
replays every committed history against the current workflow code, so a change that would break
bundles already running fails CI. Until the first deployment the histories are simply recorded
anew after a workflow change; from then on such a change goes behind workflow.patched and the
old histories stay beside new ones (docs/security.md, upgrading with workflows in flight).

`... -m tools.record_histories single_pbi --suffix _v2` records only the named cases, as
`<case>_v2.json`: after a patched change, keep the old histories (they guard the old path) and add
new ones beside them.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from datetime import date, timedelta
from pathlib import Path

from domain.contracts import CloseBundleInput, KadisDecisionInput
from tests.support import payloads
from tests.support.stack import Stack, svc
from tools.embedded import embedded_stack, start_temporal

OUT = Path(__file__).resolve().parent.parent / "tests" / "workflows" / "histories"
YESTERDAY = date.today() - timedelta(days=1)


async def single_pbi(s: Stack) -> str:
    fam = await s.family(kab_kota="3673", segmen="PBI", marital="KAWIN_TERCATAT")
    bid = await s.accepted(payloads.from_family(fam, birth_date=YESTERDAY))
    await s.wait(bid)
    return bid


async def twins_name_later_pbpu(s: Stack) -> str:
    fam = await s.family(kab_kota="3673", segmen="PBPU", marital="KAWIN_TERCATAT")
    kids = [payloads.child(1, name=None), payloads.child(2, sex="male", name="Rafi")]
    bid = await s.accepted(payloads.from_family(fam, birth_date=YESTERDAY, children=kids))
    b = await s.wait(bid, lambda b: all(svc(b, "bpjs", o)["status"] == "awaiting_payment" for o in (1, 2)))
    await s.http.post(f"{s.api_url}/v1/births/{bid}/children/1/name", json={"name": "Rara"},
                      headers=s.hospital())
    for o in (1, 2):
        facts = svc(b, "bpjs", o)["facts"]
        await s.pay(facts["virtual_account"], int(facts["tagihan"]))
    await s.wait(bid)
    return bid


async def stillbirth(s: Stack) -> str:
    fam = await s.family(kab_kota="3673", marital="KAWIN_TERCATAT")
    bid = await s.accepted(payloads.from_family(fam, birth_date=YESTERDAY, children=[payloads.stillborn()]))
    await s.wait(bid)
    return bid


async def outside_offices_closed(s: Stack) -> str:
    bid = await s.accepted(payloads.from_family(await s.family(kab_kota="3671"), birth_date=YESTERDAY))
    await s.wait(bid, lambda b: b["status"] == "needs_attention")
    await s.update(bid, "close_bundle", CloseBundleInput(reason="diteruskan ke Kota Tangerang"))
    await s.wait(bid)
    return bid


async def late_with_decision(s: Stack) -> str:
    fam = await s.family(kab_kota="3673", segmen="PBI", marital="KAWIN_TERCATAT")
    bid = await s.accepted(payloads.from_family(fam, birth_date=date.today() - timedelta(days=75)))
    await s.wait(bid, lambda b: svc(b, "akta")["status"] == "needs_attention")
    await s.update(bid, "record_kadis_decision", KadisDecisionInput(decision_number="470/1/KADIS/2026"))
    await s.wait(bid)
    return bid


async def bpjs_outage(s: Stack) -> str:
    fam = await s.family(kab_kota="3673", segmen="PBI", marital="KAWIN_TERCATAT")
    await s.bpjs_fault("enrol_newborn", 503, remaining=3)
    bid = await s.accepted(payloads.from_family(fam, birth_date=YESTERDAY))
    await s.wait(bid)
    return bid


CASES = [single_pbi, twins_name_later_pbpu, stillbirth, outside_offices_closed, late_with_decision,
         bpjs_outage]


async def main(names: list[str], suffix: str) -> None:
    cases = [c for c in CASES if not names or c.__name__ in names]
    if names and len(cases) != len(set(names)):
        raise SystemExit(f"unknown case among {names}; known: {[c.__name__ for c in CASES]}")
    OUT.mkdir(parents=True, exist_ok=True)
    env = await start_temporal()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            async with embedded_stack(Path(tmp), env) as es:
                s = Stack(api_url=es.api_url, dukcapil_url=es.dukcapil_url, bpjs_url=es.bpjs_url,
                          settings=es.settings, client=es.client, sms_url=es.sms_url)
                for case in cases:
                    bid = await case(s)
                    handle = es.client.get_workflow_handle(bid)
                    await handle.result()  # closed: the whole history, the family's notice included
                    history = await handle.fetch_history()
                    (OUT / f"{case.__name__}{suffix}.json").write_text(history.to_json())
                    print(f"recorded {case.__name__}")
                await s.http.aclose()
    finally:
        await env.shutdown()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", help="only these cases (default: all)")
    parser.add_argument("--suffix", default="", help="added to each file's name")
    args = parser.parse_args()
    asyncio.run(main(args.cases, args.suffix))
