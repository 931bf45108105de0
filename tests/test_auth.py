import pytest
from sqlalchemy import func, select

from watch.models import Role, User
from tests.conftest import PASSWORD


def registration(municipality, **overrides):
    data = {
        "name": "Eva Sjöberg",
        "email": "eva.sjoberg@exempel.se",
        "password": "Hamnvägen-12-brygga",
        "municipality": municipality.id,
        "locale": "sv",
        "phone": "070-123 45 67",
    }
    return {**data, **overrides}


def user_count(db) -> int:
    return db.session.scalar(select(func.count(User.id)))


def test_resident_registers_and_is_logged_in(client, factory, db):
    municipality = factory.municipality()
    response = client.post("/register", data=registration(municipality))
    assert response.status_code == 302
    user = db.session.scalar(select(User))
    assert user.name == "Eva Sjöberg" and user.role == Role.RESIDENT and user.municipality_id == municipality.id
    assert user.phone == "+46701234567"
    assert user.password_hash.startswith("$argon2id$")
    page = client.get(response.location).get_data(as_text=True)
    assert "Välkommen, Eva Sjöberg!" in page and "Logga ut" in page


def test_email_is_unique_whatever_the_case(client, factory, db):
    municipality = factory.municipality()
    factory.user(email="eva.sjoberg@exempel.se")
    response = client.post("/register", data=registration(municipality, email="Eva.Sjoberg@EXEMPEL.se"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Det finns redan ett konto med den e-postadressen" in page
    assert 'value="Eva Sjöberg"' in page  # what was typed is kept
    assert user_count(db) == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password": "kort"}, "Lösenordet måste vara minst 8 tecken."),
        ({"password": "x" * 129}, "Lösenordet får vara högst 128 tecken."),
        ({"password": "12345678"}, "för lätt att gissa"),
        ({"phone": "070-12"}, "inget giltigt telefonnummer"),
        ({"phone": "+49 151 12345678"}, "bara att använda svenska mobilnummer (+46)"),
        ({"phone": "08-123 456 78"}, "inget mobilnummer"),
        ({"email": "inte-en-adress"}, "Skriv en e-postadress som namn@exempel.se."),
        ({"name": ""}, "Skriv ditt namn."),
    ],
)
def test_bad_registration_input_gets_a_swedish_message_at_the_field(client, factory, db, overrides, message):
    municipality = factory.municipality()
    response = client.post("/register", data=registration(municipality, **overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert 'aria-invalid="true"' in page
    assert "Rätta följande" in page
    assert user_count(db) == 0
    if "email" not in overrides:
        assert 'value="eva.sjoberg@exempel.se"' in page


def test_errors_are_in_english_for_english_visitors(client, factory, db):
    municipality = factory.municipality()
    client.post("/language", data={"lang": "en"})
    page = client.post("/register", data=registration(municipality, password="kort")).get_data(as_text=True)
    assert "The password must be at least 8 characters." in page


def test_tampered_municipality_is_refused(client, factory, db):
    factory.municipality()
    response = client.post("/register", data={**registration(factory.municipality()), "municipality": "99999"})
    assert response.status_code == 200 and user_count(db) == 0


def test_login_logout(client, factory):
    user = factory.user()
    assert client.post("/login", data={"email": user.email.upper(), "password": PASSWORD}).status_code == 302
    assert "Logga ut" in client.get("/").get_data(as_text=True)
    client.post("/logout")
    assert "Logga in" in client.get("/").get_data(as_text=True)


def test_wrong_password_and_unknown_email_read_the_same(client, factory):
    user = factory.user()
    wrong = client.post("/login", data={"email": user.email, "password": "fel-lösenord"}).get_data(as_text=True)
    unknown = client.post("/login", data={"email": "ingen@exempel.se", "password": "x" * 9}).get_data(as_text=True)
    assert "Fel e-postadress eller lösenord." in wrong and "Fel e-postadress eller lösenord." in unknown


def test_deactivated_user_cannot_log_in_and_is_logged_out(db, client, factory, login):
    user = factory.user()
    logged_in = login(user)
    user.active = False
    db.session.commit()
    assert logged_in.get("/profile").status_code == 302
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200


def test_login_redirects_only_to_this_site(client, factory):
    user = factory.user()
    data = {"email": user.email, "password": PASSWORD}
    assert client.post("/login?next=/profile", data=data).location == "/profile"
    client.post("/logout")
    assert client.post("/login?next=//evil.example/x", data=data).location == "/"


def test_profile_edit_keeps_typed_values_on_error_and_saves_when_valid(db, factory, login):
    user = factory.user(phone="+46701234567")
    client = login(user)
    page = client.get("/profile").get_data(as_text=True)
    assert 'value="070-123 45 67"' in page
    bad = client.post("/profile", data={"name": "Ny Namnsson", "phone": "12", "locale": "sv"}).get_data(as_text=True)
    assert "inget giltigt telefonnummer" in bad and 'value="Ny Namnsson"' in bad
    db.session.refresh(user)
    assert user.phone == "+46701234567"
    client.post("/profile", data={"name": "Ny Namnsson", "phone": "", "locale": "en"})
    db.session.refresh(user)
    assert (user.name, user.phone, user.locale) == ("Ny Namnsson", None, "en")


def test_profile_requires_login(client, db):
    response = client.get("/profile")
    assert response.status_code == 302 and response.location.startswith("/login?next=")
