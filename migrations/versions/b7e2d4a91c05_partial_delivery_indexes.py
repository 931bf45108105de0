"""Partial indexes on delivery.provider_sid and (status, claimed_at): new alerts write fewer index entries

Revision ID: b7e2d4a91c05
Revises: f3c27836feec
Create Date: 2026-11-23 14:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7e2d4a91c05'
down_revision = 'f3c27836feec'
branch_labels = None
depends_on = None


def _where(column):
    condition = sa.text(f"{column} IS NOT NULL")
    return {"postgresql_where": condition, "sqlite_where": condition}


def upgrade():
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_provider_sid'))
        batch_op.drop_index('ix_delivery_status_claimed')
        batch_op.create_index(batch_op.f('ix_delivery_provider_sid'), ['provider_sid'], unique=False,
                              **_where('provider_sid'))
        batch_op.create_index('ix_delivery_status_claimed', ['status', 'claimed_at'], unique=False,
                              **_where('claimed_at'))


def downgrade():
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_status_claimed')
        batch_op.drop_index(batch_op.f('ix_delivery_provider_sid'))
        batch_op.create_index('ix_delivery_status_claimed', ['status', 'claimed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_provider_sid'), ['provider_sid'], unique=False)
