"""Read-only questions to the population register that documents print."""

from __future__ import annotations

from sqlmodel import Session, select

from simulators.dukcapil.models import Kelahiran, Penduduk


def anak_ke(session: Session, child: Penduduk, birth: Kelahiran) -> int:
    """The child's order among its mother's live-born children (the akta's "Anak ke").

    Counts every person the register knows as this mother's child born earlier, deceased ones
    included (their row stays); stillbirths are not persons and are never counted. Children born
    the same day count before this one only when their birth order in the delivery is lower (twins).
    """
    mother = birth.mother_nik
    siblings = session.exec(select(Penduduk).where(
        Penduduk.mother_nik == mother, Penduduk.nik != child.nik,
        Penduduk.birth_date <= birth.birth_date)).all()
    same_day = {b.child_nik: b.birth_order for b in session.exec(select(Kelahiran).where(
        Kelahiran.mother_nik == mother, Kelahiran.birth_date == birth.birth_date)).all()}
    earlier = sum(1 for s in siblings if s.birth_date < birth.birth_date
                  or same_day.get(s.nik, birth.birth_order) < birth.birth_order)
    return 1 + earlier
