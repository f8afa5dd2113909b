"""hospital callbacks: webhooks and the event outbox

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 03:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from store.models import UtcDateTime

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table('hospital_webhook',
    sa.Column('hospital_id', S(length=64), nullable=False),
    sa.Column('url', S(length=2000), nullable=False),
    sa.Column('secret', sa.Text(), nullable=False),
    sa.Column('previous_secret', sa.Text(), nullable=True),
    sa.Column('previous_secret_expires_at', UtcDateTime(), nullable=True),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.Column('secret_rotated_at', UtcDateTime(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('blocked_until', UtcDateTime(), nullable=True),
    sa.Column('last_delivered_at', UtcDateTime(), nullable=True),
    sa.Column('last_error', S(length=200), nullable=True),
    sa.ForeignKeyConstraint(['hospital_id'], ['hospital.id']),
    sa.PrimaryKeyConstraint('hospital_id'))
    op.create_table('hospital_event',
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('id', S(length=36), nullable=False),
    sa.Column('hospital_id', S(length=64), nullable=False),
    sa.Column('bundle_id', S(length=36), nullable=False),
    sa.Column('type', S(length=32), nullable=False),
    sa.Column('occurred_at', UtcDateTime(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('txid', sa.BigInteger(), nullable=False),
    sa.Column('delivery', S(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', UtcDateTime(), nullable=True),
    sa.Column('lease_until', UtcDateTime(), nullable=True),
    sa.Column('lease_owner', S(length=36), nullable=True),
    sa.Column('delivered_at', UtcDateTime(), nullable=True),
    sa.Column('last_error', S(length=200), nullable=True),
    sa.ForeignKeyConstraint(['bundle_id'], ['bundle.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('id'))
    op.create_index('ix_hospital_event_poll', 'hospital_event', ['hospital_id', 'txid', 'seq'])
    op.create_index('ix_hospital_event_bundle', 'hospital_event', ['bundle_id', 'seq'])
    op.create_index('ix_hospital_event_due', 'hospital_event', ['delivery', 'next_attempt_at'])


def downgrade() -> None:
    op.drop_index('ix_hospital_event_due', table_name='hospital_event')
    op.drop_index('ix_hospital_event_bundle', table_name='hospital_event')
    op.drop_index('ix_hospital_event_poll', table_name='hospital_event')
    op.drop_table('hospital_event')
    op.drop_table('hospital_webhook')
