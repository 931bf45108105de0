"""Serial numbers and marks as searches compare them: normalised, cut into three-character pieces, and ranked.

A serial read off a found engine is often written differently from the owner's copy: "yf-40 beto 123" for
"YF40BETO123", O for 0, I or l for 1. The normalised key drops everything but letters and digits and folds
the letters people mix up with digits, so both spellings get the same key; near matches (one character
misread, a piece missing) share most of their three-character pieces (`grams`) with the key.
"""
import unicodedata

# Letters read as the digit they look like. Only for matching: the register shows what the owner typed.
CONFUSED = str.maketrans({"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "B": "8"})
EDGE = "#"  # marks the start and end, so that the first and last characters count as much as the others
MIN_KEY = 3
MAX_KEY = 64  # the stored key's length; a few characters decompose into several (ﬀ → ff)


def normalise(text: str | None) -> str:
    """"yf-40 beto 123" → "YF408ET0123": upper case ASCII letters and digits, confusable letters as digits."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    kept = "".join(c for c in decomposed if c.isascii() and c.isalnum())
    return kept.upper().translate(CONFUSED)[:MAX_KEY]


def grams(key: str) -> set[str]:
    """The three-character pieces of a key, with its ends marked: "AB1" → {"#AB", "AB1", "B1#"}."""
    if not key:
        return set()
    padded = f"{EDGE}{key}{EDGE}"
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


def distance(a: str, b: str) -> int:
    """Levenshtein distance: inserted, deleted or changed characters, each counting one."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def closeness(query: str, key: str) -> int | None:
    """How far a stored key is from the query: 0 the same, higher further; None when not a near match.

    A near match differs by at most a fifth of the query's characters (at least one: two in a typical
    twelve-character serial), or holds the whole query (a serial read only in part) or is held in it.
    """
    if not key:
        return None
    if key == query:
        return 0
    edits = distance(query, key)
    if edits <= max(1, len(query) // 5):
        return edits
    if len(query) >= 5 and (query in key or key in query):
        return abs(len(key) - len(query))
    return None
