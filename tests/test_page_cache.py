"""Public pages cached whole for visitors who are not logged in: no token in them, per language, never
anyone's personal page, and fresh again as soon as what they show changes."""
from datetime import date

import pytest

from tests.group_helpers import make_group
from tests.querycount import count_queries
from watch.models import CitizenPromise, GroupStatus, Membership, MembershipRole, MembershipStatus, Role

PUBLIC_PAGES = ["/", "/m/oxelosund", "/m/oxelosund/groups", "/m/oxelosund/promises", "/privacy", "/accessibility",
                "/m/oxelosund/privacy", "/m/oxelosund/accessibility", "/cookies"]


@pytest.fixture
def town(db, factory):
    eva = factory.user(name="Eva Sjöberg", phone="+46701234505")
    return make_group(eva, members=[factory.user(name="Maria Holm")])


@pytest.mark.parametrize("path", [*PUBLIC_PAGES, "group"])
def test_a_public_page_is_served_from_the_cache_without_a_token_and_with_validators(client, db, town, path):
    path = f"/m/oxelosund/groups/{town.id}" if path == "group" else path
    first = client.get(path)
    assert first.status_code == 200
    with count_queries(db.engine) as queries:
        again = client.get(path)
    assert queries.count == 0, queries  # nothing rendered, nothing asked of the database
    assert again.get_data() == first.get_data()
    page = first.get_data(as_text=True)
    assert "csrf_token" not in page and "X-CSRFToken" not in page
    assert "Set-Cookie" not in first.headers and "Set-Cookie" not in again.headers
    assert again.headers["ETag"] and "public" in again.headers["Cache-Control"]
    assert "max-age=60" in again.headers["Cache-Control"]
    assert {"Cookie", "Accept-Language"} <= set(again.headers["Vary"].replace(" ", "").split(","))
    unchanged = client.get(path, headers={"If-None-Match": again.headers["ETag"]})
    assert unchanged.status_code == 304 and unchanged.get_data() == b""


