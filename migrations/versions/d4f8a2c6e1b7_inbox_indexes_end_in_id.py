"""Observations: the inbox's three indexes end in id, the last key of its order, so a deep page finds its ids
from the index alone

Revision ID: d4f8a2c6e1b7
Revises: c7e1a9f3d2b4
Create Date: 2026-12-01 21:15:00

"""
from alembic import op

revision = 'd4f8a2c6e1b7'
down_revision = 'c7e1a9f3d2b4'
branch_labels = None
depends_on = None

INDEXES = {
    'ix_observation_inbox': ['municipality_id', 'status', 'created_at'],
    'ix_observation_municipality_created': ['municipality_id', 'created_at'],
    'ix_observation_municipality_category': ['municipality_id', 'category', 'created_at'],
}


def _recreate(with_id: bool):
    with op.batch_alter_table('observation', schema=None) as batch_op:
        for name, columns in INDEXES.items():
            batch_op.drop_index(name)
            batch_op.create_index(name, columns + ['id'] if with_id else columns, unique=False)


def upgrade():
    _recreate(with_id=True)


def downgrade():
    _recreate(with_id=False)
