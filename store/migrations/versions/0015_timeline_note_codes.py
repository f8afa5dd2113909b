"""timeline events carry their note as a code (`note`, plain) beside the English message

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 15:00:00

The note's parameters (actors' names, typed reasons) are personal data: they are kept inside the
encrypted `message` column's JSON ({"m": message, "p": params}), so a write still encrypts one value
per event and rows written before carry none. Existing events keep `note` NULL: the console derives
their words as before (api/console/describe.py).
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table('timeline_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', S(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('timeline_event', schema=None) as batch_op:
        batch_op.drop_column('note')
