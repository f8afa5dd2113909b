"""family access: the download link and one-time PIN sent to the family

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 04:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from store.models import UtcDateTime

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table('family_access',
    sa.Column('bundle_id', S(length=36), nullable=False),
    sa.Column('token_hash', S(length=64), nullable=False),
    sa.Column('pin_hash', S(length=200), nullable=True),
    sa.Column('phone', sa.Text(), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('expires_at', UtcDateTime(), nullable=False),
    sa.Column('failed_attempts', sa.Integer(), nullable=False),
    sa.Column('locked_at', UtcDateTime(), nullable=True),
    sa.Column('pins_sent', sa.Integer(), nullable=False),
    sa.Column('pin_sent_at', UtcDateTime(), nullable=True),
    sa.Column('session_hash', S(length=64), nullable=True),
    sa.Column('session_expires_at', UtcDateTime(), nullable=True),
    sa.Column('notices', sa.Integer(), nullable=False),
    sa.Column('sent_at', UtcDateTime(), nullable=True),
    sa.Column('message_id', S(length=40), nullable=True),
    sa.ForeignKeyConstraint(['bundle_id'], ['bundle.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('bundle_id'),
    sa.UniqueConstraint('token_hash'),
    )
    with op.batch_alter_table('family_access', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_family_access_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('family_access', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_family_access_expires_at'))
    op.drop_table('family_access')
