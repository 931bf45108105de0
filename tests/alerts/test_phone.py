"""Phone verification: one-time codes, tries, expiry, allowed countries and rate limits."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.alerts.helpers import resident
from watch.models import Channel, OutboxMessage, PhoneVerification, utcnow


def last_code(db, phone) -> tuple[str, str]:
    db.session.expire_all()
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.channel == Channel.SMS,
                                                            OutboxMessage.recipient == phone)
                                .order_by(OutboxMessage.id.desc()))
    return re.search(r"\b(\d{6})\b", message.body).group(1), message.body


@pytest.fixture
def maria(factory, db):
    return resident(factory, factory.municipality(), "Maria Holm", "+46701234507", verified=False)


def test_a_code_by_sms_in_the_persons_language_verifies_the_number(db, maria, login):
    client = login(maria)
    page = client.get("/alerts/phone").get_data(as_text=True)
    assert 'value="+46701234507"' in page and "Skicka kod" in page
    response = client.post("/alerts/phone", data={"phone": "070-123 45 99"})
    assert response.status_code == 302
    code, body = last_code(db, "+46701234599")
    assert body == f"{code} är din kod för Grannsamverkan. Den gäller i 10 minuter. Lämna inte ut den till någon."
    assert code not in {v.code_hash for v in db.session.scalars(select(PhoneVerification))}  # only a hash is kept
    assert "Skriv in koden" in client.get("/alerts/phone").get_data(as_text=True)

    confirmed = client.post("/alerts/phone/confirm", data={"code": code})
    assert confirmed.status_code == 302 and confirmed.location == "/alerts/preferences"
    db.session.refresh(maria)
    assert maria.phone == "+46701234599" and maria.has_verified_phone and maria.phone_verified_at
    assert client.post("/alerts/phone/confirm", data={"code": code}).status_code == 200  # single use
    assert "Skicka först en kod" in client.post("/alerts/phone/confirm", data={"code": code}).get_data(as_text=True)


def test_code_sms_is_in_english_for_an_english_speaker(db, factory, login):
    tom = resident(factory, factory.municipality(), "Tom Wilson", "+46701234508", verified=False, locale="en")
    login(tom).post("/alerts/phone", data={"phone": tom.phone})
    code, body = last_code(db, tom.phone)
    assert body.startswith(f"{code} is your code for Grannsamverkan. It is valid for 10 minutes.")


def test_wrong_codes_count_and_five_tries_end_the_code(db, maria, login):
    client = login(maria)
    client.post("/alerts/phone", data={"phone": maria.phone})
    code, _ = last_code(db, maria.phone)
    wrong = "000000" if code != "000000" else "111111"
    page = client.post("/alerts/phone/confirm", data={"code": wrong}).get_data(as_text=True)
    assert "Fel kod. 4 försök kvar." in page
    for _ in range(4):
        page = client.post("/alerts/phone/confirm", data={"code": wrong}).get_data(as_text=True)
    assert "För många felaktiga försök. Skicka en ny kod." in page
    page = client.post("/alerts/phone/confirm", data={"code": code}).get_data(as_text=True)
    assert "För många felaktiga försök" in page
    db.session.refresh(maria)
    assert not maria.has_verified_phone


def test_a_code_expires_after_ten_minutes_and_a_new_code_replaces_the_old(db, maria, login):
    client = login(maria)
    client.post("/alerts/phone", data={"phone": maria.phone})
    first, _ = last_code(db, maria.phone)
    verification = db.session.scalar(select(PhoneVerification))
    assert timedelta(minutes=9) < verification.expires_at - utcnow() <= timedelta(minutes=10)
    verification.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert "Koden har gått ut" in client.post("/alerts/phone/confirm", data={"code": first}).get_data(as_text=True)

    client.post("/alerts/phone", data={"phone": maria.phone})
    second, _ = last_code(db, maria.phone)
    client.post("/alerts/phone", data={"phone": maria.phone})
    third, _ = last_code(db, maria.phone)
    if second != third:
        assert client.post("/alerts/phone/confirm", data={"code": second}).status_code == 200
    assert client.post("/alerts/phone/confirm", data={"code": third}).status_code == 302


@pytest.mark.parametrize(("phone", "message"), [
    ("+49 151 12345678", "bara att använda svenska mobilnummer (+46)"),
    ("08-123 456 78", "inget mobilnummer"),
    ("", "Skriv ditt mobilnummer."),
    ("070-12", "inget giltigt telefonnummer"),
])
def test_only_mobile_numbers_in_allowed_countries_get_a_code(db, maria, login, phone, message):
    response = login(maria).post("/alerts/phone", data={"phone": phone})
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(PhoneVerification)) is None
    assert db.session.scalar(select(OutboxMessage)) is None


def test_allowed_country_codes_are_configurable(db, maria, login, app, monkeypatch):
    monkeypatch.setitem(app.config, "PHONE_ALLOWED_COUNTRY_CODES", [46, 47])
    assert login(maria).post("/alerts/phone", data={"phone": "+47 412 34 567"}).status_code == 302
    assert last_code(db, "+4741234567")


def test_changing_the_number_in_the_profile_undoes_the_verification(db, factory, login):
    eva = resident(factory, factory.municipality(), "Eva Sjöberg", "+46701234505")
    assert eva.has_verified_phone
    login(eva).post("/profile", data={"name": eva.name, "phone": "0701234590", "locale": "sv"})
    db.session.refresh(eva)
    assert eva.phone == "+46701234590" and not eva.has_verified_phone


def test_codes_are_rate_limited_per_number_and_per_ip(db, factory, rate_limited_client):
    municipality = factory.municipality()
    first = rate_limited_client(resident(factory, municipality, "Maria Holm", "+46701234507", verified=False))
    for _ in range(3):
        assert first.post("/alerts/phone", data={"phone": "070-123 45 07"}).status_code == 302
    # The same number, typed another way and from another account: still the same number.
    second = rate_limited_client(resident(factory, municipality, "Per Nyström", None, verified=False))
    assert second.post("/alerts/phone", data={"phone": "+46701234507"}).status_code == 429
    for n in range(7):  # other numbers go on, until this address has asked for 10 codes in an hour
        assert second.post("/alerts/phone", data={"phone": f"07012346{n:02d}"}).status_code == 302
    refused = second.post("/alerts/phone", data={"phone": "0701234699"})
    assert refused.status_code == 429 and "För många försök" in refused.get_data(as_text=True)
    assert len(db.session.scalars(select(PhoneVerification)).all()) == 10
