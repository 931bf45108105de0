"""Issue 17: an alert in the languages its recipients read. The author writes Swedish; the confirm step shows how
many read each other language and takes a version for any of them; each recipient gets their language's version,
else the Swedish text, by SMS, email and push, and the feed shows it to them; the report counts each language."""
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from tests.alerts.helpers import compose_data, deliveries, resident
from tests.fake_push import FakeBrowser
from tests.querycount import count_queries
from tests.test_push import push_service, turn_on_push  # noqa: F401 - the fake push service fixture
from watch.alerts import retention
from watch.alerts.sending import dispatch_alert
from watch.alerts.services import Targeting, create_alert, reach
from watch.models import (
    Alert, AlertTarget, AlertVersion, Channel, Membership, MembershipRole, MembershipStatus, OutboxMessage,
    PushMessage, utcnow,
)

SWEDISH = "Tre inbrott i förråd på Västra vägen i veckan. Lås in trimmers. Tips: 114 14."
ARABIC = "ثلاث سرقات من المخازن في شارع فيسترا هذا الأسبوع. أغلقوا المخازن بالقفل. معلومات: 114 14."
FINNISH = "Kolme varastomurtoa Västra vägenillä tällä viikolla. Lukitkaa varastot. Vihjeet: 114 14."
EVA, PER, AINO, LAYLA = "+46701234505", "+46701234506", "+46701234513", "+46701234514"


@pytest.fixture
def readers(db, town, factory):
    """Two more contact persons of Västra vägen: Aino reads Finnish, Layla Arabic (both by SMS)."""
    aino = resident(factory, town.municipality, "Aino Virtanen", AINO, locale="fi")
    layla = resident(factory, town.municipality, "Layla Hassan", LAYLA, locale="ar")
    for person in (aino, layla):
        db.session.add(Membership(group=town.vastra, user=person, role=MembershipRole.CONTACT,
                                  status=MembershipStatus.ACTIVE))
    db.session.commit()
    return SimpleNamespace(aino=aino, layla=layla)


def send(client, town, **overrides) -> int:
    response = client.post("/alerts/new", data=compose_data(town.municipality, **overrides))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return int(response.location.rsplit("/", 1)[1])


def sms_bodies(db) -> dict[str, str]:
    db.session.expire_all()
    return dict(db.session.execute(
        select(OutboxMessage.recipient, OutboxMessage.body).where(OutboxMessage.channel == Channel.SMS)).all())


def row(page: str, language_name: str) -> list[str]:
    """The cells of a table row whose heading names this language."""
    match = re.search(rf'<tr>\s*<th scope="row"><span lang="\w+">{language_name}</span></th>(.*?)</tr>', page, re.S)
    assert match, language_name
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S)]


def test_the_confirm_step_shows_how_many_read_each_other_language_and_offers_a_version_for_them(
        db, town, readers, login):
    page = login(town.police).post("/alerts/new", data=compose_data(town.municipality, action="review")).text
    assert "Andra språk" in page
    assert re.search(r'<span lang="fi">Suomi</span>:\s*1 mottagare läser det', page)
    assert re.search(r'<span lang="ar">العربية</span>:\s*1 mottagare läser det', page)
    assert 'name="version_fi"' in page and 'name="version_ar"' in page
    [arabic_field] = re.findall(r'<textarea[^>]*name="version_ar"[^>]*>', page)
    assert 'dir="rtl"' in arabic_field and 'lang="ar"' in arabic_field  # written right to left
    # Nobody reached reads Somali or English (Tom, who reads English, is a member, not a contact person).
    assert 'name="version_so"' not in page and 'name="version_en"' not in page
    # Until a version is written, everyone gets the Swedish text: 4 SMS of one part (Olle reads email).
    assert row(page, "Svenska")[:1] == ["4"] and row(page, "Suomi") == ["1", "Ingen version: de får den svenska texten"]


