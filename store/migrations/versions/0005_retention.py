"""retention: bundles whose personal data was removed

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 02:00:00
"""

import sqlalchemy as sa
from alembic import op

from store.models import UtcDateTime

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('bundle', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('bundle', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
