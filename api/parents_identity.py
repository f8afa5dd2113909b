"""A corrected mother's NIK moves the bundle's rows in the duplicate check (store/identity.py).

Done here, in the API, around the workflow's `correct_parents` update, not in an activity: the
update only changes the workflow's copy of the notification, and no activity writes the mother's NIK
anywhere in the read model, so the API is the one place that has the new NIK, the read model and the
operator to answer. The rows are re-keyed and committed first, in one transaction that locks the new
mother's row like an intake (so an intake of the same child on another replica sees this bundle, or
waits for it), and put back if the workflow then refuses the correction.

A new NIK that makes one of the children one another live bundle already holds is refused with 409
(`DUPLIKAT_DICURIGAI` in the message, naming that bundle): a civil registry does not let a
correction turn a bundle into a second record of a child it already has; if it is the same birth, a
supervisor closes this bundle, else the NIK is still wrong. Another delivery of that mother within the
duplicate window is not refused (a twin reported on its own is corrected like any bundle): the
answer says so, and the audit event names it.
"""

from __future__ import annotations

import structlog
from fastapi import HTTPException
from sqlmodel import Session

from api.auth import audit
from api.auth.roles import Principal
from domain.contracts import TERMINAL_STATUSES
from store import bundles, identity, submissions
from store.cipher import StateCipher
from store.models import Bundle

log = structlog.get_logger("kelahiran.parents")
TERMINAL = {s.value for s in TERMINAL_STATUSES}


def collision_message(other: str) -> str:
    return (f"DUPLIKAT_DICURIGAI: with this mother's NIK a child of this bundle is one already reported in "
            f"bundle {other}; not corrected. If it is the same birth, a supervisor closes this bundle; "
            "otherwise check the NIK")


def rekey(session: Session, cipher: StateCipher, row: Bundle, mother_nik: str, *, window_days: int,
          who: Principal, reason: str, details: dict) -> identity.Rekeyed | None:
    """Re-key and commit, or refuse (audited) with 409. None: nothing re-keyed (the NIK did not change,
    or the bundle ended: the workflow refuses that, and a re-key meanwhile would free its child)."""
    if row.status in TERMINAL:
        return None
    state = bundles.load_state(session=session, row=row, cipher=cipher)
    sent = submissions.get(session=session, cipher=cipher, bundle_id=row.id)
    birth = identity.Birth(mother_nik=mother_nik, birth_date=state.birth_date,
                           birth_orders=tuple(c.birth_order for c in state.children))
    try:
        done = identity.rekey(session=session, cipher=cipher, bundle_id=row.id, birth=birth,
                              sent_nik=sent.mother.nik if sent else None,
                              tolerated=state.suspected_duplicate_of, window_days=window_days)
    except identity.Collision as exc:
        session.rollback()
        refusal = collision_message(exc.bundle_id)
        audit.record(session=session, who=who, action="bundle.parents", bundle_id=row.id, reason=reason,
                     outcome="refused", details={**details, "refusal": refusal})
        log.info("mother's NIK correction refused: a duplicate", bundle_id=row.id,
                 other_bundle_id=exc.bundle_id)
        raise HTTPException(409, refusal) from None
    session.commit()
    if done is not None:
        log.info("mother's NIK corrected: duplicate check re-keyed", bundle_id=row.id)
    return done


def restore(session: Session, row: Bundle, done: identity.Rekeyed) -> None:
    """The workflow refused the correction: the rows are as they were."""
    identity.restore(session=session, bundle_id=row.id, previous=done.previous)
    session.commit()


def nearby_note(done: identity.Rekeyed | None, window_days: int) -> str:
    """What the answer adds when the new NIK's mother had another delivery near this one."""
    if done is None or done.nearby is None:
        return ""
    return (f"; note: this mother has another delivery within {window_days} days (bundle "
            f"{done.nearby.bundle_id}): check it is not the same birth")
