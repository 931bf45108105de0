"""Phone-first: offline client ids, Web Push subscriptions and messages

Revision ID: 4041b2c32108
Revises: fcc9060a5d88
Create Date: 2026-12-01 16:59:52.613216

Offline observations carry the id the phone gave them, unique per reporter; people turn on push per device.

"""
from alembic import op
import sqlalchemy as sa

import watch.models.base


# revision identifiers, used by Alembic.
revision = '4041b2c32108'
down_revision = 'fcc9060a5d88'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('push_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('endpoint', sa.String(length=1000), nullable=False),
    sa.Column('p256dh', sa.String(length=100), nullable=False),
    sa.Column('auth', sa.String(length=50), nullable=False),
    sa.Column('device', sa.String(length=100), nullable=False),
    sa.Column('created_at', watch.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_push_subscription_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_subscription')),
    sa.UniqueConstraint('endpoint', name=op.f('uq_push_subscription_endpoint'))
    )
    with op.batch_alter_table('push_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_push_subscription_user_id'), ['user_id'], unique=False)

    op.create_table('push_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('subscription_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=False),
    sa.Column('status', sa.Enum('queued', 'sending', 'sent', 'failed', 'expired', name='push_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('error_code', sa.String(length=20), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', watch.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('valid_until', watch.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', watch.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', watch.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alert.id'], name=op.f('fk_push_message_alert_id_alert'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subscription_id'], ['push_subscription.id'], name=op.f('fk_push_message_subscription_id_push_subscription'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_push_message_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_message'))
    )
    with op.batch_alter_table('push_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_push_message_alert_id'), ['alert_id'], unique=False)
        batch_op.create_index('ix_push_message_status_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_push_message_subscription_id'), ['subscription_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_push_message_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_id', sa.String(length=36), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_observation_reporter_id'), ['reporter_id', 'client_id'])

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('push_instead_of_sms', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('push_instead_of_sms')

    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_observation_reporter_id'), type_='unique')
        batch_op.drop_column('client_id')

    with op.batch_alter_table('push_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_message_user_id'))
        batch_op.drop_index(batch_op.f('ix_push_message_subscription_id'))
        batch_op.drop_index('ix_push_message_status_due')
        batch_op.drop_index(batch_op.f('ix_push_message_alert_id'))

    op.drop_table('push_message')
    with op.batch_alter_table('push_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_subscription_user_id'))

    op.drop_table('push_subscription')
