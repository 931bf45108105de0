"""Observations: the (municipality, week) index also holds category, postcode and partner organisation, so the
lägesbild and the yearly follow-up count from the index alone

Revision ID: c7e1a9f3d2b4
Revises: b2d6f0e4a913
Create Date: 2026-12-01 18:40:00

"""
from alembic import op

revision = 'c7e1a9f3d2b4'
down_revision = 'b2d6f0e4a913'
branch_labels = None
depends_on = None

COLUMNS = ['municipality_id', 'observed_week', 'category', 'postcode', 'partner_organisation_id']


def upgrade():
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.create_index('ix_observation_municipality_week_counts', COLUMNS, unique=False)
        batch_op.drop_index('ix_observation_municipality_week')


def downgrade():
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.create_index('ix_observation_municipality_week', ['municipality_id', 'observed_week'], unique=False)
        batch_op.drop_index('ix_observation_municipality_week_counts')