def test_each_language_has_its_own_copy_and_the_switch_works_without_a_token(client, db, town, app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # as in production: every other form needs its token
    assert client.post("/login", data={"email": "x@exempel.se", "password": "x"}).status_code == 400
    assert "Välj din kommun" in client.get("/").get_data(as_text=True)
    assert "Choose your municipality" in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    switch = client.post("/language", data={"lang": "en", "next": "/m/oxelosund"})  # as the cached page posts it
    assert switch.status_code == 302 and switch.location == "/m/oxelosund"
    assert "Grannsamverkan in Oxelösund" in client.get("/m/oxelosund").get_data(as_text=True)
    client.post("/language", data={"lang": "sv", "next": "/"})
    assert "Välj din kommun" in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_a_logged_in_person_never_gets_a_cached_page_nor_leaves_one(client, db, town, factory, login):
    group_page = f"/m/oxelosund/groups/{town.id}"
    anonymous = client.get(group_page).get_data(as_text=True)
    assert "Logga in för att be att få gå med" in anonymous

    maria = login(town.memberships[1].user)
    mine = maria.get(group_page)
    assert "Du är medlem i den här gruppen." in mine.get_data(as_text=True)  # rendered for her, not the cache
    assert mine.headers["Cache-Control"] == "no-store" and "ETag" not in mine.headers
    assert 'name="csrf_token"' in mine.get_data(as_text=True)

    tom = login(factory.user(name="Tom Wilson"))
    page = tom.get(group_page).get_data(as_text=True)
    assert "Be att få gå med" in page and "Du är medlem" not in page

    again = client.get(group_page).get_data(as_text=True)
    assert again == anonymous and "Maria" not in again and "Tom Wilson" not in again


def test_a_message_waiting_in_the_session_is_shown_not_a_cached_page(client, db, town):
    client.get("/")
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Du är utloggad.")]
    assert "Du är utloggad." in client.get("/").get_data(as_text=True)
    assert "Du är utloggad." not in client.get("/").get_data(as_text=True)  # shown once, as ever


def test_a_group_decided_by_the_coordinator_shows_in_the_cached_directory_at_once(client, db, factory, login):
    municipality = factory.municipality()
    coordinator = factory.user(Role.COORDINATOR, municipality)
    group = make_group(factory.user(), name="Ramdalen norra", postcodes=["61335"], status=GroupStatus.PENDING)
    before = client.get("/m/oxelosund/groups").get_data(as_text=True)
    assert "Ramdalen norra" not in before and before == client.get("/m/oxelosund/groups").get_data(as_text=True)

    assert login(coordinator).post(f"/coordinator/groups/{group.id}/approve").status_code == 302
    assert ">Ramdalen norra</a>" in client.get("/m/oxelosund/groups").get_data(as_text=True)


def test_changes_to_municipalities_groups_and_members_refresh_the_pages_that_show_them(client, db, town, factory):
    client.get("/"), client.get("/m/oxelosund/groups"), client.get(f"/m/oxelosund/groups/{town.id}")
    factory.municipality("Nyköping", "0480")
    assert "Nyköping" in client.get("/").get_data(as_text=True)

    town.name = "Västra vägen och Tallvägen"
    db.session.commit()
    assert "Västra vägen och Tallvägen" in client.get("/m/oxelosund/groups").get_data(as_text=True)

    assert "2 medlemmar" in client.get("/m/oxelosund/groups").get_data(as_text=True)
    db.session.add(Membership(group=town, user=factory.user(name="Tom Wilson"), role=MembershipRole.MEMBER,
                              status=MembershipStatus.ACTIVE))
    db.session.commit()
    assert "3 medlemmar" in client.get("/m/oxelosund/groups").get_data(as_text=True)
    make_group(factory.user(), name="Tallbacken", postcodes=["61335"])
    assert "2 grupper" in client.get("/m/oxelosund/groups").get_data(as_text=True)

    client.get("/m/oxelosund/promises")
    db.session.add(CitizenPromise(municipality_id=town.municipality_id, title="Tryggare kväll i Stadsparken",
                                  body="Polisen och kommunen går trygghetsvandringar varje fredag.",
                                  starts_on=date(2025, 1, 1), ends_on=date(2025, 6, 30)))
    db.session.commit()
    assert "Tryggare kväll i Stadsparken" in client.get("/m/oxelosund/promises").get_data(as_text=True)


def test_the_cache_can_be_turned_off(client, db, town, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_PAGE_CACHE", False)
    client.get("/m/oxelosund/groups")
    with count_queries(db.engine) as queries:
        response = client.get("/m/oxelosund/groups")
    assert queries.count > 0 and "ETag" not in response.headers


@pytest.fixture
def requests_reaching_the_app(app, monkeypatch):
    """The requests that got past the cached-response middleware into Flask."""
    hits = app.wsgi_app  # watch.core.page_cache.PublicPageHits
    reached = []

    def counting(environ, start_response):
        reached.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    inner = hits.wsgi_app
    monkeypatch.setattr(hits, "wsgi_app", counting)
    return reached


def without_request_id(headers) -> list:
    return sorted((name, value) for name, value in headers.items() if name != "X-Request-ID")


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_visitor_without_cookies_gets_the_page_before_flask_with_the_apps_own_headers(
        client, db, town, requests_reaching_the_app, method):
    path = f"/m/oxelosund/groups/{town.id}"
    miss = client.get(path)
    hit = client.open(path, method=method)
    assert requests_reaching_the_app == [path]
    assert hit.status_code == 200 and without_request_id(hit.headers) == without_request_id(miss.headers)
    assert "Content-Security-Policy" in hit.headers and hit.headers["X-Frame-Options"] == "DENY"
    assert hit.get_data() == (miss.get_data() if method == "GET" else b"")
    assert hit.headers["X-Request-ID"] != miss.headers["X-Request-ID"]  # each request its own, for the logs

    other = client.application.test_client()
    other.set_cookie("seen_the_notice", "1")  # any cookie but the language one: the app itself answers
    apps_304 = other.get(path, headers={"If-None-Match": miss.headers["ETag"]})
    requests_reaching_the_app.clear()
    hit_304 = client.get(path, headers={"If-None-Match": miss.headers["ETag"]})
    assert requests_reaching_the_app == [] and apps_304.status_code == hit_304.status_code == 304
    assert without_request_id(hit_304.headers) == without_request_id(apps_304.headers) and hit_304.get_data() == b""


@pytest.mark.parametrize(("cookie", "accept_language", "language"), [
    (None, None, "sv"), (None, "en-GB,en;q=0.9", "en"), (None, "de, sv;q=0.5", "sv"), (None, "fr", "sv"),
    ("en", "sv", "en"), ("sv", "en", "sv"), ("xx", "en", "en"), (None, "ar", "ar"), (None, "fi-FI,fi;q=0.9", "fi"),
    ("so", "sv", "so"), (None, "so-SO, ar;q=0.5", "so")])
def test_the_language_of_a_page_served_before_flask_is_the_one_the_app_chooses(
        client, db, town, requests_reaching_the_app, cookie, accept_language, language):
    if cookie:
        client.set_cookie("lang", cookie)
    headers = {"Accept-Language": accept_language} if accept_language else {}
    pages = [client.get("/m/oxelosund", headers=headers).get_data(as_text=True) for _ in range(2)]
    assert requests_reaching_the_app == ["/m/oxelosund"]
    direction = "rtl" if language == "ar" else "ltr"
    assert all(f'<html lang="{language}" dir="{direction}">' in page for page in pages)


def test_a_request_with_any_other_cookie_goes_to_the_app(client, db, town, requests_reaching_the_app, login):
    client.get("/privacy")
    client.set_cookie("remember_token", "whoever-this-is")  # flask-login could log in from this alone
    client.get("/privacy")
    maria = login(town.memberships[1].user)
    requests_reaching_the_app.remove("/login")
    maria.get("/privacy"), maria.get("/privacy")
    assert requests_reaching_the_app == ["/privacy"] * 4
