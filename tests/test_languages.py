"""Five interface languages: chosen by the browser, the switch or the account; right to left in Arabic;
numbers that stay left to right; dates in the reader's language; whole legal pages per language."""
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime

from tests.group_helpers import make_group
from tests.observation_support import file_observation, make_group as make_observation_group
from watch.core.languages import LANGUAGE_NAMES, text_direction

SWITCH_CHOICE = re.compile(
    r'<button type="submit" name="lang" value="(\w+)" lang="(\w+)" dir="(\w+)"[^>]*>([^<]+)</button>')


def html_tag(page: str) -> str:
    return re.search(r"<html[^>]*>", page).group(0)


def language_cookie_set(response) -> bool:
    return any(cookie.startswith("lang=") for cookie in response.headers.getlist("Set-Cookie"))


def visitor(app, language: str | None = None, browser: str | None = None):
    """A test client that chose `language` with the switch before (the cookie) and whose browser asks for `browser`."""
    client = app.test_client()
    if language:
        client.set_cookie("lang", language)
    if browser:
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = browser
    return client


@pytest.mark.parametrize(("accept_language", "language", "direction"), [
    ("ar", "ar", "rtl"), ("fi-FI", "fi", "ltr"), ("so", "so", "ltr"), ("de-DE, fi;q=0.8, en;q=0.5", "fi", "ltr"),
    ("ar-SE,ar;q=0.9,sv;q=0.8", "ar", "rtl"), ("en-GB", "en", "ltr"), ("", "sv", "ltr"),
    ("so-SO, ar;q=0.5", "so", "ltr"), ("FI_fi", "fi", "ltr"), ("ar;q=0, en;q=0.1", "en", "ltr")])
def test_the_browsers_language_chooses_the_first_visits_language_and_direction(client, db, accept_language,
                                                                                language, direction):
    page = client.get("/register", headers={"Accept-Language": accept_language}).get_data(as_text=True)
    assert html_tag(page) == f'<html lang="{language}" dir="{direction}">'


@pytest.mark.parametrize(("accept_language", "language"), [("ar-SE,ar;q=0.9", "ar"), ("fi-FI", "fi"), ("de", "sv")])
def test_a_new_account_is_offered_the_language_the_registration_page_is_in(client, db, accept_language, language):
    page = client.get("/register", headers={"Accept-Language": accept_language}).get_data(as_text=True)
    assert re.search(rf'<option(?=[^>]*\bselected\b)(?=[^>]*value="{language}")[^>]*>', page)


def test_the_switch_lists_every_language_in_its_own_name_and_marks_the_current_one(client, db):
    page = client.get("/", headers={"Accept-Language": "fi"}).get_data(as_text=True)
    choices = SWITCH_CHOICE.findall(page)
    assert [(code, name) for code, _, _, name in choices] == list(LANGUAGE_NAMES.items())
    assert all(code == lang for code, lang, _, _ in choices)  # each pronounced in its own language
    assert [code for code, _, direction, _ in choices if direction == "rtl"] == ["ar"]
    assert re.search(r'value="fi"[^>]*aria-current="true"', page)
    assert page.count('aria-current="true"') == 1
    assert re.search(r'<input type="hidden" name="next" value="/">', page)


