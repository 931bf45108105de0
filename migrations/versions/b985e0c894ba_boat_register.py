"""Båtsamverkan (issue 18): the register of marked boats, engines and trailers with its n-gram index for near
matches; boat and engine details on observations; two new categories (fuel theft, theft from a boat in storage)

Revision ID: b985e0c894ba
Revises: 4041b2c32108
Create Date: 2026-12-01 17:00:34.128112

"""
from alembic import op
import sqlalchemy as sa

import watch.models.base

OLD_CATEGORIES = ('suspicious_person', 'suspicious_vehicle', 'burglary', 'boat_theft', 'vandalism', 'fire_hazard',
                  'other')
NEW_CATEGORIES = ('suspicious_person', 'suspicious_vehicle', 'burglary', 'boat_theft', 'fuel_theft',
                  'storage_theft', 'vandalism', 'fire_hazard', 'other')


def _categories(values, previous):
    """The CHECK constraint of observation.category allows exactly `values`.

    PostgreSQL swaps the constraint in place; SQLite rebuilds the table, whose new copy takes the new type's CHECK.
    """
    def kind(names):
        return sa.Enum(*names, name='observation_category', native_enum=False, create_constraint=True, length=20)

    if op.get_bind().dialect.name == 'sqlite':
        with op.batch_alter_table('observation', schema=None, recreate='always') as batch_op:
            batch_op.alter_column('category', existing_type=kind(previous), type_=kind(values), existing_nullable=True)
    else:
        op.drop_constraint(op.f('ck_observation_observation_category'), 'observation', type_='check')
        op.create_check_constraint(op.f('ck_observation_observation_category'), 'observation',
                                   sa.column('category').in_(values))


# revision identifiers, used by Alembic.
revision = 'b985e0c894ba'
down_revision = '4041b2c32108'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('marked_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('boat', 'outboard', 'inboard', 'trailer', 'other', name='item_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('make', sa.String(length=60), nullable=False),
    sa.Column('model', sa.String(length=60), nullable=False),
    sa.Column('serial', sa.String(length=64), nullable=False),
    sa.Column('serial_key', sa.String(length=64), nullable=False),
    sa.Column('mark_scheme', sa.Enum('none', 'dna', 'microdots', 'engraved', 'other', name='marking_scheme', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('mark', sa.String(length=64), nullable=False),
    sa.Column('mark_key', sa.String(length=64), nullable=False),
    sa.Column('colour', sa.String(length=40), nullable=False),
    sa.Column('boat_name', sa.String(length=60), nullable=False),
    sa.Column('registration', sa.String(length=20), nullable=False),
    sa.Column('photo_path', sa.String(length=80), nullable=True),
    sa.Column('kept_at', sa.Enum('berth', 'winter_storage', 'home', 'other', name='kept_at', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('place', sa.String(length=100), nullable=False),
    sa.Column('stolen_on', sa.Date(), nullable=True),
    sa.Column('created_at', watch.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['watch_group.id'], name=op.f('fk_marked_item_group_id_watch_group'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_marked_item_municipality_id_municipality')),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_marked_item_owner_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_marked_item'))
    )
    with op.batch_alter_table('marked_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_marked_item_group_id'), ['group_id'], unique=False)
        batch_op.create_index('ix_marked_item_municipality_mark', ['municipality_id', 'mark_key'], unique=False)
        batch_op.create_index('ix_marked_item_municipality_serial', ['municipality_id', 'serial_key'], unique=False)
        batch_op.create_index('ix_marked_item_municipality_stolen', ['municipality_id', 'stolen_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_marked_item_owner_id'), ['owner_id'], unique=False)

    op.create_table('marked_item_gram',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('gram', sa.String(length=3), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['marked_item.id'], name=op.f('fk_marked_item_gram_item_id_marked_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', 'gram', name=op.f('pk_marked_item_gram'))
    )
    with op.batch_alter_table('marked_item_gram', schema=None) as batch_op:
        batch_op.create_index('ix_marked_item_gram_lookup', ['gram', 'municipality_id', 'item_id'], unique=False)

    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('boat_name', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('boat_registration', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('engine_make', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('engine_serial', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('engine_serial_key', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_observation_municipality_serial', ['municipality_id', 'engine_serial_key'], unique=False)

    _categories(NEW_CATEGORIES, OLD_CATEGORIES)


def downgrade():
    # Observations in the new categories become "theft from a boat or of an engine".
    op.execute("UPDATE observation SET category = 'boat_theft' WHERE category IN ('fuel_theft', 'storage_theft')")
    _categories(OLD_CATEGORIES, NEW_CATEGORIES)
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.drop_index('ix_observation_municipality_serial')
        batch_op.drop_column('engine_serial_key')
        batch_op.drop_column('engine_serial')
        batch_op.drop_column('engine_make')
        batch_op.drop_column('boat_registration')
        batch_op.drop_column('boat_name')

    with op.batch_alter_table('marked_item_gram', schema=None) as batch_op:
        batch_op.drop_index('ix_marked_item_gram_lookup')

    op.drop_table('marked_item_gram')
    with op.batch_alter_table('marked_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_marked_item_owner_id'))
        batch_op.drop_index('ix_marked_item_municipality_stolen')
        batch_op.drop_index('ix_marked_item_municipality_serial')
        batch_op.drop_index('ix_marked_item_municipality_mark')
        batch_op.drop_index(batch_op.f('ix_marked_item_group_id'))

    op.drop_table('marked_item')
