"""bundles written as deltas: timeline events in rows of their own, each service's whole state in its row,
the bundle row keeping only the header, writes ordered by (history_length, version)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 04:00:00

Existing bundles are split here: their stored state (encrypted) is opened with the read-model keys
of this process (KELAHIRAN_READMODEL_KEYS) and written back as header, service states and timeline
rows under the current key. Without the keys an encrypted row cannot be split: the migration stops
and says so, and nothing is changed.
"""

import json

import sqlalchemy as sa
import sqlmodel
from alembic import op

from store.models import UtcDateTime

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString
# The timeline's columns as this revision creates them: its rows are written and read here with these,
# not with store/bundles.py's, whose table has the columns later revisions added (0015: `note`).
TIMELINE = sa.table('timeline_event', sa.column('bundle_id'), sa.column('seq'), sa.column('at', UtcDateTime()),
                    sa.column('kind'), sa.column('service'), sa.column('birth_order'), sa.column('reason'),
                    sa.column('message'))


def upgrade() -> None:
    with op.batch_alter_table('bundle', schema=None) as batch_op:
        batch_op.add_column(sa.Column('history_length', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('service_status', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state_json', sa.Text(), nullable=True))
    op.create_table('timeline_event',
    sa.Column('bundle_id', S(length=36), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('at', UtcDateTime(), nullable=False),
    sa.Column('kind', S(length=40), nullable=False),
    sa.Column('service', S(length=32), nullable=True),
    sa.Column('birth_order', sa.Integer(), nullable=True),
    sa.Column('reason', S(length=64), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['bundle_id'], ['bundle.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('bundle_id', 'seq')
    )
    _split_stored_states()
    with op.batch_alter_table('service_status', schema=None) as batch_op:
        batch_op.alter_column('state_json', existing_type=sa.Text(), nullable=False)


def _split_stored_states() -> None:
    conn = op.get_bind()
    if conn.execute(sa.text("SELECT count(*) FROM bundle")).scalar_one() == 0:
        return
    from sqlmodel import Session

    from domain.contracts import BundleState
    from infra.settings import Settings
    from store import bundles
    from store.cipher import StateKeyError

    cipher = Settings().readmodel_cipher()
    rows = conn.execute(sa.text("SELECT id, state_json FROM bundle")).all()
    session = Session(bind=conn)
    for bundle_id, stored in rows:
        try:
            state = BundleState.model_validate_json(cipher.decrypt('bundle', bundle_id, stored))
        except StateKeyError as exc:
            raise RuntimeError(f"{exc}: run the migration with the read model's keys "
                               "(KELAHIRAN_READMODEL_KEYS)") from None
        sync = bundles.full_sync(state, 0)
        conn.execute(sa.text("DELETE FROM service_status WHERE bundle_id = :b"), {"b": bundle_id})
        conn.execute(sa.text("DELETE FROM timeline_event WHERE bundle_id = :b"), {"b": bundle_id})
        bundles.insert_rows(session, sync.model_copy(update={"events": []}), cipher)  # the services
        events = [{"bundle_id": bundle_id, "seq": seq, "at": e.at, "kind": e.kind,
                   "service": e.service.value if e.service else None, "birth_order": e.birth_order,
                   "reason": e.reason, "message": cipher.encrypt(
                       'timeline_event', f"{bundle_id}/{seq}", json.dumps({"m": e.message})) if e.message else ""}
                  for seq, e in enumerate(state.timeline)]
        if events:
            conn.execute(TIMELINE.insert(), events)
        conn.execute(sa.text("UPDATE bundle SET state_json = :h WHERE id = :b"),
                     {"h": cipher.encrypt('bundle', bundle_id, sync.header.model_dump_json()), "b": bundle_id})


def downgrade() -> None:
    """Each bundle's whole state back into its row (with the keys, as upgrade), then the new parts go."""
    conn = op.get_bind()
    if conn.execute(sa.text("SELECT count(*) FROM bundle")).scalar_one():
        from infra.settings import Settings

        cipher = Settings().readmodel_cipher()
        for row in conn.execute(sa.text("SELECT id, state_json FROM bundle")).all():
            whole = _whole_state(conn, cipher, row).model_dump_json()
            conn.execute(sa.text("UPDATE bundle SET state_json = :s WHERE id = :b"),
                         {"s": cipher.encrypt('bundle', row.id, whole), "b": row.id})
    op.drop_table('timeline_event')
    with op.batch_alter_table('service_status', schema=None) as batch_op:
        batch_op.drop_column('state_json')
    with op.batch_alter_table('bundle', schema=None) as batch_op:
        batch_op.drop_column('history_length')


def _whole_state(conn, cipher, row):
    """A bundle's state from its rows as this revision stores them (store/bundles.py load_state, with
    this revision's timeline columns)."""
    from domain import bundle_state as bs
    from domain.contracts import BundleHeader, Service, ServiceState, TimelineEvent

    header = BundleHeader.model_validate_json(cipher.decrypt('bundle', row.id, row.state_json))
    rank = {svc: i for i, svc in enumerate(Service)}
    stored = conn.execute(sa.text("SELECT birth_order, service, state_json FROM service_status "
                                  "WHERE bundle_id = :b"), {"b": row.id}).all()
    services = {(o, Service(svc)): ServiceState.model_validate_json(
        cipher.decrypt('service_status', f"{row.id}/{o}/{svc}", js))
        for o, svc, js in sorted(stored, key=lambda r: (r[0], rank[Service(r[1])]))}
    timeline = [TimelineEvent(
        at=r.at, kind=r.kind, service=r.service, birth_order=r.birth_order, reason=r.reason,
        message=json.loads(cipher.decrypt('timeline_event', f"{row.id}/{r.seq}", r.message))["m"] if r.message else "")
        for r in conn.execute(sa.select(TIMELINE).where(TIMELINE.c.bundle_id == row.id).order_by(TIMELINE.c.seq))]
    return bs.assemble(header, services, timeline)
