"""Issue 17: an alert's versions in other languages than Swedish, the language each delivery was sent in, and the
language of a municipality's lägesbild

Revision ID: d4b8e2f6a1c9
Revises: d4f8a2c6e1b7
Create Date: 2026-12-01 21:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'd4b8e2f6a1c9'
down_revision = 'd4f8a2c6e1b7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'alert_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('alert_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=5), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['alert_id'], ['alert.id'], name=op.f('fk_alert_version_alert_id_alert'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_version')),
        sa.UniqueConstraint('alert_id', 'language', name=op.f('uq_alert_version_alert_id')),
    )
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=5), server_default='sv', nullable=False))
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=5), server_default='sv', nullable=False))


def downgrade():
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_column('language')
    op.drop_table('alert_version')
