"""access control (hospitals, keys, operators, sessions) and the append-only audit log

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 01:10:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from store.models import UtcDateTime

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString
# Retention may clear an event's free text (reason, details); nothing else may ever change.
_LOCKED = ("id", "at", "actor", "actor_role", "action", "bundle_id", "outcome")
_CLEARABLE = ("reason", "details_json")


def upgrade() -> None:
    op.create_table('hospital',
    sa.Column('id', S(length=64), nullable=False),
    sa.Column('name', S(length=200), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('disabled_at', UtcDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'))
    op.create_table('api_key',
    sa.Column('id', S(length=32), nullable=False),
    sa.Column('hospital_id', S(length=64), nullable=False),
    sa.Column('secret_hash', S(length=64), nullable=False),
    sa.Column('label', S(length=100), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('expires_at', UtcDateTime(), nullable=True),
    sa.Column('revoked_at', UtcDateTime(), nullable=True),
    sa.Column('last_used_at', UtcDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['hospital_id'], ['hospital.id']),
    sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_api_key_hospital_id', 'api_key', ['hospital_id'])
    op.create_table('operator',
    sa.Column('username', S(length=64), nullable=False),
    sa.Column('full_name', S(length=200), nullable=False),
    sa.Column('role', S(length=16), nullable=False),
    sa.Column('office_code', S(length=4), nullable=True),
    sa.Column('password_hash', S(length=200), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', UtcDateTime(), nullable=True),
    sa.Column('disabled_at', UtcDateTime(), nullable=True),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('password_changed_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('username'))
    op.create_table('operator_session',
    sa.Column('id', S(length=64), nullable=False),
    sa.Column('username', S(length=64), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('last_seen_at', UtcDateTime(), nullable=False),
    sa.Column('expires_at', UtcDateTime(), nullable=False),
    sa.Column('ended_at', UtcDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['username'], ['operator.username']),
    sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_operator_session_username', 'operator_session', ['username'])
    op.create_index('ix_operator_session_expires_at', 'operator_session', ['expires_at'])
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', UtcDateTime(), nullable=False),
    sa.Column('actor', S(length=64), nullable=False),
    sa.Column('actor_role', S(length=16), nullable=False),
    sa.Column('action', S(length=48), nullable=False),
    sa.Column('bundle_id', S(length=36), nullable=True),
    sa.Column('reason', S(length=500), nullable=True),
    sa.Column('outcome', S(length=16), nullable=False),
    sa.Column('details_json', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id'))
    for col in ('at', 'actor', 'action', 'bundle_id'):
        op.create_index(f'ix_audit_event_{col}', 'audit_event', [col])
    _append_only_triggers()


def _append_only_triggers() -> None:
    changed = " OR ".join([f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in _LOCKED] + [
        f"(NEW.{c} IS NOT NULL AND NEW.{c} IS DISTINCT FROM OLD.{c})" for c in _CLEARABLE])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
        CREATE FUNCTION audit_event_append_only() RETURNS trigger AS $$
        BEGIN
          IF TG_OP = 'DELETE' OR {changed} THEN
            RAISE EXCEPTION 'audit_event is append-only';
          END IF;
          RETURN NEW;
        END $$ LANGUAGE plpgsql""")
        op.execute("""CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
                      FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""")
    else:
        changed = changed.replace("IS DISTINCT FROM", "IS NOT")  # SQLite's spelling
        op.execute(f"""CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
                       WHEN {changed}
                       BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""")
        op.execute("""CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
                      BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
    for table in ('audit_event', 'operator_session', 'operator', 'api_key', 'hospital'):
        op.drop_table(table)
