"""deadlines and reminders

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 22:59:16.223321
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bundle_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('service', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('birth_order', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['bundle_id'], ['bundle.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('bundle_id', 'service', 'birth_order', 'kind', name='uq_reminder_once')
    )
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_bundle_id'), ['bundle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_delivered_at'), ['delivered_at'], unique=False)

    with op.batch_alter_table('bundle', schema=None) as batch_op:
        # Existing bundles start without risk; the next snapshot sets the real value.
        batch_op.add_column(sa.Column('deadline_risk', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index(batch_op.f('ix_bundle_deadline_risk'), ['deadline_risk'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('bundle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bundle_deadline_risk'))
        batch_op.drop_column('deadline_risk')

    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_delivered_at'))
        batch_op.drop_index(batch_op.f('ix_reminder_bundle_id'))

    op.drop_table('reminder')
