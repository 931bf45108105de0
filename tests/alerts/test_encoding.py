"""GSM-7 or UCS-2, and how many SMS parts a text takes."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from watch.messaging.sms_encoding import GSM7, UCS2, count, is_gsm7, replace_non_gsm


@pytest.mark.parametrize(("text", "encoding", "units", "segments"), [
    ("", GSM7, 0, 0),
    ("Tre inbrott i förråd på Västra vägen. Lås in trimmers! Tips: 114 14.", GSM7, 68, 1),
    ("Åsa, Örjan, Émile och Günther: ÄÖÅÜÉ äöåüé", GSM7, 42, 1),
    ("a" * 160, GSM7, 160, 1),
    ("a" * 161, GSM7, 161, 2),
    ("a" * 306, GSM7, 306, 2),
    ("a" * 307, GSM7, 307, 3),
    ("€" * 80, GSM7, 160, 1),  # € [ ] { } ^ ~ | \\ take two septets each
    ("a" * 152 + "€" + "b" * 10, GSM7, 164, 2),  # the escape pair is not split: 152 + (2 + 10)
    ("“Lås”", UCS2, 5, 1),
    ("ж" * 70, UCS2, 70, 1),
    ("ж" * 71, UCS2, 71, 2),
    ("😀" * 35, UCS2, 70, 1),  # an emoji is two UTF-16 units
    ("a" * 66 + "😀" + "a" * 3, UCS2, 71, 2),  # the surrogate pair moves whole to part two
])
def test_encoding_units_and_segments(text, encoding, units, segments):
    result = count(text)
    assert (result.encoding, result.units, result.segments) == (encoding, units, segments)


def test_characters_that_force_ucs2_are_listed_with_replacements():
    result = count("“Hej” – nu … 😀 Łódź\u00a0ж")
    assert dict(result.forcing) == {"“": '"', "”": '"', "–": "-", "…": "...", "😀": "", "Ł": None, "ó": "o",
                                    "ź": "z", "\u00a0": " ", "ж": None}
    assert result.replaceable


def test_replacing_makes_a_text_gsm7_when_every_character_has_a_replacement():
    text = replace_non_gsm("“Lås” – grinden… 😀 ’nu’ café")
    assert text == '"Lås" - grinden...  \'nu\' café'
    assert count(text).encoding == GSM7 and count(text).segments == 1


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=400))
def test_segments_are_enough_for_the_units_and_replacing_never_adds_ucs2(text):
    result = count(text)
    per_part = 160 if result.encoding == GSM7 else 70
    if result.units <= per_part:
        assert result.segments == (1 if text else 0)
    else:
        assert result.segments * result.per_segment >= result.units
        assert (result.segments - 1) * result.per_segment < result.units + result.segments
    replaced = replace_non_gsm(text)
    assert {c for c in replaced if not is_gsm7(c)} <= {c for c in text if not is_gsm7(c)}


# Issue 17: the alert's versions in the other languages (the same text counted as the confirm step counts it).
ARABIC = "ثلاث سرقات من المخازن في شارع فيسترا هذا الأسبوع. أغلقوا المخازن بالقفل. معلومات: 114 14."
FINNISH = "Kolme varastomurtoa Västra vägenillä tällä viikolla. Lukitkaa varastot. Vihjeet: 114 14."
SOMALI = ("Saddex xatooyo oo bakhaarro ah ayaa ka dhacay Västra vägen toddobaadkan. Qufula bakhaarrada. "
          "Tilmaamo: 114 14.")


@pytest.mark.parametrize(("text", "encoding", "segments"), [
    (ARABIC, UCS2, 2),  # Arabic script forces UCS-2: 70 characters in one part, 67 in each of several
    ("ب" * 70, UCS2, 1),
    ("ب" * 71, UCS2, 2),
    ("ب" * 134, UCS2, 2),
    ("ب" * 135, UCS2, 3),
    ("ب" * 69 + " 112", UCS2, 2),  # the digits and the space count as UCS-2 too
    (FINNISH, GSM7, 1),  # ä and ö are GSM-7
    ("Šakkikerho Äänekoskella: " + "a" * 60, UCS2, 2),  # but š is not: the whole message becomes UCS-2
    ("Sakkikerho Äänekoskella: " + "a" * 60, GSM7, 1),
    (SOMALI, GSM7, 1),  # Somali in Latin letters and the apostrophe: GSM-7
    ("Ha ka qaadin bakhaarka, la soo wac 112. " * 4 + "Mahadsanid!", GSM7, 2),
])
def test_the_other_languages_count_their_segments(text, encoding, segments):
    result = count(text)
    assert (result.encoding, result.segments) == (encoding, segments)


def test_finnish_s_caron_has_a_gsm7_replacement_and_arabic_letters_have_none():
    assert (count(ARABIC).units, count(ARABIC).per_segment) == (89, 67)
    assert dict(count("Šakki").forcing) == {"Š": "S"}
    assert all(replacement is None for _, replacement in count("ثلاث سرقات").forcing)
    assert not count(ARABIC).replaceable
