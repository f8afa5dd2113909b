"""one child, one bundle: keyed digests of the children reported (mother's NIK, birth date, birth
order) and one row per mother that the intake's duplicate check locks first

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 09:00:00

Bundles received before this revision have no rows here (their mothers' NIKs are not kept in the
read model in a form this could read back): the check matches births received from now on.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from store.models import UtcDateTime

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table('mother_identity',
    sa.Column('mother_key', S(length=64), nullable=False),
    sa.Column('last_seen_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('mother_key'),
    )
    op.create_table('birth_identity',
    sa.Column('key', S(length=64), nullable=False),
    sa.Column('key_id', S(length=64), nullable=False),
    sa.Column('mother_key', S(length=64), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('birth_order', sa.Integer(), nullable=False),
    sa.Column('bundle_id', S(length=36), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key'),
    )
    with op.batch_alter_table('birth_identity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_birth_identity_mother_key'), ['mother_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_birth_identity_bundle_id'), ['bundle_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('birth_identity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_birth_identity_bundle_id'))
        batch_op.drop_index(batch_op.f('ix_birth_identity_mother_key'))
    op.drop_table('birth_identity')
    op.drop_table('mother_identity')
