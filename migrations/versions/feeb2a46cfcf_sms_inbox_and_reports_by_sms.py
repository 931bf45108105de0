"""SMS inbox and reports by SMS: inbound SMS belong to the sender's municipality and have a state;
staff answers; observations have a source (web/sms) and may wait for their category

Revision ID: feeb2a46cfcf
Revises: df2922965c2c
Create Date: 2026-12-01 14:56:51.690114

"""
from alembic import op
import sqlalchemy as sa

import watch.models.base


# revision identifiers, used by Alembic.
revision = 'feeb2a46cfcf'
down_revision = 'df2922965c2c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sms_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('reply_id', sa.Integer(), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', watch.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_sms_answer_municipality_id_municipality')),
    sa.ForeignKeyConstraint(['reply_id'], ['sms_reply.id'], name=op.f('fk_sms_answer_reply_id_sms_reply'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sent_by_id'], ['user.id'], name=op.f('fk_sms_answer_sent_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_sms_answer_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_answer'))
    )
    with op.batch_alter_table('sms_answer', schema=None) as batch_op:
        batch_op.create_index('ix_sms_answer_phone_created', ['phone', 'created_at'], unique=False)

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_verified_phone'), ['verified_phone'], unique=False)

    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.Enum('web', 'sms', name='observation_source', native_enum=False, create_constraint=True, length=20), server_default='web', nullable=False))
        batch_op.alter_column('category',
               existing_type=sa.VARCHAR(length=20),
               nullable=True)

    with op.batch_alter_table('sms_reply', schema=None) as batch_op:
        batch_op.add_column(sa.Column('municipality_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('problem', sa.Enum('empty', 'too_long', 'unreadable', 'flood', name='sms_problem', native_enum=False, create_constraint=True, length=20), nullable=True))
        batch_op.add_column(sa.Column('auto_answered', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('state', sa.Enum('new', 'handled', name='sms_reply_state', native_enum=False, create_constraint=True, length=20), server_default='new', nullable=False))
        batch_op.add_column(sa.Column('handled_at', watch.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('handled_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('observation_id', sa.Integer(), nullable=True))
        batch_op.drop_index(batch_op.f('ix_sms_reply_phone'))
        batch_op.create_index('ix_sms_reply_inbox', ['municipality_id', 'state', 'received_at'], unique=False)
        batch_op.create_index('ix_sms_reply_phone_received', ['phone', 'received_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_sms_reply_handled_by_id_user'), 'user', ['handled_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_sms_reply_observation_id_observation'), 'observation', ['observation_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_sms_reply_municipality_id_municipality'), 'municipality', ['municipality_id'], ['id'])



def downgrade():
    with op.batch_alter_table('sms_reply', schema=None) as batch_op:
        for name in ('sms_reply_state', 'sms_problem'):
            batch_op.drop_constraint(batch_op.f(f'ck_sms_reply_{name}'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_sms_reply_municipality_id_municipality'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_sms_reply_observation_id_observation'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_sms_reply_handled_by_id_user'), type_='foreignkey')
        batch_op.drop_index('ix_sms_reply_phone_received')
        batch_op.drop_index('ix_sms_reply_inbox')
        batch_op.create_index(batch_op.f('ix_sms_reply_phone'), ['phone'], unique=False)
        batch_op.drop_column('observation_id')
        batch_op.drop_column('handled_by_id')
        batch_op.drop_column('handled_at')
        batch_op.drop_column('state')
        batch_op.drop_column('auto_answered')
        batch_op.drop_column('problem')
        batch_op.drop_column('municipality_id')

    # Reports by SMS that still wait for their category become "something else".
    op.execute("UPDATE observation SET category = 'other' WHERE category IS NULL")
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_observation_observation_source'), type_='check')
        batch_op.alter_column('category',
               existing_type=sa.VARCHAR(length=20),
               nullable=False)
        batch_op.drop_column('source')

    with op.batch_alter_table('sms_answer', schema=None) as batch_op:
        batch_op.drop_index('ix_sms_answer_phone_created')

    op.drop_table('sms_answer')

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_verified_phone'))