@pytest.mark.parametrize("language", ["fi", "ar", "so"])
def test_a_visitors_choice_is_kept_in_a_cookie_and_beats_the_browser(client, db, language):
    response = client.post("/language", data={"lang": language, "next": "/register"})
    assert response.status_code == 302 and response.location == "/register"
    assert f"lang={language};" in response.headers["Set-Cookie"]
    page = client.get("/register", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    assert html_tag(page).startswith(f'<html lang="{language}"')


def test_the_switch_saves_the_choice_on_the_account_which_then_wins_everywhere(app, db, factory, login):
    amina = factory.user(name="Amina Yusuf", locale="sv")
    client = login(amina)
    response = client.post("/language", data={"lang": "ar", "next": "/profile"})
    assert response.status_code == 302 and "lang=ar;" in response.headers["Set-Cookie"]
    db.session.refresh(amina)
    assert amina.locale == "ar"
    # Another browser of hers, with no cookie and a Swedish browser, follows the account.
    elsewhere = login(amina)
    page = elsewhere.get("/profile", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    assert html_tag(page) == '<html lang="ar" dir="rtl">'
    assert re.search(r'<option(?=[^>]*\bselected\b)(?=[^>]*value="ar")[^>]*>', page)  # the profile's setting


def test_a_cached_public_page_is_never_served_in_another_language(app, db, factory):
    factory.municipality("Oxelösund", "0481")
    visitors = {"sv": visitor(app, browser="sv"), "ar": visitor(app, browser="ar"), "fi": visitor(app, browser="fi-FI"),
                "so": visitor(app, "so"), "en": visitor(app, "en", browser="ar")}
    for _ in range(2):  # the first round fills the cache, the second is served from it
        for language, client in visitors.items():
            for path in ("/", "/m/oxelosund", "/cookies"):
                page = client.get(path).get_data(as_text=True)
                assert html_tag(page).startswith(f'<html lang="{language}"'), (language, path)


@pytest.mark.parametrize("value", ["de", "", "AR", "ar\r\nSet-Cookie: x=1", "../sv", "sv-SE", "ar " * 200])
def test_a_language_the_portal_does_not_offer_is_refused_clearly(client, db, value):
    response = client.post("/language", data={"lang": value, "next": "/"})
    assert response.status_code == 400 and not language_cookie_set(response)
    assert "Portalen finns inte på det språket." in response.get_data(as_text=True)


def test_the_menu_on_the_refusal_page_returns_to_a_page_that_exists(client, db):
    refused = client.post("/language", data={"lang": "de", "next": "/"}).get_data(as_text=True)
    assert '<input type="hidden" name="next" value="/">' in refused
    chosen = client.post("/language", data={"lang": "en", "next": "/"})
    assert chosen.status_code == 302 and client.get(chosen.location).status_code == 200


def test_no_language_at_all_is_refused_clearly(client, db):
    response = client.post("/language", data={"next": "/"})
    assert response.status_code == 400 and not language_cookie_set(response)


@pytest.mark.parametrize("language", ["sv", "en", "fi", "ar", "so"])
@pytest.mark.parametrize("path", ["/privacy", "/accessibility", "/cookies"])
def test_legal_pages_are_in_the_readers_language_with_its_direction(app, db, factory, path, language):
    factory.municipality("Oxelösund", "0481")
    page = visitor(app, language).get(path).get_data(as_text=True)
    assert html_tag(page).startswith(f'<html lang="{language}"')
    # The text says its language and direction itself: render_template falls back to English where a
    # language has no text of its own, and an English text on an Arabic page must stay left to right.
    assert f'<article class="legal" lang="{language}" dir="{text_direction(language)}">' in page


def test_the_cookie_and_accessibility_pages_tell_of_five_languages(app, client, db, factory):
    factory.municipality("Oxelösund", "0481")
    assert "Remembers which language you chose." in visitor(app, "en").get("/cookies").text
    assert "Kommer ihåg vilket språk du valt." in client.get("/cookies").text
    english = visitor(app, "en").get("/accessibility").text
    assert "five languages: Swedish, English, Finnish, Arabic and Somali" in english
    assert "await review by native speakers" in english
    assert "fem språk: svenska, engelska, finska, arabiska och somaliska" in client.get("/accessibility").text


def test_phone_numbers_and_postcodes_read_left_to_right_on_an_arabic_page(db, factory, login):
    eva = factory.user(name="Eva Sjöberg", phone="+46701234505")
    amina = factory.user(name="Amina Yusuf", phone="+46701234507", locale="ar")
    group = make_group(eva, show_phone=True, members=[amina])
    page = login(amina).get(f"/groups/{group.id}").get_data(as_text=True)
    assert html_tag(page) == '<html lang="ar" dir="rtl">'
    assert '<bdi dir="ltr">070-123 45 05</bdi>' in page
    assert '<bdi dir="ltr">613 31</bdi>' in page
    assert '<a href="tel:11414"><bdi dir="ltr">114 14</bdi></a>' in page  # the police's tip line in the footer


def test_phone_inputs_are_typed_left_to_right(client, db):
    page = client.get("/register", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert re.search(r'<input[^>]*dir="ltr"[^>]*type="tel"|<input[^>]*type="tel"[^>]*dir="ltr"', page)


def test_dates_and_weeks_follow_the_readers_language(db, factory, login):
    municipality = factory.municipality("Oxelösund", "0481")
    seen_at = (datetime.now(timezone.utc) - timedelta(days=2)).replace(hour=17, minute=40, second=0, microsecond=0)
    pages = {}
    for language in ("sv", "fi", "ar"):
        reporter = factory.user(name="Leila Haddad", locale=language)
        group = make_observation_group(db, municipality, name=f"Västra vägen {language}", members=[reporter])
        observation = file_observation(db, reporter, group, observed_at=seen_at)
        pages[language] = login(reporter).get(f"/observations/{observation.id}").get_data(as_text=True)
    for language, page in pages.items():
        expected = format_datetime(seen_at, "short", tzinfo=ZoneInfo("Europe/Stockholm"), locale=language)
        assert expected in page, (language, expected)
    assert len({format_datetime(seen_at, "short", locale=language) for language in pages}) == 3
    week = seen_at.astimezone(ZoneInfo("Europe/Stockholm")).isocalendar().week
    assert f"(vecka {week})" in pages["sv"]
    # What the reporter wrote runs in its own direction, whatever the page's.
    assert '<p class="observation-text" dir="auto">En vit skåpbil' in pages["ar"]


def test_the_installed_app_is_right_to_left_for_an_arabic_account(db, factory, login):
    amina = factory.user(name="Amina Yusuf", locale="ar")
    manifest = login(amina).get("/manifest.webmanifest").get_json()
    assert (manifest["lang"], manifest["dir"]) == ("ar", "rtl")


def test_the_installed_apps_offline_page_is_kept_in_the_persons_language(app, db, factory, login):
    amina = factory.user(name="Amina Yusuf", locale="ar")
    worker = login(amina).get("/service-worker.js").get_data(as_text=True)
    assert '"/offline?lang=ar"' in worker
    # The worker fetches it without cookies, from a phone whose browser may well say Swedish.
    offline = visitor(app, browser="sv").get("/offline?lang=ar").get_data(as_text=True)
    assert html_tag(offline) == '<html lang="ar" dir="rtl">'
    assert html_tag(visitor(app, browser="sv").get("/offline?lang=xx").get_data(as_text=True)).startswith(
        '<html lang="sv"')
