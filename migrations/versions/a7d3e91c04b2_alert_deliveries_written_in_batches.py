"""Groups and deliveries are written by the dispatch job in batches (issue 20): the alert keeps its kind or
postcodes, the recipients' count and whether its list of deliveries is complete. Existing alerts have all
their rows.

Revision ID: a7d3e91c04b2
Revises: b985e0c894ba
Create Date: 2026-12-01 17:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7d3e91c04b2'
down_revision = 'b985e0c894ba'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.add_column(sa.Column('target_kind', sa.Enum('neighbourhood', 'boat', name='alert_target_kind', native_enum=False, create_constraint=True, length=20), nullable=True))
        batch_op.add_column(sa.Column('target_postcodes', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('recipient_count', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('deliveries_written', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(sa.text("UPDATE alert SET deliveries_written = true, "
                       "recipient_count = (SELECT count(*) FROM delivery WHERE delivery.alert_id = alert.id)"))


def downgrade():
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_column('deliveries_written')
        batch_op.drop_column('recipient_count')
        batch_op.drop_column('target_postcodes')
        batch_op.drop_constraint(batch_op.f('ck_alert_alert_target_kind'), type_='check')
        batch_op.drop_column('target_kind')
