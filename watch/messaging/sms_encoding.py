"""How an SMS text will be sent: GSM-7 or UCS-2, how many segments, and which characters force UCS-2.

GSM-7 membership comes from the `gsm0338` codec (GSM 03.38, with the extension table whose
characters such as € [ ] { } cost two septets). Swedish å ä ö and é ü are GSM-7; one curly
quote or emoji switches the whole message to UCS-2 and more than halves what fits in a segment.
"""
import unicodedata
from dataclasses import dataclass, field

import gsm0338  # noqa: F401 - registers the "gsm03.38" codec

GSM7 = "GSM-7"
UCS2 = "UCS-2"
SINGLE = {GSM7: 160, UCS2: 70}
# A long message carries a 6-byte header in every part, leaving 153 septets or 67 UTF-16 units.
CONCATENATED = {GSM7: 153, UCS2: 67}

# Look-alikes people paste from word processors and phones, with the GSM-7 text to use instead.
LOOKALIKES = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u2026": "...", "\u2022": "-", "\u00b7": "-", "\t": " ",
    "\u00a0": " ", "\u2007": " ", "\u2009": " ", "\u200a": " ", "\u202f": " ",
}
# Emoji, pictographs and the invisible joiners and variation selectors that glue them together.
_DROPPED_CATEGORIES = {"So", "Sk", "Cs", "Co", "Mn", "Cf"}


def is_gsm7(char: str) -> bool:
    try:
        char.encode("gsm03.38")
    except UnicodeEncodeError:
        return False
    return True


def septets(char: str) -> int:
    return len(char.encode("gsm03.38"))


def utf16_units(char: str) -> int:
    return len(char.encode("utf-16-le")) // 2


def replacement_for(char: str) -> str | None:
    """GSM-7 text for a character that is not GSM-7: '' means leave it out; None means there is none."""
    if char in LOOKALIKES:
        return LOOKALIKES[char]
    base = unicodedata.normalize("NFKD", char)
    stripped = "".join(c for c in base if not unicodedata.combining(c))
    if stripped and stripped != char and all(is_gsm7(c) for c in stripped):
        return stripped  # á → a, ł stays, ﬁ → fi
    if unicodedata.category(char) in _DROPPED_CATEGORIES:
        return ""
    return None


@dataclass(frozen=True)
class SmsCount:
    characters: int
    encoding: str
    units: int
    segments: int
    per_segment: int
    # Characters that force UCS-2, in order of appearance, each with its GSM-7 replacement (or None).
    forcing: list[tuple[str, str | None]] = field(default_factory=list)

    @property
    def replaceable(self) -> bool:
        return any(replacement is not None for _, replacement in self.forcing)


def _segments(unit_counts: list[int], total: int, encoding: str) -> tuple[int, int]:
    if total <= SINGLE[encoding]:
        return (1 if total else 0), SINGLE[encoding]
    size = CONCATENATED[encoding]
    segments, used = 1, 0
    for units in unit_counts:  # an escape pair or a surrogate pair is never split between parts
        if used + units > size:
            segments, used = segments + 1, 0
        used += units
    return segments, size


def count(text: str) -> SmsCount:
    forcing: dict[str, str | None] = {}
    for char in text:
        if char not in forcing and not is_gsm7(char):
            forcing[char] = replacement_for(char)
    encoding = UCS2 if forcing else GSM7
    unit_counts = [utf16_units(c) if forcing else septets(c) for c in text]
    total = sum(unit_counts)
    segments, per_segment = _segments(unit_counts, total, encoding)
    return SmsCount(len(text), encoding, total, segments, per_segment, list(forcing.items()))


def replace_non_gsm(text: str) -> str:
    """Swap every character that has a GSM-7 replacement; characters without one stay."""
    result = []
    for char in text:
        replacement = None if is_gsm7(char) else replacement_for(char)
        result.append(char if replacement is None else replacement)
    return "".join(result)
