"""`kelahiran admin hospital|key|operator ...`: accounts and keys, straight on the database.

For the first admin and for automation; day to day, admins use /v1/admin. Every change is written to
the audit log as done by `cli:<os user>`.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from cli import admin_app, app

hospital_app = typer.Typer(no_args_is_help=True, help="Hospitals allowed to post births.")
key_app = typer.Typer(no_args_is_help=True, help="Hospital API keys: issue, rotate, revoke, list.")
operator_app = typer.Typer(no_args_is_help=True, help="Operator accounts and roles.")
admin_app.add_typer(hospital_app, name="hospital")
admin_app.add_typer(key_app, name="key")
admin_app.add_typer(operator_app, name="operator")
accounts_app = typer.Typer(no_args_is_help=True, help="Operator accounts: lift a login lockout.")
app.add_typer(accounts_app, name="accounts")
ROLES = "operator | supervisor | auditor | admin"


@contextmanager
def _db() -> Iterator:
    from sqlmodel import Session

    from cli.local import client_settings
    from store.db import make_engine

    engine = make_engine(client_settings().database_url)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


def _audit(session, action: str, **details) -> None:
    from api.auth import audit
    from api.auth.roles import Principal, Role

    who = Principal(kind="operator", subject=f"cli:{getpass.getuser()}"[:64], role=Role.admin)
    audit.record(session=session, who=who, action=action, details=details)


def _fail(message: str) -> None:
    typer.secho(message, err=True, fg=typer.colors.RED)
    raise typer.Exit(1)


def _password(given: str | None) -> str:
    if given:
        return given
    env = os.environ.get("KELAHIRAN_NEW_PASSWORD")
    return env or typer.prompt("password (12+ characters)", hide_input=True, confirmation_prompt=True)


@hospital_app.command("add")
def hospital_add(hospital_id: str, name: Annotated[str, typer.Option(help="the hospital's name")],
                 key: Annotated[bool, typer.Option(help="also issue its first API key")] = True) -> None:
    """Register a hospital (and print its first key, shown only now)."""
    from api.auth import accounts, keys

    with _db() as s:
        try:
            accounts.create_hospital(session=s, hospital_id=hospital_id, name=name)
        except accounts.AccountError as exc:
            _fail(str(exc))
        _audit(s, "admin.hospital.create", hospital_id=hospital_id)
        typer.echo(f"hospital {hospital_id} registered")
        if key:
            issued = keys.issue_key(session=s, hospital_id=hospital_id, label="first")
            _audit(s, "admin.key.issue", hospital_id=hospital_id, key_id=issued.key_id)
            typer.echo(f"API key (shown once; send as X-API-Key): {issued.key}")


@hospital_app.command("list")
def hospital_list() -> None:
    """Registered hospitals."""
    from api.auth import accounts

    with _db() as s:
        for h in accounts.list_hospitals(session=s):
            typer.echo(f"{h.id:<24} {'disabled' if h.disabled_at else 'active':<9} {h.name}")


@hospital_app.command("disable")
def hospital_disable(hospital_id: str) -> None:
    """Stop every key of a hospital at once."""
    from api.auth import accounts

    with _db() as s:
        try:
            accounts.set_hospital_disabled(session=s, hospital_id=hospital_id, disabled=True)
        except accounts.AccountError as exc:
            _fail(str(exc))
        _audit(s, "admin.hospital.disable", hospital_id=hospital_id)
    typer.echo(f"hospital {hospital_id} disabled")


@key_app.command("issue")
def key_issue(hospital_id: str, label: Annotated[str, typer.Option()] = "") -> None:
    """A new key for a hospital (shown once)."""
    from api.auth import keys

    with _db() as s:
        try:
            issued = keys.issue_key(session=s, hospital_id=hospital_id, label=label)
        except keys.UnknownKey as exc:
            _fail(str(exc))
        _audit(s, "admin.key.issue", hospital_id=hospital_id, key_id=issued.key_id)
    typer.echo(issued.key)


@key_app.command("rotate")
def key_rotate(key_id: str, grace_hours: Annotated[int, typer.Option(min=0, max=720)] = 24) -> None:
    """Replace a key: prints the new one; the old one stops after the grace period."""
    from datetime import timedelta

    from api.auth import keys

    with _db() as s:
        try:
            issued = keys.rotate_key(session=s, key_id=key_id, grace=timedelta(hours=grace_hours))
        except keys.UnknownKey as exc:
            _fail(str(exc))
        _audit(s, "admin.key.rotate", old_key_id=key_id, key_id=issued.key_id)
    typer.echo(issued.key)
    typer.echo(f"old key {key_id} stops at {issued.expires_old_at:%Y-%m-%d %H:%M} UTC", err=True)


@key_app.command("revoke")
def key_revoke(key_id: str) -> None:
    """Stop a key now."""
    from api.auth import keys

    with _db() as s:
        try:
            keys.revoke_key(session=s, key_id=key_id)
        except keys.UnknownKey as exc:
            _fail(str(exc))
        _audit(s, "admin.key.revoke", key_id=key_id)
    typer.echo(f"key {key_id} revoked")


@key_app.command("list")
def key_list(hospital_id: Annotated[str | None, typer.Argument()] = None) -> None:
    """Keys (ids and states, never secrets)."""
    from datetime import UTC, datetime

    from api.auth import keys

    now = datetime.now(UTC)
    with _db() as s:
        for k in keys.list_keys(session=s, hospital_id=hospital_id):
            state = ("revoked" if k.revoked_at else "expired" if k.expires_at and k.expires_at <= now
                     else f"until {k.expires_at:%Y-%m-%d %H:%M}" if k.expires_at else "active")
            used = f"{k.last_used_at:%Y-%m-%d %H:%M}" if k.last_used_at else "never"
            typer.echo(f"{k.id}  {k.hospital_id:<20} {state:<22} last used {used}  {k.label}")


@operator_app.command("add")
def operator_add(username: str, role: Annotated[str, typer.Option(help=ROLES)],
                 name: Annotated[str, typer.Option(help="full name")],
                 office: Annotated[str | None, typer.Option(help="kab/kota code; omit for all")] = None,
                 password: Annotated[str | None, typer.Option(
                     help="default: KELAHIRAN_NEW_PASSWORD or a prompt")] = None) -> None:
    """Create an account (the first admin too)."""
    from api.auth import accounts
    from api.auth.passwords import WeakPassword
    from api.auth.roles import Role

    try:
        role_ = Role(role)
    except ValueError:
        _fail(f"role must be one of {ROLES}")
    with _db() as s:
        try:
            accounts.create_operator(session=s, username=username, full_name=name, role=role_,
                                     password=_password(password), office_code=office)
        except (accounts.AccountError, WeakPassword) as exc:
            _fail(str(exc))
        _audit(s, "admin.operator.create", username=username, role=role, office_code=office)
    typer.echo(f"{role} {username} created")


@operator_app.command("list")
def operator_list() -> None:
    """Accounts with role, office and state."""
    from api.auth import accounts

    with _db() as s:
        for o in accounts.list_operators(session=s):
            state = "disabled" if o.disabled_at else "locked" if o.locked_until else "active"
            typer.echo(f"{o.username:<20} {o.role:<11} office={o.office_code or 'all':<5} {state:<9} "
                       f"{o.full_name}")


@operator_app.command("set")
def operator_set(username: str,
                 role: Annotated[str | None, typer.Option(help=ROLES)] = None,
                 office: Annotated[str | None, typer.Option(help="kab/kota code")] = None,
                 disable: Annotated[bool | None, typer.Option("--disable/--enable")] = None,
                 unlock: Annotated[bool, typer.Option(help="lift a lockout")] = False,
                 new_password: Annotated[bool, typer.Option(help="set a new password (prompt)")] = False,
                 ) -> None:
    """Change an account: role, office, enabled, lockout, password (which ends its sessions)."""
    from api.auth import accounts
    from api.auth.passwords import WeakPassword
    from api.auth.roles import Role

    with _db() as s:
        try:
            if new_password:
                accounts.set_password(session=s, username=username, password=_password(None))
            accounts.update_operator(session=s, username=username, role=Role(role) if role else None,
                                     office_code=office, disabled=disable, unlock=unlock)
        except (accounts.AccountError, WeakPassword, ValueError) as exc:
            _fail(str(exc))
        _audit(s, "admin.operator.update", username=username, role=role, office_code=office,
               disabled=disable, unlock=unlock, password_changed=new_password)
    typer.echo(f"{username} updated")


@accounts_app.command("unlock")
def accounts_unlock(username: str) -> None:
    """Lift an operator's login lockout and forget its recent failures (the API: POST
    /v1/auth/operators/{username}/unlock)."""
    from api.auth import accounts

    with _db() as s:
        try:
            accounts.unlock_operator(session=s, username=username)
        except accounts.AccountError as exc:
            _fail(str(exc))
        _audit(s, "admin.operator.unlock", username=username)
    typer.echo(f"{username} unlocked")
