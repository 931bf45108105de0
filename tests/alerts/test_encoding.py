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
