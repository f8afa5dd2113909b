"""pending starts: the intake's outbox of accepted births whose workflow is not started yet

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 05:10:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from store.models import UtcDateTime

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table('pending_start',
    sa.Column('bundle_id', S(length=36), nullable=False),
    sa.Column('input_json', sa.Text(), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_try_at', UtcDateTime(), nullable=False),
    sa.Column('last_error', S(length=80), nullable=True),
    sa.ForeignKeyConstraint(['bundle_id'], ['bundle.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('bundle_id')
    )
    op.create_index(op.f('ix_pending_start_created_at'), 'pending_start', ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_pending_start_created_at'), table_name='pending_start')
    op.drop_table('pending_start')
