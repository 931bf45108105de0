"""Issue 17: every system SMS, email and push is in the recipient's language, whatever language the sender
reads. Each message is read where it arrives (the outbox) and compared with its language's catalogue."""
import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.group_helpers import emails_to, make_group
from tests.inbox.helpers import sms_to, text
from tests.observation_support import file_observation
from tests.observation_support import make_group as make_observation_group
from watch.models import AlertChannel, GroupStatus, OutboxMessage, Role, utcnow

ROOT = Path(__file__).resolve().parent.parent
URL = "http://127.0.0.1:5000"


@cache
def catalogue(language: str):
    with open(ROOT / f"translations/{language}/LC_MESSAGES/messages.po", "rb") as file:
        return read_po(file, locale=language)


def translated(language: str, msgid: str, **values) -> str:
    """The catalogue's translation, filled in; a missing one fails the test rather than compare English."""
    string = catalogue(language).get(msgid).string
    assert string, f"no {language} translation of {msgid!r}"
    return string % values if values else string


def by_sms(user, phone: str):
    user.phone = user.verified_phone = phone
    user.phone_verified_at = utcnow()
    user.alert_channel = AlertChannel.SMS
    return user


READERS = [("fi", "Aino Virtanen", "+46701234571"), ("ar", "Layla Hassan", "+46701234572")]


@pytest.mark.parametrize(("language", "name", "phone"), READERS)
def test_a_verification_code_comes_in_the_readers_language(db, factory, login, language, name, phone):
    person = factory.user(Role.RESIDENT, name=name, locale=language)
    response = login(person).post("/alerts/phone", data={"phone": phone})
    assert response.status_code == 302
    [sms] = sms_to(db, phone)
    code = re.search(r"\d{6}", sms).group()
    assert sms == translated(language, "%(code)s is your code for Grannsamverkan. It is valid for %(minutes)d "
                                       "minutes. Do not give it to anyone.", code=code, minutes=10)


@pytest.mark.parametrize(("language", "name", "phone"), READERS)
def test_a_group_decision_reaches_the_applicant_in_their_language_by_email_and_sms(
        db, factory, login, language, name, phone):
    municipality = factory.municipality()
    applicant = by_sms(factory.user(Role.RESIDENT, municipality, name=name, locale=language), phone)
    coordinator = factory.user(Role.COORDINATOR, municipality, name="Karin Lindqvist")  # reads Swedish
    group = make_group(applicant, status=GroupStatus.PENDING)
    assert login(coordinator).post(f"/coordinator/groups/{group.id}/approve").status_code == 302

    subject = translated(language, "Your group %(name)s is approved", name="Västra vägen")
    [email] = emails_to(db, applicant)
    assert email.subject == subject
    assert email.body.startswith(translated(language, "Hello %(name)s,", name=name))
    assert sms_to(db, phone) == [f"{subject}. {URL}/groups/"]


@pytest.mark.parametrize(("language", "name", "phone"), READERS)
def test_a_note_on_an_observation_reaches_the_reporter_in_their_language_with_the_date_in_it(
        db, factory, login, language, name, phone):
    municipality = factory.municipality()
    reporter = by_sms(factory.user(Role.RESIDENT, municipality, name=name, locale=language), phone)
    group = make_observation_group(db, municipality, members=[reporter])
    observation = file_observation(db, reporter, group)
    coordinator = factory.user(Role.COORDINATOR, municipality, name="Karin Lindqvist")
    client = login(coordinator)
    client.post(f"/observations/{observation.id}/status", data={"status": "seen"})
    db.session.execute(OutboxMessage.__table__.delete())
    db.session.commit()
    # The same step again with a note: only the note is news.
    client.post(f"/observations/{observation.id}/status", data={"status": "seen", "note": "Vi tittar i morgon."})

    subject = translated(language, "A note about your observation")
    [email] = emails_to(db, reporter)
    assert email.subject == subject
    with_date = translated(language, "The municipality's coordinator has written you a note about the observation "
                                     "you reported %(filed)s.", filed="FILED")
    before, after = with_date.split("FILED")
    filed = email.body.split(before, 1)[1].split(after, 1)[0]
    assert re.search(r"\d", filed) and "Vi tittar" not in email.body  # the date, written the reader's way
    assert sms_to(db, phone) == [f"{subject}. {URL}/observations/{observation.id}"]


@pytest.mark.parametrize(("language", "name", "phone"), READERS)
def test_a_report_by_sms_is_acknowledged_in_the_senders_language(db, factory, client, app, language, name, phone):
    municipality = factory.municipality()
    member = by_sms(factory.user(Role.RESIDENT, municipality, name=name, locale=language), phone)
    make_observation_group(db, municipality, members=[member])
    db.session.commit()
    text(client, app, "Två personer provar bildörrar på Västra vägen just nu.", phone)
    assert sms_to(db, phone) == [translated(
        language, "Thank you! Your observation has reached the municipality's coordinator. It is not a police "
                  "report: if a crime is happening now, call 112. Tips to the police: 114 14.")]

