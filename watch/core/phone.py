"""Phone numbers: parsed with Sweden as default region, stored in E.164."""
import phonenumbers
from flask import current_app
from flask_babel import lazy_gettext as _l

from watch.core.errors import ExplainedError


class PhoneNumberError(ExplainedError):
    """Not a number the portal can send SMS to."""


def normalise_phone(raw: str) -> str:
    """Return the number in E.164 or raise PhoneNumberError with a translatable message."""
    try:
        number = phonenumbers.parse(raw, current_app.config["PHONE_DEFAULT_REGION"])
    except phonenumbers.NumberParseException:
        raise PhoneNumberError(_l("Enter a mobile number, for example 070-123 45 67.")) from None
    if not phonenumbers.is_valid_number(number):
        raise PhoneNumberError(_l("That is not a valid phone number. Check the digits, for example 070-123 45 67."))
    if number.country_code not in current_app.config["PHONE_ALLOWED_COUNTRY_CODES"]:
        raise PhoneNumberError(_l("Only Swedish mobile numbers (+46) can be used here."))
    if phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise PhoneNumberError(_l("That is not a mobile number. SMS can only reach a mobile phone."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str | None) -> str:
    """Show a stored number the way Swedes write it (070-123 45 67), foreign ones internationally."""
    if not e164:
        return ""
    number = phonenumbers.parse(e164)
    if number.country_code == 46:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def mask_phone(e164: str | None) -> str:
    """+46701234567 → +46 70 *** ** 67: enough to recognise, not enough to copy."""
    if not e164:
        return ""
    return f"{e164[:3]} {e164[3:5]} *** ** {e164[-2:]}"
