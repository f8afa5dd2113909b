"""documents as rows (an akta kelahiran reissued by a correction supersedes the one before), and the
open reason of each follow-up in a plain column for the lists

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 07:00:00

Bundles issued before this revision have no document rows: readers fall back to the akta in the
bundle's own state and the corrections' own records (store/documents.py), so nothing is backfilled.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from store.models import UtcDateTime

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table('document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bundle_id', S(length=36), nullable=False),
    sa.Column('birth_order', sa.Integer(), nullable=False),
    sa.Column('kind', S(length=20), nullable=False),
    sa.Column('source', S(length=120), nullable=False),
    sa.Column('issued_at', UtcDateTime(), nullable=False),
    sa.Column('superseded_by', sa.Integer(), nullable=True),
    sa.Column('content_json', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['bundle_id'], ['bundle.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['superseded_by'], ['document.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('bundle_id', 'birth_order', 'kind', 'source', name='uq_document_issue')
    )
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_bundle_id'), ['bundle_id'], unique=False)
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', S(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.drop_column('reason')
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_bundle_id'))
    op.drop_table('document')
