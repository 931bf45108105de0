"""TOTP secrets encrypted at rest with TOTP_ENCRYPTION_KEYS (Fernet tokens in a wider column)

Revision ID: 88edc864bb9b
Revises: feeb2a46cfcf
Create Date: 2026-12-01 15:30:00

Upgrade encrypts every stored secret with the first key of TOTP_ENCRYPTION_KEYS; downgrade decrypts
them with any of the keys and narrows the column again. Both need the keys in the environment
(development and tests derive fixed ones, see watch/config.py).
"""
from alembic import op
import sqlalchemy as sa
from cryptography.fernet import Fernet, MultiFernet
from flask import current_app


revision = '88edc864bb9b'
down_revision = 'feeb2a46cfcf'
branch_labels = None
depends_on = None

user = sa.table('user', sa.column('id', sa.Integer), sa.column('totp_secret', sa.String))


def _cipher() -> MultiFernet:
    keys = current_app.config.get('TOTP_ENCRYPTION_KEYS') or []
    if not keys:
        raise RuntimeError('TOTP_ENCRYPTION_KEYS must be set to encrypt or decrypt the stored TOTP secrets')
    return MultiFernet([Fernet(key) for key in keys])


def _rewrite(change) -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(user.c.id, user.c.totp_secret).where(user.c.totp_secret.is_not(None))).all()
    for row_id, value in rows:
        connection.execute(sa.update(user).where(user.c.id == row_id).values(totp_secret=change(value)))


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=32), type_=sa.String(length=255),
                              existing_nullable=True)
    cipher = _cipher()
    _rewrite(lambda secret: cipher.encrypt(secret.encode()).decode('ascii'))


def downgrade():
    cipher = _cipher()
    _rewrite(lambda token: cipher.decrypt(token.encode('ascii')).decode())
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=255), type_=sa.String(length=32),
                              existing_nullable=True)
