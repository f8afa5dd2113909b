"""The bundle's Dukcapil services in their order: routing, NIK (or stillbirth), akta then KIA, KK.

Each step runs through Bundle.perform: a business rejection waits for a person while the other
services continue as far as their dependencies allow. Deterministic, activities called by name.
"""

from __future__ import annotations

from collections.abc import Awaitable

from temporalio import workflow

# `import workflows.x as y`, not `from workflows import x`: see workflows/kelahiran.py.
with workflow.unsafe.imports_passed_through():
    import domain.contracts.names as act
    import workflows.requests as rq
    from domain.contracts import (
        AktaIssued,
        FamilyInfo,
        FamilyLookupInput,
        KiaIssued,
        KkReissued,
        NikIssued,
        Note,
        Reason,
        Service,
        ServiceStatus,
        StillbirthRecorded,
    )
    from domain.contracts.notification import ChildData, Outcome
    from workflows.bundle import Bundle


async def route(b: Bundle) -> bool:
    """Find the office serving the family's KK domicile; False if the bundle cannot go on."""
    st = b.t.state.routing
    while True:
        info = await b.perform(
            None, Service.ROUTING,
            lambda: b.activity(act.LOOKUP_FAMILY, FamilyLookupInput(kk_number=b.n.kk_number), FamilyInfo),
        )
        if info is None:
            return False
        b.t.state.domicile_kecamatan = info.kecamatan
        if info.office_connected:
            b.office = info.kab_kota
            b.t.state.office_code = info.kab_kota
            b.t.set(st, ServiceStatus.COMPLETED, None, Service.ROUTING, document=info.kab_kota)
            return True
        b.t.set(st, ServiceStatus.NEEDS_ATTENTION, None, Service.ROUTING,
                reason=Reason.DOMISILI_LUAR.value,
                detail=f"no connected Dukcapil office for kab/kota {info.kab_kota}",
                note=Note.NO_OFFICE, params={"kab_kota": info.kab_kota})
        if not await b.wait_for_retry(Service.ROUTING, 0):
            return False


async def register_children(b: Bundle) -> None:
    # Sequential, in birth order: twins' NIK serials must follow their birth order.
    for c in b.n.ordered_children():
        if c.outcome is Outcome.LIVE:
            res = await b.perform(c.birth_order, Service.NIK, lambda c=c: _register_birth(b, c))
            if res is not None:
                b.niks[c.birth_order] = res.nik
                b.t.child(c.birth_order).services[Service.NIK].document_number = res.nik
        else:
            res = await b.perform(c.birth_order, Service.STILLBIRTH, lambda c=c: _record_stillbirth(b, c))
            if res is not None:
                b.t.svc(c.birth_order, Service.STILLBIRTH).document_number = res.certificate_number


async def akta_then_kia(b: Bundle, c: ChildData) -> None:
    order = c.birth_order
    if order not in b.names:
        st = b.t.svc(order, Service.AKTA)
        b.t.set(st, ServiceStatus.WAITING_INPUT, order, Service.AKTA,
                reason=Reason.NAMA_BELUM_ADA.value, detail="waiting for the baby's name",
                note=Note.WAITING_NAME)
        for s in (Service.KIA,):
            b.t.set(b.t.svc(order, s), ServiceStatus.WAITING_INPUT, order, s,
                    reason=Reason.NAMA_BELUM_ADA.value, quiet=True)
        if b.t.state.kk.status is ServiceStatus.PENDING:
            b.t.set(b.t.state.kk, ServiceStatus.WAITING_INPUT, None, Service.KK,
                    reason=Reason.NAMA_BELUM_ADA.value, quiet=True)
        await workflow.wait_condition(lambda: order in b.names or b.t.closed)
        if b.t.closed:
            return
    akta = await b.perform(order, Service.AKTA, lambda: _issue_akta(b, c))
    if akta is None:
        return
    b.akta[order] = akta.register_number
    st = b.t.svc(order, Service.AKTA)
    st.document_number = akta.register_number
    # The name as printed: a correction to the same name is refused against it (store/documents.py).
    st.facts = {"jenis": "LT" if akta.late else "LU", "orang_tua": akta.parents_wording,
                "nama": b.names[order]}
    kia = await b.perform(order, Service.KIA, lambda: _issue_kia(b, c))
    if kia is not None:
        kst = b.t.svc(order, Service.KIA)
        kst.document_number = kia.nik
        kst.facts = {"jenis": kia.card_type, "berlaku_sampai": kia.valid_until.isoformat()}


async def kk_reissue(b: Bundle) -> None:
    """One KK reissue adding every live-born child, once all their akta are issued."""
    live = [c.birth_order for c in b.live_children()]
    if not live:
        return
    await workflow.wait_condition(lambda: all(o in b.akta for o in live) or b.t.closed)
    if b.t.closed:
        return
    res = await b.perform(None, Service.KK, lambda: _reissue_kk(b))
    if res is not None:
        b.t.state.kk.document_number = res.kk_number
        b.t.state.kk.facts = {"tanggal_terbit": res.issued_on.isoformat(), "tanda_tangan": res.signature_id}


# --- the calls -------------------------------------------------------------------------------


def _register_birth(b: Bundle, c: ChildData) -> Awaitable[NikIssued]:
    return b.activity(act.REGISTER_BIRTH, rq.register_birth(
        b.n, c, office=b.office or "", key=b.key(Service.NIK, c.birth_order),
        name=b.name(c.birth_order)), NikIssued)


def _record_stillbirth(b: Bundle, c: ChildData) -> Awaitable[StillbirthRecorded]:
    return b.activity(act.RECORD_STILLBIRTH, rq.stillbirth(
        b.n, c, office=b.office or "", key=b.key(Service.STILLBIRTH, c.birth_order)),
        StillbirthRecorded)


def _issue_akta(b: Bundle, c: ChildData) -> Awaitable[AktaIssued]:
    o = c.birth_order
    return b.activity(act.ISSUE_AKTA, rq.akta(
        b.n, office=b.office or "", key=b.key(Service.AKTA, o), nik=b.niks[o], name=b.names[o],
        kadis_decision=b.kadis_decision, mother_only=b.mother_only), AktaIssued)


def _issue_kia(b: Bundle, c: ChildData) -> Awaitable[KiaIssued]:
    o = c.birth_order
    return b.activity(act.ISSUE_KIA, rq.kia(
        office=b.office or "", key=b.key(Service.KIA, o), nik=b.niks[o], name=b.names[o],
        akta_number=b.akta[o]), KiaIssued)


def _reissue_kk(b: Bundle) -> Awaitable[KkReissued]:
    return b.activity(act.REISSUE_KK, rq.kk_reissue(
        b.n, office=b.office or "", key=b.key(Service.KK, 0), niks=b.niks, names=b.names,
        aktas=b.akta), KkReissued)
