"""the family's personal fields as the hospital sent them (parents' names and NIKs, the KK number,
the children's names, the reporter's phone), encrypted, one row per bundle

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-09 09:00:00

Bundles received before this revision have no row (their fields left the read model with their
pending start): their pages say the fields were not kept, nothing is backfilled.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from store.models import UtcDateTime

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table('submission',
    sa.Column('bundle_id', S(length=36), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('content_json', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('bundle_id'),
    )


def downgrade() -> None:
    op.drop_table('submission')
