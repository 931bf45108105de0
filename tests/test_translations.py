"""Every string a user can see has a Swedish translation, and the catalogue compiles."""
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
            "lazy_ngettext": (1, 2), "pgettext": ((1, "c"), 2)}


def messages_in_code() -> set[str]:
    method_map = [("watch/**.py", "python"), ("templates/**.html", "jinja2"), ("templates/**.txt", "jinja2")]
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map=method_map, keywords=KEYWORDS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def swedish_catalogue():
    with open(ROOT / "translations/sv/LC_MESSAGES/messages.po", "rb") as f:
        return read_po(f)


def test_the_swedish_catalogue_has_every_message_in_the_code():
    catalogue = swedish_catalogue()
    in_catalogue = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalogue if m.id}
    missing = sorted(messages_in_code() - in_catalogue)
    assert not missing, f"run `flask translate update` and translate: {missing[:10]}"


def test_every_swedish_message_is_translated_and_not_fuzzy():
    untranslated = [m.id for m in swedish_catalogue() if m.id and (not m.string or m.fuzzy or
                    (isinstance(m.string, tuple) and not all(m.string)))]
    assert not untranslated, untranslated[:10]


def test_placeholders_survive_translation():
    import re

    for message in swedish_catalogue():
        if not message.id or isinstance(message.id, tuple):
            continue
        assert set(re.findall(r"%\(\w+\)\w", message.id)) == set(re.findall(r"%\(\w+\)\w", message.string)), message.id
