"""EST actions on the lägesbild: what, where, who, due, status, categories; carried over until closed

Revision ID: b2d6f0e4a913
Revises: 8c4e2a7b5d31
Create Date: 2026-12-01 17:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import watch.models.base


# revision identifiers, used by Alembic.
revision = 'b2d6f0e4a913'
down_revision = '8c4e2a7b5d31'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('est_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('decided_week', sa.String(length=8), nullable=False),
    sa.Column('closed_week', sa.String(length=8), nullable=True),
    sa.Column('what', sa.String(length=300), nullable=False),
    sa.Column('area', sa.String(length=120), nullable=False),
    sa.Column('postcode', sa.String(length=5), nullable=True),
    sa.Column('organisation', sa.String(length=120), nullable=False),
    sa.Column('responsible', sa.String(length=120), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('planned', 'in_progress', 'done', 'dropped', name='action_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', watch.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', watch.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('closed_week IS NULL OR closed_week >= decided_week', name=op.f('ck_est_action_closed_after_decided')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_est_action_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_est_action_municipality_id_municipality')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_est_action'))
    )
    with op.batch_alter_table('est_action', schema=None) as batch_op:
        batch_op.create_index('ix_est_action_municipality_week', ['municipality_id', 'decided_week'], unique=False)


def downgrade():
    with op.batch_alter_table('est_action', schema=None) as batch_op:
        batch_op.drop_index('ix_est_action_municipality_week')

    op.drop_table('est_action')