def test_the_reach_counts_each_language_in_the_same_three_queries(db, town, readers):
    targeting = Targeting(town.municipality.id, AlertTarget.MUNICIPALITY)
    with count_queries(db.engine) as queries:
        result = reach(targeting)
    assert queries.count <= 3, queries
    assert {code: (r.sms, r.email) for code, r in result.languages.items()} == {"sv": (2, 1), "fi": (1, 0),
                                                                                "ar": (1, 0)}
    assert list(result.other_languages) == ["fi", "ar"] and (result.sms, result.email) == (4, 1)


def test_the_live_counter_counts_each_version_and_the_sms_parts_of_its_readers(town, readers, login):
    response = login(town.police).post("/alerts/new/summary?part=languages",
                                       data=compose_data(town.municipality, version_ar=ARABIC))
    page = response.text
    assert response.status_code == 200
    # Arabic forces UCS-2: 89 characters make two parts of 67; Layla reads it. The other three read Swedish.
    assert row(page, "العربية") == ["1", "89 tecken · UCS-2 · delar per mottagare: 2", "2"]
    assert row(page, "Svenska") == ["3", f"{len(SWEDISH)} tecken · GSM-7 · delar per mottagare: 1", "3"]
    assert row(page, "Suomi")[:1] == ["1"]
    assert re.search(r'<tfoot>\s*<tr><th scope="row">Totalt</th><td></td><td></td><td class="num">5</td>', page)


def test_an_arabic_version_reaches_the_arabic_reader_in_arabic_and_the_others_in_swedish(db, town, readers, login):
    alert_id = send(login(town.police), town, version_ar=ARABIC)

    bodies = sms_bodies(db)
    assert bodies[LAYLA] == ARABIC
    assert bodies[EVA] == bodies[PER] == SWEDISH
    assert bodies[AINO] == SWEDISH  # no Finnish version: Swedish
    rows = deliveries(db, alert_id)
    assert (rows["Layla Hassan"].language, rows["Aino Virtanen"].language, rows["Eva Sjöberg"].language) == (
        "ar", "sv", "sv")

    report = login(town.police).get(f"/alerts/{alert_id}").text
    assert "Per språk" in report and "Version på العربية" in report
    assert f'<p class="message-body" lang="ar" dir="rtl">{ARABIC}</p>' in report
    # Delivered per language (the outbox reports each SMS delivered): Eva, Per, Aino and Olle's email; Layla.
    assert row(report, "Svenska") == ["4", "4", "0"] and row(report, "العربية") == ["1", "1", "0"]

    layla_feed = login(readers.layla).get("/alerts/feed").text
    assert f'<p class="message-body" lang="ar" dir="rtl">{ARABIC}</p>' in layla_feed and SWEDISH not in layla_feed
    aino_feed = login(readers.aino).get("/alerts/feed").text
    assert f'<p class="message-body" lang="sv" dir="ltr">{SWEDISH}</p>' in aino_feed and ARABIC not in aino_feed


def test_the_same_through_the_twilio_client(db, town, readers, login, fake_twilio):
    alert_id = send(login(town.police), town, version_ar=ARABIC)
    assert [m["Body"] for m in fake_twilio.messages_to(LAYLA)] == [ARABIC]
    assert [m["Body"] for m in fake_twilio.messages_to(AINO)] == [SWEDISH]  # no Finnish version: Swedish
    assert [m["Body"] for m in fake_twilio.messages_to(EVA)] == [SWEDISH]
    assert db.session.get(Alert, alert_id).status == "sent"


def test_a_retry_sends_the_readers_version_again(db, town, readers, login, fake_twilio, monkeypatch, app):
    monkeypatch.setitem(app.config, "SMS_RETRY_BASE_SECONDS", 0)
    fake_twilio.fail_next(LAYLA, times=2, status=503, code=20503)
    send(login(town.police), town, version_ar=ARABIC, version_fi=FINNISH)
    assert [m["Body"] for m in fake_twilio.messages_to(LAYLA)] == [ARABIC]  # once, in Arabic, after two tries
    assert [a.outcome for a in fake_twilio.attempts if a.to == LAYLA] == [503, 503, 201]
    assert [m["Body"] for m in fake_twilio.messages_to(AINO)] == [FINNISH]


