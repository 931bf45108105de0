"""Partner organisations and their reporters: an account role "reporter" tied to an organisation;
observations may come from an organisation instead of a group; public-place categories

Revision ID: 3f1b7c2d9e10
Revises: b5e8f2a61d37
Create Date: 2026-12-01 17:10:00.000000

"""
from alembic import op
import sqlalchemy as sa

import watch.models.base


# revision identifiers, used by Alembic.
revision = '3f1b7c2d9e10'
down_revision = 'b5e8f2a61d37'
branch_labels = None
depends_on = None

ROLES_BEFORE = ('resident', 'coordinator', 'police', 'admin')
ROLES_AFTER = (*ROLES_BEFORE, 'reporter')
CATEGORIES_BEFORE = ('suspicious_person', 'suspicious_vehicle', 'burglary', 'boat_theft', 'fuel_theft', 'storage_theft',
                     'vandalism', 'fire_hazard',
                     'other')
CATEGORIES_AFTER = (*CATEGORIES_BEFORE, 'graffiti', 'littering', 'disorder', 'unsafe_place', 'drug_dealing')
SOURCES_BEFORE = ('web', 'sms')
SOURCES_AFTER = (*SOURCES_BEFORE, 'open311')


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _replace_check(batch_op, table: str, name: str, column: str, values: tuple[str, ...]) -> None:
    """A str_enum's CHECK constraint, remade for a new set of values."""
    batch_op.drop_constraint(op.f(f'ck_{table}_{name}'), type_='check')
    batch_op.create_check_constraint(op.f(f'ck_{table}_{name}'), _one_of(column, values))


def upgrade():
    op.create_table('partner_organisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.Enum('school', 'housing', 'security', 'youth_centre', 'social_services', 'police', 'other', name='partner_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('suspended_at', watch.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', watch.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_partner_organisation_municipality_id_municipality')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_organisation'))
    )
    with op.batch_alter_table('partner_organisation', schema=None) as batch_op:
        batch_op.create_index('ix_partner_organisation_municipality_name', ['municipality_id', 'name'], unique=True)

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('partner_organisation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_user_partner_organisation_id'), ['partner_organisation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_user_partner_organisation_id_partner_organisation'), 'partner_organisation', ['partner_organisation_id'], ['id'])
        _replace_check(batch_op, 'user', 'role', 'role', ROLES_AFTER)

    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('partner_organisation_id', sa.Integer(), nullable=True))
        batch_op.alter_column('group_id', existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index('ix_observation_partner_created', ['partner_organisation_id', 'created_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_observation_partner_organisation_id_partner_organisation'), 'partner_organisation', ['partner_organisation_id'], ['id'])
        _replace_check(batch_op, 'observation', 'observation_category', 'category', CATEGORIES_AFTER)
        _replace_check(batch_op, 'observation', 'observation_source', 'source', SOURCES_AFTER)


def downgrade():
    # Partner reports have no group to keep them: they go, and with them the public-place categories.
    op.execute("DELETE FROM observation WHERE group_id IS NULL")
    op.execute(f"UPDATE observation SET category = 'other' WHERE category NOT IN {CATEGORIES_BEFORE!r}")
    op.execute("UPDATE observation SET source = 'web' WHERE source = 'open311'")
    with op.batch_alter_table('observation', schema=None) as batch_op:
        _replace_check(batch_op, 'observation', 'observation_source', 'source', SOURCES_BEFORE)
        _replace_check(batch_op, 'observation', 'observation_category', 'category', CATEGORIES_BEFORE)
        batch_op.drop_constraint(batch_op.f('fk_observation_partner_organisation_id_partner_organisation'), type_='foreignkey')
        batch_op.drop_index('ix_observation_partner_created')
        batch_op.alter_column('group_id', existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column('partner_organisation_id')

    op.execute("DELETE FROM \"user\" WHERE role = 'reporter'")
    with op.batch_alter_table('user', schema=None) as batch_op:
        _replace_check(batch_op, 'user', 'role', 'role', ROLES_BEFORE)
        batch_op.drop_constraint(batch_op.f('fk_user_partner_organisation_id_partner_organisation'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_user_partner_organisation_id'))
        batch_op.drop_column('partner_organisation_id')

    with op.batch_alter_table('partner_organisation', schema=None) as batch_op:
        batch_op.drop_index('ix_partner_organisation_municipality_name')

    op.drop_table('partner_organisation')
