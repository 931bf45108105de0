"""Swedish postcodes: five digits, written "613 31" or "61331", stored without the space."""
import re

from flask_babel import lazy_gettext as _l

from watch.core.errors import ExplainedError

# ASCII digits only: \d would also take ٦١٣٣١ and other scripts' digits, which no address uses.
_ONE = re.compile(r"[1-9][0-9]{2} ?[0-9]{2}")
_SEPARATORS = re.compile(r"[,;\n]+")
MAX_POSTCODES = 30


class PostcodeError(ExplainedError):
    """Not a list of Swedish postcodes."""


def parse_postcodes(text: str) -> list[str]:
    """'613 31, 61332' → ['61331', '61332'], or PostcodeError naming what is not a postcode."""
    found: list[str] = []
    for part in filter(None, (p.strip() for p in _SEPARATORS.split(text or ""))):
        if _ONE.fullmatch(part):
            codes = [part]
        elif all(re.fullmatch(r"[1-9][0-9]{4}", word) for word in part.split()):
            codes = part.split()  # "61331 61332": several written with spaces only
        else:
            raise PostcodeError(_l("“%(value)s” is not a Swedish postcode. Write five digits, like 613 31.",
                                   value=part))
        for code in (c.replace(" ", "") for c in codes):
            if code not in found:
                found.append(code)
    if not found:
        raise PostcodeError(_l("Enter at least one postcode, like 613 31."))
    if len(found) > MAX_POSTCODES:
        raise PostcodeError(_l("At most %(max)d postcodes.", max=MAX_POSTCODES))
    return found


def postcode_prefix(text: str) -> str | None:
    """The digits of a search that looks like (the start of) a postcode: '613 3' → '6133'; else None."""
    digits = (text or "").replace(" ", "")
    return digits if re.fullmatch(r"[0-9]{1,5}", digits) else None


def format_postcode(postcode: str) -> str:
    return f"{postcode[:3]} {postcode[3:]}" if len(postcode) == 5 else postcode
