"""login failures per account (a sliding window for the lockout) and login attempts per client address

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 09:00:00

The lockout used to be an ORM read-modify-write of operator.failed_logins, which parallel guesses
raised by one; failures are now rows counted while the operator row is locked (store/auth_login.py).
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from store.models import UtcDateTime

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table('login_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', S(length=64), nullable=False),
    sa.Column('at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['username'], ['operator.username'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.create_index('ix_login_failure_username_at', ['username', 'at'], unique=False)
    op.create_table('login_address',
    sa.Column('address', S(length=64), nullable=False),
    sa.Column('window_start', UtcDateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('address')
    )
    with op.batch_alter_table('login_address', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_address_window_start'), ['window_start'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('login_address', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_address_window_start'))
    op.drop_table('login_address')
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.drop_index('ix_login_failure_username_at')
    op.drop_table('login_failure')
