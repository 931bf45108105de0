"""Notices (issue 14): a coordinator's choice (each / daily summary / off, on by default), police told of forwards

Revision ID: df2922965c2c
Revises: b7e2d4a91c05
Create Date: 2026-12-01 14:56:30.429608

"""
from alembic import op
import sqlalchemy as sa

import watch.models.base


# revision identifiers, used by Alembic.
revision = 'df2922965c2c'
down_revision = 'b7e2d4a91c05'
branch_labels = None
depends_on = None

user = sa.table('user', sa.column('role', sa.String), sa.column('coordinator_notices', sa.String),
                sa.column('email_new_observations', sa.Boolean))
observation = sa.table('observation', sa.column('status', sa.String), sa.column('created_at', sa.DateTime),
                       sa.column('status_changed_at', sa.DateTime), sa.column('police_notified_at', sa.DateTime))


def upgrade():
    op.create_table('summary_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('inbox_sms', name='summary_item_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('created_at', watch.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_summary_item_municipality_id_municipality'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_summary_item'))
    )
    with op.batch_alter_table('summary_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_summary_item_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_summary_item_municipality_created', ['municipality_id', 'created_at'], unique=False)

    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('police_notified_at', watch.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_observation_police_notice', ['status', 'police_notified_at'], unique=False)
    # Forwards made before the police were told of them: not news any more, never announced.
    op.execute(observation.update().where(observation.c.status == 'forwarded').values(
        police_notified_at=sa.func.coalesce(observation.c.status_changed_at, observation.c.created_at)))

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('coordinator_notices', sa.Enum('each', 'daily', 'off', name='notice_choice', native_enum=False, create_constraint=True, length=20), server_default='each', nullable=False))
        batch_op.add_column(sa.Column('daily_summary_sent_at', watch.models.base.UTCDateTime(timezone=True), nullable=True))
    # On by default for coordinators, existing ones included: whoever had not asked for the emails (the old
    # default) now hears of each new observation too, and can choose the daily summary or off on the inbox page.
    op.execute(user.update().where(user.c.role == 'coordinator').values(coordinator_notices='each'))
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('email_new_observations')


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_new_observations', sa.Boolean(), server_default=sa.false(), nullable=False))
    # The old switch knew only "each one" or nothing; a daily summary becomes nothing.
    op.execute(user.update().where(user.c.role == 'coordinator', user.c.coordinator_notices == 'each')
               .values(email_new_observations=sa.true()))
    with op.batch_alter_table('user', schema=None) as batch_op:
        # The enum's CHECK constraint would outlive its column in SQLite's table copy.
        batch_op.drop_constraint(batch_op.f('ck_user_notice_choice'), type_='check')
        batch_op.drop_column('daily_summary_sent_at')
        batch_op.drop_column('coordinator_notices')

    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.drop_index('ix_observation_police_notice')
        batch_op.drop_column('police_notified_at')

    with op.batch_alter_table('summary_item', schema=None) as batch_op:
        batch_op.drop_index('ix_summary_item_municipality_created')
        batch_op.drop_index(batch_op.f('ix_summary_item_created_at'))

    op.drop_table('summary_item')
