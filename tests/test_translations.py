"""Every string a user can see is translated in every catalogue, the placeholders survive, and each
interface language has its catalogue (English is the language of the code: it needs none)."""
import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from watch.core.languages import LANGUAGE_NAMES

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
            "lazy_ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
CATALOGUES = sorted(path.parts[-3] for path in ROOT.glob("translations/*/LC_MESSAGES/messages.po"))
PLACEHOLDER = re.compile(r"%\(\w+\)\w")
COUNT = "%(num)d"  # what ngettext fills in: a plural form may say it in words ("one group") instead


@cache
def messages_in_code() -> frozenset[str]:
    method_map = [("watch/**.py", "python"), ("templates/**.html", "jinja2"), ("templates/**.txt", "jinja2")]
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map=method_map, keywords=KEYWORDS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return frozenset(found)


@cache
def catalogue(language: str):
    with open(ROOT / f"translations/{language}/LC_MESSAGES/messages.po", "rb") as f:
        return read_po(f)


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_every_interface_language_but_english_has_a_catalogue_and_every_catalogue_is_offered():
    assert set(CATALOGUES) == set(LANGUAGE_NAMES) - {"en"}


@pytest.mark.parametrize("language", CATALOGUES)
def test_the_catalogue_has_every_message_in_the_code(language):
    in_catalogue = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalogue(language) if m.id}
    missing = sorted(messages_in_code() - in_catalogue)
    assert not missing, f"run `flask translate update` and translate: {missing[:10]}"


@pytest.mark.parametrize("language", CATALOGUES)
def test_every_message_is_translated_and_not_fuzzy(language):
    untranslated = [m.id for m in catalogue(language) if m.id and (not m.string or m.fuzzy or
                    (isinstance(m.string, tuple) and not all(m.string)))]
    assert not untranslated, f"{len(untranslated)} untranslated in {language}: {untranslated[:10]}"


@pytest.mark.parametrize("language", CATALOGUES)
def test_every_plural_has_the_languages_number_of_forms(language):
    messages = catalogue(language)
    wrong = [m.id[0] for m in messages if m.pluralizable and m.string and any(m.string)
             and len(m.string) != messages.num_plurals]
    assert not wrong, f"{language} has {messages.num_plurals} plural forms: {wrong[:10]}"


@pytest.mark.parametrize("language", CATALOGUES)
def test_placeholders_survive_translation(language):
    wrong = []
    for message in catalogue(language):
        if not message.id or not message.string:
            continue
        if isinstance(message.id, tuple):
            # Each form uses only what the English has, and keeps all of it but the count.
            known = placeholders(message.id[0]) | placeholders(message.id[1])
            wrong += [(message.id[0], form) for form in message.string if form and
                      not (known - {COUNT} <= placeholders(form) <= known)]
        elif placeholders(message.id) != placeholders(message.string):
            wrong.append((message.id, message.string))
    assert not wrong, wrong[:10]
