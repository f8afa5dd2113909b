"""initial read model

Revision ID: 0001
Revises: 
Create Date: 2026-11-27 22:26:51.634562
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bundle',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('hospital_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('record_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('content_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('office_code', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=True),
    sa.Column('domicile_kecamatan', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
    sa.Column('child_count', sa.Integer(), nullable=False),
    sa.Column('reasons', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('state_json', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('hospital_id', 'record_id', name='uq_bundle_hospital_record')
    )
    with op.batch_alter_table('bundle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bundle_birth_date'), ['birth_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_bundle_domicile_kecamatan'), ['domicile_kecamatan'], unique=False)
        batch_op.create_index(batch_op.f('ix_bundle_hospital_id'), ['hospital_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bundle_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_bundle_status'), ['status'], unique=False)

    op.create_table('service_status',
    sa.Column('bundle_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('birth_order', sa.Integer(), nullable=False),
    sa.Column('service', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['bundle_id'], ['bundle.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('bundle_id', 'birth_order', 'service')
    )
    with op.batch_alter_table('service_status', schema=None) as batch_op:
        batch_op.create_index('ix_service_status_service_status', ['service', 'status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('service_status', schema=None) as batch_op:
        batch_op.drop_index('ix_service_status_service_status')

    op.drop_table('service_status')
    with op.batch_alter_table('bundle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bundle_status'))
        batch_op.drop_index(batch_op.f('ix_bundle_received_at'))
        batch_op.drop_index(batch_op.f('ix_bundle_hospital_id'))
        batch_op.drop_index(batch_op.f('ix_bundle_domicile_kecamatan'))
        batch_op.drop_index(batch_op.f('ix_bundle_birth_date'))

    op.drop_table('bundle')
