"""follow-ups after issue

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 23:04:27.489861
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('follow_up',
    sa.Column('workflow_id', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('bundle_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('birth_order', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state_json', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['bundle_id'], ['bundle.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('workflow_id')
    )
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_bundle_id'), ['bundle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_status'), ['status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_status'))
        batch_op.drop_index(batch_op.f('ix_follow_up_bundle_id'))

    op.drop_table('follow_up')
