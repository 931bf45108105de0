"""Login sessions (issue 15, item 1): one row per login, checked on every request, removed on logout

Cookies made before this carry "<user id>:<session token>", which matches no row: everyone logs in
once more after the upgrade.

Revision ID: e5c4b22e1b97
Revises: 9ed764e28adb
Create Date: 2026-12-01 15:26:24.757777

"""
from alembic import op
import sqlalchemy as sa

import watch.models.base


# revision identifiers, used by Alembic.
revision = 'e5c4b22e1b97'
down_revision = '9ed764e28adb'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_session',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', watch.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', watch.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('browser', sa.String(length=40), nullable=False),
    sa.Column('system', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_login_session_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_session'))
    )
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_session_last_seen_at'), ['last_seen_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_session_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_session_user_id'))
        batch_op.drop_index(batch_op.f('ix_login_session_last_seen_at'))

    op.drop_table('login_session')
