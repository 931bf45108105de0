"""WTForms validators and fields shared by the feature packages."""
from flask_babel import lazy_gettext as _l
from wtforms import ValidationError

from watch.core.phone import PhoneNumberError, normalise_phone

PASSWORD_MIN = 8
PASSWORD_MAX = 128
# The passwords leaked lists start with; anything this guessable is refused outright.
COMMON_PASSWORDS = frozenset(
    {"12345678", "123456789", "1234567890", "password", "password1", "lösenord", "losenord", "qwertyui",
     "qwerty123", "abcd1234", "11111111", "00000000", "iloveyou", "sommar2024", "sommar2025", "sommar2026",
     "hejsan123", "grannsamverkan"}
)


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
