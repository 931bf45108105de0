"""Swedish postcodes: five digits, written "613 31" or "61331", stored without the space."""
import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from watch.core.errors import ExplainedError

# ASCII digits only: \d would also take ٦١٣٣١ and other scripts' digits, which no address uses.
_POSTCODE = r"([1-9][0-9]{2}) ?([0-9]{2})"
_ONE = re.compile(_POSTCODE)
_UNSPACED = re.compile(r"[1-9][0-9]{4}")
_IN_TEXT = re.compile(rf"\b{_POSTCODE}\b")
_SEPARATORS = re.compile(r"[,;\n]+")
MAX_POSTCODES = 30


class PostcodeError(ExplainedError):
    """Not a list of Swedish postcodes; `value` is the part that is not a postcode, if one is."""

    def __init__(self, message, value: str | None = None):
        super().__init__(message)
        self.value = value


def read_postcodes(text: str) -> list[str]:
    """Every postcode of a typed list, once: '613 31, 61332' → ['61331', '61332']; [] when none is typed.

    PostcodeError names the first part that is not a postcode.
    """
    found: list[str] = []
    for part in filter(None, (p.strip() for p in _SEPARATORS.split(text or ""))):
        if _ONE.fullmatch(part):
            codes = [part]
        elif all(_UNSPACED.fullmatch(word) for word in part.split()):
            codes = part.split()  # "61331 61332": several written with spaces only
        else:
            raise PostcodeError(_l("“%(value)s” is not a Swedish postcode. Write five digits, like 613 31.",
                                   value=part), value=part)
        for code in (c.replace(" ", "") for c in codes):
            if code not in found:
                found.append(code)
    return found


def parse_postcodes(text: str) -> list[str]:
    """A group's postcodes: read_postcodes, and at least one, at most MAX_POSTCODES."""
    found = read_postcodes(text)
    if not found:
        raise PostcodeError(_l("Enter at least one postcode, like 613 31."))
    if len(found) > MAX_POSTCODES:
        raise PostcodeError(_l("At most %(max)d postcodes.", max=MAX_POSTCODES))
    return found


def find_postcode(text: str) -> str | None:
    """The first postcode written in free text: 'Hamnen, 613 32' → '61332'; None if there is none."""
    match = _IN_TEXT.search(text or "")
    return match[1] + match[2] if match else None


def postcode_prefix(text: str) -> str | None:
    """The digits of a search that looks like (the start of) a postcode: '613 3' → '6133'; else None."""
    digits = (text or "").replace(" ", "")
    return digits if re.fullmatch(r"[0-9]{1,5}", digits) else None


def format_postcode(postcode: str | None) -> str:
    """'61331' → '613 31', as people write it; None (an observation's unknown place) says so."""
    if not postcode:
        return _("Unknown postcode")
    return f"{postcode[:3]} {postcode[3:]}" if len(postcode) == 5 else postcode
