"""Each municipality's contacts as controller (issue 15, item 10): service, data protection officer, accessibility

Empty for existing municipalities: the pages show CONTACT_EMAIL until `flask municipalities set-contacts` sets them.

Revision ID: fcc9060a5d88
Revises: e5c4b22e1b97
Create Date: 2026-12-01 15:34:36.371913

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fcc9060a5d88'
down_revision = 'e5c4b22e1b97'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('dpo_email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('accessibility_email', sa.String(length=254), nullable=True))


def downgrade():
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.drop_column('accessibility_email')
        batch_op.drop_column('dpo_email')
        batch_op.drop_column('contact_email')

