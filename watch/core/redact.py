"""Mask phone numbers, email addresses (and password-reset links) in log lines and audit details.

Logs travel to files, consoles and log services that are not meant to hold personal data, nor
a reset link that still works.
"""
import logging
import re

from flask import Flask

from watch.core.phone import mask_phone

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# +46 70-123 45 67, +46701234567 and other international numbers written with spaces or dashes.
PHONE = re.compile(r"\+\d(?:[ -]?\d){7,14}")
# Swedish mobile numbers written nationally: 070-123 45 67.
NATIONAL_MOBILE = re.compile(r"(?<!\d)07\d(?:[ -]?\d){7}(?!\d)")
RESET_LINK = re.compile(r"(/password/reset/)[^/?\s\"]+")


def _mask_email(match: re.Match) -> str:
    local, _, domain = match.group(0).partition("@")
    return f"{local[0]}***@{domain}"


def redact(text: str) -> str:
    """'Sent to +46701234567 (eva@exempel.se)' → 'Sent to +46 70 *** ** 67 (e***@exempel.se)'."""
    text = RESET_LINK.sub(r"\1***", text)
    text = EMAIL.sub(_mask_email, text)
    text = PHONE.sub(lambda m: mask_phone(_digits(m.group(0))), text)
    return NATIONAL_MOBILE.sub(lambda m: mask_phone("+46" + _digits(m.group(0))[1:]), text)


def _digits(number: str) -> str:
    return re.sub(r"[ -]", "", number)


class RedactingFilter(logging.Filter):
    """Rewrites a record's message (and traceback) with personal data masked; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


_FILTER = RedactingFilter()


def install(app: Flask) -> None:
    """On the app's logger and on every handler of the root logger (which other libraries log through)."""
    for target in (app.logger, *app.logger.handlers, *logging.getLogger().handlers):
        if _FILTER not in target.filters:
            target.addFilter(_FILTER)