def test_an_email_reader_gets_their_languages_version_by_email(db, town, readers, login):
    town.olle.locale = "fi"  # Olle gets alerts by email
    db.session.commit()
    send(login(town.police), town, version_fi=FINNISH)
    db.session.expire_all()
    email = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == town.olle.email))
    assert FINNISH in email.body and SWEDISH not in email.body


def test_push_carries_the_readers_version(db, town, readers, login, push_service):  # noqa: F811
    turn_on_push(login(readers.aino), FakeBrowser(push_service))
    turn_on_push(login(town.eva), FakeBrowser(push_service))
    alert = create_alert(town.police, Targeting(town.municipality.id, AlertTarget.MUNICIPALITY), SWEDISH, 4,
                         {"fi": FINNISH})
    db.session.commit()
    dispatch_alert(alert.id)
    db.session.expire_all()
    bodies = dict(db.session.execute(select(PushMessage.user_id, PushMessage.body)
                                     .where(PushMessage.alert_id == alert.id)).all())
    assert bodies == {readers.aino.id: FINNISH, town.eva.id: SWEDISH}


@pytest.mark.parametrize(("overrides", "message"), [
    ({"version_so": "Qufula bakhaarrada."}, "Ingen som får utskicket läser Soomaali. Ta bort den här versionen."),
    ({"version_ar": "ب" * 500}, "Meddelandet är för långt: högst 6 sms-delar."),
    ({"version_fi": "k" * 1000}, "Högst 918 tecken."),
    ({"version_fi": "Lukitkaa\x1b varastot."},
     "Skriv vanlig text: radbrytningar går bra, men inte styrtecken som ESC."),
])
def test_a_bad_version_is_explained_on_the_confirm_step_and_nothing_is_sent(db, town, readers, login, overrides,
                                                                            message):
    response = login(town.police).post("/alerts/new", data=compose_data(town.municipality, **overrides))
    page = response.text
    assert response.status_code == 200 and "Kontrollera innan du skickar" in page and message in page
    assert 'class="error-summary"' in page
    assert db.session.scalar(select(func.count(Alert.id))) == 0 and sms_bodies(db) == {}


def test_versions_are_kept_when_the_alert_is_changed(town, readers, login):
    client = login(town.police)
    page = client.post("/alerts/new", data=compose_data(town.municipality, action="edit", version_ar=ARABIC)).text
    assert f'name="version_ar" value="{ARABIC}"' in page  # the compose page carries it back to the confirm step
    page = client.post("/alerts/new", data=compose_data(town.municipality, action="review", version_ar=ARABIC)).text
    assert f"{ARABIC}</textarea>" in page


def test_versions_go_with_the_alerts_text_and_my_data_shows_the_text_one_received(db, town, readers, login):
    alert_id = send(login(town.police), town, version_ar=ARABIC, version_fi=FINNISH)
    [received] = login(readers.layla).get("/my-data/export.json").get_json()["alerts_received"]
    assert (received["text"], received["language"]) == (ARABIC, "ar")
    [received] = login(town.eva).get("/my-data/export.json").get_json()["alerts_received"]
    assert (received["text"], received["language"]) == (SWEDISH, "sv")

    retention.remove_alert_texts(now=utcnow() + timedelta(days=400))
    db.session.expire_all()
    assert db.session.get(Alert, alert_id).body == ""
    assert db.session.scalar(select(func.count()).select_from(AlertVersion)) == 0
    page = login(readers.layla).get("/alerts/feed").text
    assert ARABIC not in page
    [received] = login(readers.layla).get("/my-data/export.json").get_json()["alerts_received"]
    assert (received["text"], received["language"]) == ("", "ar")  # she still sees that one reached her
