"""pending starts: a lease per claimed row, so several API processes never start a row at once

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 09:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from store.models import UtcDateTime

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    # Nullable columns without a default: a plain ALTER TABLE ... ADD COLUMN on both dialects.
    with op.batch_alter_table('pending_start', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_owner', S(length=64), nullable=True))
        batch_op.add_column(sa.Column('lease_until', UtcDateTime(), nullable=True))


def downgrade() -> None:
    # SQLite drops columns by copying the table (batch mode); PostgreSQL alters it in place.
    with op.batch_alter_table('pending_start', schema=None) as batch_op:
        batch_op.drop_column('lease_until')
        batch_op.drop_column('lease_owner')
