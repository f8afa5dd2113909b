"""Hospitals and operator accounts: the admin API, the admin CLI and `kelahiran up` all use these."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, select

from api.auth import passwords
from api.auth.roles import OPERATOR_ROLES, Role
from store import auth_login
from store.auth_models import Hospital, Operator


class AccountError(ValueError):
    pass


def _now() -> datetime:
    return datetime.now(UTC)


def create_hospital(*, session: Session, hospital_id: str, name: str) -> Hospital:
    if session.get(Hospital, hospital_id) is not None:
        raise AccountError(f"hospital {hospital_id!r} already exists")
    row = Hospital(id=hospital_id, name=name, created_at=_now())
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def list_hospitals(*, session: Session) -> list[Hospital]:
    return list(session.exec(select(Hospital).order_by(Hospital.id)))


def set_hospital_disabled(*, session: Session, hospital_id: str, disabled: bool) -> Hospital:
    row = session.get(Hospital, hospital_id)
    if row is None:
        raise AccountError(f"no hospital {hospital_id!r}")
    row.disabled_at = _now() if disabled else None
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def create_operator(*, session: Session, username: str, full_name: str, role: Role, password: str,
                    office_code: str | None = None) -> Operator:
    if role not in OPERATOR_ROLES:
        raise AccountError(f"role must be one of {', '.join(OPERATOR_ROLES)}")
    if session.get(Operator, username) is not None:
        raise AccountError(f"operator {username!r} already exists")
    passwords.check_strength(password, username=username)
    now = _now()
    row = Operator(username=username, full_name=full_name, role=role.value, office_code=office_code,
                   password_hash=passwords.hash_password(password), created_at=now,
                   password_changed_at=now)
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def get_operator(*, session: Session, username: str) -> Operator:
    row = session.get(Operator, username)
    if row is None:
        raise AccountError(f"no operator {username!r}")
    return row


def list_operators(*, session: Session) -> list[Operator]:
    return list(session.exec(select(Operator).order_by(Operator.username)))


def update_operator(*, session: Session, username: str, role: Role | None = None,
                    office_code: str | None = None, clear_office: bool = False,
                    disabled: bool | None = None, unlock: bool = False) -> Operator:
    row = get_operator(session=session, username=username)
    if role is not None:
        if role not in OPERATOR_ROLES:
            raise AccountError(f"role must be one of {', '.join(OPERATOR_ROLES)}")
        row.role = role.value
    if office_code is not None or clear_office:
        row.office_code = None if clear_office else office_code
    if disabled is not None:
        row.disabled_at = _now() if disabled else None
    session.add(row)
    session.commit()
    if unlock:
        unlock_operator(session=session, username=username)
    session.refresh(row)
    return row


def unlock_operator(*, session: Session, username: str) -> Operator:
    """Lift a lockout and forget the account's recent failures (audited by the caller)."""
    if not auth_login.unlock(session, username):
        raise AccountError(f"no operator {username!r}")
    return get_operator(session=session, username=username)


def set_password(*, session: Session, username: str, password: str) -> Operator:
    """Changing a password ends every session of that operator."""
    row = get_operator(session=session, username=username)
    passwords.check_strength(password, username=username)
    row.password_hash = passwords.hash_password(password)
    row.password_changed_at = _now()
    session.add(row)
    session.commit()
    auth_login.unlock(session, username)  # a new password: the old one's guesses no longer matter
    session.refresh(row)
    return row
