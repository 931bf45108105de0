"""WTForms validators and fields shared by the feature packages."""
import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms import ValidationError
from wtforms.validators import StopValidation

from watch.core.phone import PhoneNumberError, normalise_phone

PASSWORD_MIN = 8
PASSWORD_MAX = 128
# The passwords leaked lists start with; anything this guessable is refused outright.
COMMON_PASSWORDS = frozenset(
    {"12345678", "123456789", "1234567890", "password", "password1", "lösenord", "losenord", "qwertyui",
     "qwerty123", "abcd1234", "11111111", "00000000", "iloveyou", "sommar2024", "sommar2025", "sommar2026",
     "hejsan123", "grannsamverkan"}
)


def has_control_characters(text: str) -> bool:
    """Line breaks of any kind (CR, LF, NEL, U+2028/9 ...) and other control characters (tab, ESC, DEL ...)."""
    return any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in text)


class SingleLine:
    """For every one-line field (names, addresses, titles, emails ...): one line of text, no control characters.

    Names and titles end up in email subjects and SMS; a line break there would let whoever typed it
    write mail headers. Surrounding whitespace (a tab or newline pasted along) is dropped; anything
    inside is refused with a message, before the field's other validators run. Multi-line fields
    (TextAreaField) do not use it.
    """

    message = _l("Write this on one line, without line breaks, tabs or other control characters.")

    def __call__(self, form, field) -> None:
        if not isinstance(field.data, str):
            return
        field.data = field.data.strip()
        if has_control_characters(field.data):
            field.errors[:] = []  # one clear message, not also "not an email address" and the like
            raise StopValidation(self.message)


class PlainText:
    """For multi-line fields whose text goes out by SMS or email: line breaks and tabs are fine, other control
    characters (ESC, which GSM-7 reads as an escape; form feeds, bells ...) are refused with a message."""

    message = _l("Write plain text: line breaks are fine, but not control characters such as ESC.")

    def __call__(self, form, field) -> None:
        if isinstance(field.data, str) and has_control_characters(field.data.replace("\n", "").replace("\t", "")):
            raise StopValidation(self.message)


class PhoneNumber:
    """Validates a mobile number and replaces field.data with its E.164 form."""

    def __call__(self, form, field) -> None:
        if not field.data or not field.data.strip():
            field.data = None
            return
        try:
            field.data = normalise_phone(field.data)
        except PhoneNumberError as error:
            raise ValidationError(error.message) from None


class StrongPassword:
    def __call__(self, form, field) -> None:
        password = field.data or ""
        if len(password) < PASSWORD_MIN:
            raise ValidationError(_l("The password must be at least %(min)d characters.", min=PASSWORD_MIN))
        if len(password) > PASSWORD_MAX:
            raise ValidationError(_l("The password can be at most %(max)d characters.", max=PASSWORD_MAX))
        if password.lower() in COMMON_PASSWORDS or len(set(password)) < 4:
            raise ValidationError(_l("That password is too easy to guess. Try a few words you will remember."))
