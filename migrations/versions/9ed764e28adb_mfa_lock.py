"""user.mfa_locked_at: two-factor login locked after too many wrong codes

Revision ID: 9ed764e28adb
Revises: 88edc864bb9b
Create Date: 2026-12-01 16:00:00

"""
from alembic import op
import sqlalchemy as sa

import watch.models.base


revision = '9ed764e28adb'
down_revision = '88edc864bb9b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mfa_locked_at', watch.models.base.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('mfa_locked_at')
