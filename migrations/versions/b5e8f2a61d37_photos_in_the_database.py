"""Photos in the database (issue 20): every web instance serves the same ones without a shared folder.

Revision ID: b5e8f2a61d37
Revises: a7d3e91c04b2
Create Date: 2026-12-01 17:40:00

"""
from alembic import op
import sqlalchemy as sa

import watch.models.base


# revision identifiers, used by Alembic.
revision = 'b5e8f2a61d37'
down_revision = 'a7d3e91c04b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stored_photo',
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', watch.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_stored_photo'))
    )


def downgrade():
    op.drop_table('stored_photo')
