"""Partner API keys for the Open311 GeoReport v2 API (stored as SHA-256, revocable)

Revision ID: 8c4e2a7b5d31
Revises: 3f1b7c2d9e10
Create Date: 2026-12-01 17:25:00.000000

"""
from alembic import op
import sqlalchemy as sa

import watch.models.base


# revision identifiers, used by Alembic.
revision = '8c4e2a7b5d31'
down_revision = '3f1b7c2d9e10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('partner_api_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=8), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', watch.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', watch.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', watch.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_partner_api_key_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['partner_organisation.id'], name=op.f('fk_partner_api_key_organisation_id_partner_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_api_key')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_partner_api_key_key_hash'))
    )
    with op.batch_alter_table('partner_api_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_api_key_organisation_id'), ['organisation_id'], unique=False)


def downgrade():
    with op.batch_alter_table('partner_api_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_api_key_organisation_id'))

    op.drop_table('partner_api_key')
