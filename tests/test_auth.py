import json
import re
import time
from dataclasses import asdict

import pytest
from sqlalchemy import func, select

from watch.auth.services import _registration_cipher, registration_from_token
from watch.models import OutboxMessage, Role, User
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


def registration_link(db, address: str) -> str:
    [email] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == address)).all()
    return re.search(r"https?://\S+(/register/confirm/\S+)", email.body).group(1)


def flashes(client) -> list:
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


def test_resident_registers_confirms_by_email_and_is_logged_in(app, client, factory, db):
    municipality = factory.municipality()
    response = client.post("/register", data=registration(municipality, locale="en"))
    assert response.status_code == 302 and response.location == "/"
    assert user_count(db) == 0  # nothing is made until the owner of the address opens the link
    page = client.get(response.location).get_data(as_text=True)
    assert "Nästan klart: vi har skickat ett mejl till eva.sjoberg@exempel.se." in page and "Logga in" in page

    [email] = db.session.scalars(select(OutboxMessage)).all()
    assert email.subject == "Finish creating your Grannsamverkan account"  # in the language chosen in the form
    assert email.body.startswith("Hello Eva Sjöberg,") and "Hamnvägen" not in email.body
    link = registration_link(db, "eva.sjoberg@exempel.se")
    page = client.get(link).get_data(as_text=True)
    assert "Eva Sjöberg" in page and "Oxelösund" in page and "Skapa mitt konto" in page
    assert user_count(db) == 0  # a mail scanner opening the link makes nothing

    response = client.post(link)
    assert response.status_code == 302
    user = db.session.scalar(select(User))
    assert user.name == "Eva Sjöberg" and user.role == Role.RESIDENT and user.municipality_id == municipality.id
    assert user.phone == "+46701234567" and user.locale == "en"
    assert user.password_hash.startswith("$argon2id$")
    page = client.get(response.location).get_data(as_text=True)
    assert "Welcome, Eva Sjöberg!" in page and "Log out" in page  # logged in, in the language chosen
    client.post("/logout")
    assert client.post("/login", data={"email": user.email, "password": "Hamnvägen-12-brygga"}).status_code == 302

    # The link again: the account exists now, so it says so and makes no second one.
    again = app.test_client().get(link)
    assert again.status_code == 302 and again.location == "/login" and user_count(db) == 1


def test_registering_with_an_existing_address_answers_exactly_like_a_new_one(app, factory, db):
    municipality = factory.municipality()
    owner = factory.user(name="Eva Lind", email="eva.sjoberg@exempel.se", locale="en")
    before = (owner.name, owner.password_hash, owner.session_token, owner.locale, owner.phone)
    answers = []
    for address in ("Eva.Sjoberg@EXEMPEL.se", "Maria.Holm@EXEMPEL.se"):  # taken (whatever the case), then new
        client = app.test_client()
        response = client.post("/register", data=registration(municipality, email=address, name="Eva Sjöberg"))
        answers.append((response.status_code, response.location,
                        [(kind, text.replace(address.lower(), "<address>")) for kind, text in flashes(client)],
                        response.get_data(as_text=True)))
    assert answers[0] == answers[1]
    assert answers[0][0] == 302 and answers[0][2][0][1].startswith("Nästan klart: vi har skickat ett mejl till")

    assert user_count(db) == 1
    db.session.refresh(owner)
    assert (owner.name, owner.password_hash, owner.session_token, owner.locale, owner.phone) == before
    [email] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == owner.email)).all()
    assert email.subject == "Someone tried to create a Grannsamverkan account with your address"  # their language
    assert email.body.startswith("Hello Eva Lind,") and "no new one was made" in email.body
    assert "http://127.0.0.1:5000/login" in email.body and "http://127.0.0.1:5000/password/forgot" in email.body
    assert "/register/confirm/" not in email.body and "Hamnvägen" not in email.body
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 2  # the new address got its link


def test_a_deactivated_account_gets_no_email_and_the_same_answer(client, factory, db):
    municipality = factory.municipality()
    owner = factory.user(email="eva.sjoberg@exempel.se")
    owner.active = False
    db.session.commit()
    response = client.post("/register", data=registration(municipality))
    assert response.status_code == 302 and response.location == "/"
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0 and user_count(db) == 1


def test_a_link_that_is_old_broken_or_tampered_with_makes_nothing(app, client, factory, db):
    municipality = factory.municipality()
    client.post("/register", data=registration(municipality))
    link = registration_link(db, "eva.sjoberg@exempel.se")
    token = link.rsplit("/", 1)[1]
    with app.test_request_context():
        typed = registration_from_token(token)
        old = _registration_cipher().encrypt_at_time(json.dumps(asdict(typed)).encode(),
                                                     int(time.time()) - 25 * 3600).decode()
    tampered = token[:40] + ("A" if token[40] != "A" else "B") + token[41:]
    for bad in (old, token[:-10], tampered, "inte-en-länk"):
        assert "Länken fungerar inte." in client.get(f"/register/confirm/{bad}").get_data(as_text=True)
        assert client.post(f"/register/confirm/{bad}").status_code == 200
    assert user_count(db) == 0
    assert client.post(link).status_code == 302 and user_count(db) == 1


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


def test_registration_emails_are_limited_per_address_taken_or_new_alike(limited_app):
    app, factory = limited_app
    municipality = factory.municipality()
    factory.user(email="eva.sjoberg@exempel.se")
    for address in ("eva.sjoberg@exempel.se", "maria.holm@exempel.se"):
        statuses = [app.test_client().post("/register", data=registration(municipality, email=address),
                                           environ_base={"REMOTE_ADDR": f"10.0.{len(address)}.{n}"}).status_code
                    for n in range(4)]
        assert statuses == [302, 302, 302, 429], address
