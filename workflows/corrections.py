"""A correction of the parents' data (or the KK number) before any akta is issued.

A corrected mother's NIK first moves the bundle's rows in the duplicate check (an activity,
activities/identity.py), and only then changes the workflow's copy of the notification: the update
is accepted and runs to its end in the workflow, so the check and the workflow cannot end up apart
whatever happens to the API that sent it. Deterministic, activities called by name.
"""

from __future__ import annotations

from collections.abc import Callable

from temporalio import workflow
from temporalio.exceptions import ApplicationError

# `import workflows.x as y`, not `from workflows import x`: see workflows/kelahiran.py.
with workflow.unsafe.imports_passed_through():
    import domain.contracts.names as act
    from domain.contracts import (
        CorrectParentsInput,
        MotherRekeyed,
        MotherRekeyInput,
        Note,
        Reason,
        Service,
        ServiceStatus,
        UpdateAccepted,
    )
    from workflows.bundle import Bundle

# Business rejections a correction of the parents' data (or the KK number) can cure.
PARENT_DATA_REASONS = {Reason.KK_TIDAK_DITEMUKAN, Reason.NIK_IBU_TIDAK_DITEMUKAN, Reason.IBU_TIDAK_DI_KK,
                       Reason.SPTJM_TIDAK_SAH, Reason.BUKTI_PERKAWINAN_TIDAK_SESUAI}


def collision_message(other: str) -> str:
    return (f"DUPLIKAT_DICURIGAI: with this mother's NIK a child of this bundle is one already reported in "
            f"bundle {other}; not corrected. If it is the same birth, a supervisor closes this bundle; "
            "otherwise check the NIK")


def _rekey(b: Bundle, new_nik: str, previous_nik: str) -> MotherRekeyInput:
    return MotherRekeyInput(bundle_id=b.inp.bundle_id, mother_nik=new_nik, previous_nik=previous_nik,
                            birth_date=b.n.birth_date, birth_orders=[c.birth_order for c in b.n.children],
                            tolerated=b.t.state.suspected_duplicate_of)


async def correct_parents(b: Bundle, inp: CorrectParentsInput,
                          validate: Callable[[CorrectParentsInput], None]) -> UpdateAccepted:
    """The update's handler; `validate` is its validator (raises ValueError), checked again after the
    re-key, since the bundle went on meanwhile."""
    note, details = "", {}
    was = b.n.mother.nik
    if inp.mother is not None and inp.mother.nik != was:
        moved = await b.activity(act.REKEY_MOTHER, _rekey(b, inp.mother.nik, was), MotherRekeyed)
        if moved.collision:
            raise ApplicationError(collision_message(moved.collision), type=Reason.DUPLIKAT_DICURIGAI.value,
                                   non_retryable=True)
        try:
            validate(inp)
        except ValueError as exc:  # e.g. an akta was issued while the rows moved: put them back, refuse
            await b.activity(act.REKEY_MOTHER, _rekey(b, was, inp.mother.nik), MotherRekeyed)
            raise ApplicationError(f"{exc} (while the correction was being made)",
                                   non_retryable=True) from None
        if moved.nearby:
            details["nearby_delivery"] = moved.nearby
            note = (f"; note: this mother has another delivery within {moved.window_days} days (bundle "
                    f"{moved.nearby}): check it is not the same birth")
    changes = {k: v for k, v in (("mother", inp.mother), ("father", inp.father),
                                 ("kk_number", inp.kk_number)) if v is not None}
    b.n = b.n.model_copy(update=changes)
    b.t.event("parents_corrected", message=f"by {inp.actor}: {', '.join(changes)}: {inp.reason}",
              note=Note.PARENTS_CHANGED, params={"actor": inp.actor, "fields": ",".join(changes),
                                                 "reason": inp.reason})
    b.retry_where(None, PARENT_DATA_REASONS)
    if inp.kk_number is None:
        return UpdateAccepted(message="parent data corrected; waiting services retried" + note,
                              details=details)
    b.retry_where(Service.ROUTING, {Reason.DOMISILI_LUAR})  # the new KK may live elsewhere
    if b.office is not None:  # routed by the old KK, no NIK yet: routing runs again
        b.office, b.rerouting, b.t.state.office_code = None, True, None
        b.t.set(b.t.state.routing, ServiceStatus.PENDING, None, Service.ROUTING,
                detail="KK number corrected: routing again", note=Note.REROUTING)
    return UpdateAccepted(message="KK number corrected; routing runs again (the office may change)" + note,
                          details=details)
