"""Columns encrypted at rest with keys from the environment (cryptography's Fernet, several keys for rotation).

    totp_secret: Mapped[str | None] = mapped_column(EncryptedString(255, "TOTP_ENCRYPTION_KEYS"))

The setting is a list of Fernet keys (`TOTP_ENCRYPTION_KEYS=new,old`): the first encrypts, every one
decrypts, so a new key goes first and the old one stays until `flask users reencrypt-totp` has
rewritten every value. Python code sees plain text; the database holds only Fernet tokens.
"""
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import String
from sqlalchemy.types import TypeDecorator


@lru_cache(maxsize=8)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def cipher(setting: str) -> MultiFernet:
    keys = tuple(current_app.config.get(setting) or ())
    if not keys:
        raise RuntimeError(f"{setting} is empty: no key to encrypt or decrypt with")
    return _cipher(keys)


class EncryptedString(TypeDecorator):
    """Text stored as a Fernet token; `length` is the token's column length (a 32-character secret → 140)."""

    impl = String
    cache_ok = True

    def __init__(self, length: int, key_setting: str):
        super().__init__(length)
        self.key_setting = key_setting

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        if value is None:
            return None
        return cipher(self.key_setting).encrypt(value.encode()).decode("ascii")

    def process_result_value(self, value: str | None, dialect) -> str | None:
        if value is None:
            return None
        try:
            return cipher(self.key_setting).decrypt(value.encode("ascii")).decode()
        except InvalidToken:
            raise RuntimeError(f"a stored value cannot be decrypted with any key in {self.key_setting}: "
                               "was the key that encrypted it removed?") from None
