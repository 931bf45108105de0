"""Lägesbild and medborgarlöfte: weeks, counts, trend, publishing, CSV, access, query bounds, public summary."""
import csv
import io
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, update

from tests.lagesbild_support import moment_in, observe
from tests.observation_support import make_group
from tests.querycount import count_queries
from tests.alerts.helpers import alert_with_deliveries
from watch.alerts.services import Targeting
from watch.audit import actions
from watch.lagesbild import services
from watch.lagesbild.chart import WIDTH, VALUE_ROOM, category_chart
from watch.core.weeks import IsoWeek, Period, weeks_in_year
from watch.models import (
    AlertAudience, AlertStatus, AlertTarget, AuditEvent, CitizenPromise, Delivery, DeliveryStatus, GroupKind,
    GroupStatus, Observation, ObservationCategory as C, ObservationStatus, Role, SituationPicture, utcnow,
)
from watch.observations.services import anonymise


def week(text: str) -> IsoWeek:
    return IsoWeek.parse(text)


def period(first: str, last: str | None = None) -> Period:
    return Period(week(first), week(last or first))


@pytest.fixture
def world(db, factory):
    """Oxelösund with three approved groups and a pending one, its staff; Nyköping with its own group and staff."""
    oxelosund = factory.municipality("Oxelösund", "0481")
    nykoping = factory.municipality("Nyköping", "0480")
    reporter = factory.user(Role.RESIDENT, oxelosund, name="Maria Holm")
    other_reporter = factory.user(Role.RESIDENT, nykoping, name="Gunnar Åberg")
    return SimpleNamespace(
        oxelosund=oxelosund, nykoping=nykoping, reporter=reporter, other_reporter=other_reporter,
        villas=make_group(db, oxelosund, name="Västra vägen", postcodes=("61331",), members=[reporter]),
        harbour=make_group(db, oxelosund, name="Jogersö båtklubb", kind=GroupKind.BOAT, postcodes=("61339", "61340"),
                           members=[reporter]),
        quiet=make_group(db, oxelosund, name="Ramdalen norra", postcodes=("61335",)),
        pending=make_group(db, oxelosund, name="Femöre fritidsbåtshamn", status=GroupStatus.PENDING,
                           postcodes=("61352",)),
        elsewhere=make_group(db, nykoping, name="Brandholmen", postcodes=("61166",), members=[other_reporter]),
        coordinator=factory.user(Role.COORDINATOR, oxelosund, name="Karin Lindqvist"),
        police=factory.user(Role.POLICE, oxelosund, name="Johan Berg"),
        other_coordinator=factory.user(Role.COORDINATOR, nykoping, name="Amir Haddad"),
        other_police=factory.user(Role.POLICE, nykoping, name="Lena Ek"),
    )


def by_key(rows, key="key"):
    return {row[key]: row for row in rows}


# ---- weeks --------------------------------------------------------------------------------------------

def test_iso_weeks_around_new_year(db):  # db: an app context, for the Swedish time zone
    assert [weeks_in_year(y) for y in (2019, 2020, 2021, 2025, 2026, 2027)] == [52, 53, 52, 52, 53, 52]
    assert date.fromisocalendar(2026, 53, 1) == date(2026, 12, 28)
    with pytest.raises(ValueError):
        IsoWeek(2025, 53)
    assert week("2026-W53").shift(1) == week("2027-W01") and week("2027-W01").shift(-1) == week("2026-W53")
    assert week("2021-W01").shift(-1) == week("2020-W53") and week("2025-W52").shift(1) == week("2026-W01")
    # 1 January 2027 is a Friday in week 53 of 2026; 29 December 2025 is a Monday in week 1 of 2026.
    assert IsoWeek.of_day(date(2027, 1, 1)) == week("2026-W53")
    assert IsoWeek.of_day(date(2025, 12, 29)) == week("2026-W01")
    # Weeks are counted in Swedish time: 23:30 UTC on Sunday is already Monday in Stockholm.
    assert IsoWeek.of(datetime(2026, 12, 27, 23, 30, tzinfo=timezone.utc)) == week("2026-W53")
    assert IsoWeek.of(datetime(2026, 12, 27, 22, 30, tzinfo=timezone.utc)) == week("2026-W52")
    assert week("2026-W53").same_week_last_year() == week("2025-W52")
    assert week("2021-W10").same_week_last_year() == week("2020-W10")
    assert IsoWeek.parse("2026w5") == week("2026-W05") and IsoWeek.parse("2025-W53") is None
    assert IsoWeek.parse("vecka 5") is None


def test_periods_across_new_year(db):
    around = period("2026-W52", "2027-W01")
    assert around.length == 3
    assert [(p.first.key, p.last.key) for p in around.previous(2)] == [("2026-W49", "2026-W51"),
                                                                       ("2026-W46", "2026-W48")]
    assert (around.last_year().first.key, around.last_year().last.key) == ("2025-W52", "2026-W01")
    assert around.starts_at == datetime(2026, 12, 20, 23, 0, tzinfo=timezone.utc)  # Monday 00:00 CET
    assert around.ends_at == datetime(2027, 1, 10, 23, 0, tzinfo=timezone.utc)
    summer = period("2026-W27")
    assert summer.starts_at == datetime(2026, 6, 28, 22, 0, tzinfo=timezone.utc)  # CEST: UTC+2


# ---- counts -------------------------------------------------------------------------------------------

def test_counts_by_category_area_and_trend_come_only_from_the_period_and_the_municipality(world, db):
    w = world
    observe(db, w.reporter, w.villas, "2026-W10", C.BURGLARY, 3)
    observe(db, w.reporter, w.harbour, "2026-W10", C.VANDALISM, location="Brygga A, 613 39 Oxelösund")
    observe(db, w.reporter, w.harbour, "2026-W10", C.OTHER)  # two postcodes, none written: unknown
    observe(db, w.reporter, w.villas, "2026-W10", C.BURGLARY, observed_at=moment_in("2026-W10", 7, 23))  # Sunday night
    observe(db, w.reporter, w.villas, "2026-W11", C.BURGLARY, observed_at=moment_in("2026-W11", 1, 0))  # next Monday
    observe(db, w.reporter, w.villas, "2026-W09", C.BURGLARY, 2)
    observe(db, w.reporter, w.villas, "2026-W08", C.BURGLARY)
    observe(db, w.reporter, w.villas, "2026-W07", C.BURGLARY)
    observe(db, w.reporter, w.harbour, "2026-W06", C.VANDALISM, 2)
    observe(db, w.reporter, w.villas, "2026-W05", C.BURGLARY, 5)  # five weeks back: outside the trend
    observe(db, w.reporter, w.harbour, "2025-W10", C.BOAT_THEFT)
    observe(db, w.other_reporter, w.elsewhere, "2026-W10", C.BURGLARY, 4)  # Nyköping
    observe(db, w.other_reporter, w.elsewhere, "2026-W09", C.BURGLARY, 4)

    oxelosund_id = w.oxelosund.id
    with count_queries(db.engine) as queries:
        counts = services.counts(oxelosund_id, period("2026-W10"))
    assert queries.count == 4, queries

    categories = by_key(counts["categories"])
    assert list(categories) == [c.value for c in C]
    assert categories["burglary"] == {"key": "burglary", "count": 4, "previous": [2, 1, 1, 0],
                                      "previous_average": 1.0, "last_year": 0}
    assert categories["vandalism"] == {"key": "vandalism", "count": 1, "previous": [0, 0, 0, 2],
                                       "previous_average": 0.5, "last_year": 0}
    assert categories["other"]["count"] == 1 and categories["boat_theft"]["last_year"] == 1
    assert categories["fire_hazard"] == {"key": "fire_hazard", "count": 0, "previous": [0, 0, 0, 0],
                                         "previous_average": 0.0, "last_year": 0}
    assert counts["total"] == {"count": 6, "previous": [2, 1, 1, 2], "previous_average": 1.5, "last_year": 1}
    assert counts["previous_periods"] == [["2026-W09", "2026-W09"], ["2026-W08", "2026-W08"],
                                          ["2026-W07", "2026-W07"], ["2026-W06", "2026-W06"]]
    assert counts["last_year_period"] == ["2025-W10", "2025-W10"]
    # Every approved group, quiet ones with zero; not the pending group, never Nyköping's.
    assert counts["groups"] == [{"name": "Västra vägen", "count": 4}, {"name": "Jogersö båtklubb", "count": 2},
                                {"name": "Ramdalen norra", "count": 0}]
    assert counts["postcodes"] == [{"postcode": "61331", "count": 4}, {"postcode": "61339", "count": 1},
                                   {"postcode": None, "count": 1}, {"postcode": "61335", "count": 0},
                                   {"postcode": "61340", "count": 0}]

    nykoping = services.counts(w.nykoping.id, period("2026-W10"))
    assert nykoping["total"]["count"] == 4 and nykoping["total"]["previous"] == [4, 0, 0, 0]
    assert nykoping["groups"] == [{"name": "Brandholmen", "count": 4}]


def test_a_period_of_weeks_and_its_comparisons_across_new_year(world, db):
    w = world
    observe(db, w.reporter, w.villas, "2026-W51", C.VANDALISM)
    observe(db, w.reporter, w.villas, "2026-W52", C.BURGLARY)
    observe(db, w.reporter, w.villas, "2026-W53", C.BURGLARY, 2)
    observe(db, w.reporter, w.villas, "2027-W01", C.BURGLARY, observed_at=moment_in("2027-W01", 1, 0))
    observe(db, w.reporter, w.villas, "2027-W02", C.OTHER)
    observe(db, w.reporter, w.villas, "2025-W52", C.SUSPICIOUS_PERSON)
    observe(db, w.reporter, w.villas, "2026-W01", C.SUSPICIOUS_PERSON, 2)

    counts = services.counts(w.oxelosund.id, period("2026-W53", "2027-W01"))
    assert counts["total"]["count"] == 3
    assert counts["total"]["previous"] == [2, 0, 0, 0]  # weeks 51–52, then 49–50 ...
    assert counts["last_year_period"] == ["2025-W52", "2026-W01"]
    assert counts["total"]["last_year"] == 3

    single = services.counts(w.oxelosund.id, period("2026-W53"))
    assert single["total"]["count"] == 2 and single["total"]["previous"] == [1, 1, 0, 0]
    assert single["last_year_period"] == ["2025-W52", "2025-W52"] and single["total"]["last_year"] == 1


def test_the_page_counts_and_shows_a_week_with_no_observations_as_zeros(world, login, db):
    observe(db, world.other_reporter, world.elsewhere, "2026-W20", C.BURGLARY, 3)  # Nyköping's only
    response = login(world.coordinator).get("/lagesbild/oxelosund/2026/20")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Vecka 20, 2026" in page and "11 maj 2026 till 17 maj 2026" in page
    assert "0 iakttagelser under perioden." in page
    assert page.count('<td class="num">0</td>') >= 7 * 3
    assert "Brandholmen" not in page and "Ramdalen norra" in page
    assert "Ingen iakttagelse under perioden är markerad som viktig." in page


def test_week_53_has_a_page_and_impossible_weeks_are_not_found(world, login):
    client = login(world.coordinator)
    assert client.get("/lagesbild/oxelosund/2026/53").status_code == 200
    assert client.get("/lagesbild/oxelosund/2020/53").status_code == 200
    for url in ("/lagesbild/oxelosund/2025/53", "/lagesbild/oxelosund/2026/0", "/lagesbild/oxelosund/2026/54",
                "/lagesbild/oxelosund/2026/5?last=2026-W04", "/lagesbild/oxelosund/2026/5?last=sommar",
                "/lagesbild/oxelosund/2024/1?last=2026-W01", "/lagesbild/oxelosund/2026/5/counts.csv?last=x"):
        assert client.get(url).status_code == 404, url


def test_this_week_redirects_to_the_current_swedish_week(world, login):
    response = login(world.police).get("/lagesbild")
    assert response.status_code == 302 and response.location == "/lagesbild/oxelosund"
    response = login(world.police).get("/lagesbild/oxelosund")
    current = IsoWeek.of(datetime.now(timezone.utc))
    assert response.location == f"/lagesbild/oxelosund/{current.year}/{current.number}"


def test_the_chart_is_accessible_and_proportional(world, login, db):
    observe(db, world.reporter, world.villas, "2026-W10", C.BURGLARY, 4)
    observe(db, world.reporter, world.villas, "2026-W10", C.VANDALISM, 2)
    counts = services.counts(world.oxelosund.id, period("2026-W10"))
    bars = {bar.key: bar for bar in category_chart(counts["categories"]).bars}
    assert bars["burglary"].count_width == WIDTH - VALUE_ROOM
    assert bars["vandalism"].count_width == (WIDTH - VALUE_ROOM) / 2 and bars["other"].count_width == 0

    page = login(world.coordinator).get("/lagesbild/oxelosund/2026/10").get_data(as_text=True)
    assert 'role="img" aria-labelledby="chart-title chart-desc"' in page
    assert '<title id="chart-title">Iakttagelser per kategori, vecka 10, 2026</title>' in page
    assert "Inbrott eller inbrottsförsök: 4, snitt för de fyra föregående perioderna 0." in page
    assert 'class="chart__value chart__value--average" x="6.0" y="177">snitt 0</text>' in page
    assert '<text class="chart__label" x="0" y="140">Inbrott eller inbrottsförsök</text>' in page
    assert "Streckad stapel: snitt för de fyra föregående perioderna" in page  # the legend says it in words
    assert '<caption id="categories-caption">Iakttagelser per kategori jämfört med tidigare perioder</caption>' in page
    assert 'role="region" aria-labelledby="categories-caption" tabindex="0"' in page


def test_notable_observations_are_listed_and_linked_for_the_coordinator_only(world, login, db):
    [picked] = observe(db, world.reporter, world.harbour, "2026-W10", C.BOAT_THEFT,
                       description="Utombordsmotor stulen från brygga C.")
    observe(db, world.reporter, world.harbour, "2026-W10", C.BOAT_THEFT, description="Ej utvald.")
    picked.notable = True
    picked.status = ObservationStatus.FORWARDED  # the police read forwarded ones only (next test)
    db.session.commit()
    coordinator = login(world.coordinator).get("/lagesbild/oxelosund/2026/10").get_data(as_text=True)
    assert "Utombordsmotor stulen från brygga C." in coordinator and "Ej utvald." not in coordinator
    assert f'href="/observations/{picked.id}"' in coordinator
    police = login(world.police).get("/lagesbild/oxelosund/2026/10").get_data(as_text=True)
    assert "Utombordsmotor stulen från brygga C." in police and f'href="/observations/{picked.id}"' not in police


def notable_pair(db, world):
    """Two notable observations in week 10: one forwarded to the police, one closed without forwarding."""
    [forwarded] = observe(db, world.reporter, world.harbour, "2026-W10", C.BOAT_THEFT,
                          description="Motor stulen från brygga C, vit Buster.", location="Brygga C, Jogersö")
    [closed] = observe(db, world.reporter, world.villas, "2026-W10", C.SUSPICIOUS_PERSON,
                       description="Grannen Lars på nummer 7 smyger kring förråden.", location="Tallvägen 7")
    forwarded.status, closed.status = ObservationStatus.FORWARDED, ObservationStatus.CLOSED
    forwarded.notable = closed.notable = True
    db.session.commit()
    return forwarded, closed


def test_police_read_the_text_of_forwarded_notable_observations_only_and_count_the_rest(world, login, db):
    _forwarded, closed = notable_pair(db, world)
    client = login(world.police)
    page = client.get("/lagesbild/oxelosund/2026/10").get_data(as_text=True)  # the print is this page
    assert "Motor stulen från brygga C, vit Buster." in page
    for secret in ("Grannen Lars", "smyger", "Tallvägen 7"):
        assert secret not in page
    assert "Markerade som viktiga men inte vidarebefordrade till polisen" in page
    assert "Vecka 10, 2026: Misstänkt person, 1" in page
    assert f"/observations/{closed.id}" not in page
    # The same observation's own page refuses them, as before.
    assert client.get(f"/observations/{closed.id}").status_code == 404

    csv_text = client.get("/lagesbild/oxelosund/2026/10/counts.csv").get_data(as_text=True)
    for secret in ("Grannen Lars", "Tallvägen", "Buster", "brygga C"):
        assert secret not in csv_text
    # A published snapshot holds numbers and the summary only, for every reader.
    publish(login(world.coordinator), summary="Lugn vecka i hamnen.")
    picture = db.session.scalar(select(SituationPicture))
    assert "Grannen Lars" not in str(picture.counts) and "Buster" not in str(picture.counts)
    published = client.get("/lagesbild/oxelosund/published").get_data(as_text=True)
    assert "Lugn vecka i hamnen." in published and "Grannen Lars" not in published

    # Coordinators read every notable observation.
    coordinator_page = login(world.coordinator).get("/lagesbild/oxelosund/2026/10").get_data(as_text=True)
    assert "Grannen Lars på nummer 7 smyger kring förråden." in coordinator_page
    assert "Motor stulen från brygga C, vit Buster." in coordinator_page
    assert "inte vidarebefordrade" not in coordinator_page


def test_notable_observations_shown_to_staff_are_audited_once_each_in_one_insert(world, login, db):
    forwarded, closed = notable_pair(db, world)
    coordinator = login(world.coordinator)
    with count_queries(db.engine) as queries:
        assert coordinator.get("/lagesbild/oxelosund/2026/10").status_code == 200
    inserts = [s for s in queries.statements if s.startswith("INSERT INTO audit_event")]
    assert len(inserts) == 1, queries
    police = login(world.police)
    police.get("/lagesbild/oxelosund/2026/10")
    coordinator.get("/lagesbild/oxelosund/2026/10?last=2026-W11")  # the same day: not again
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == actions.OBSERVATION_LISTED)
                                .order_by(AuditEvent.id)).all()
    assert sorted((e.actor_id, e.subject_id) for e in events) == sorted([
        (world.coordinator.id, forwarded.id), (world.coordinator.id, closed.id), (world.police.id, forwarded.id),
    ])
    assert {(e.actor_role, e.municipality_id, e.subject_type) for e in events} == {
        ("coordinator", world.oxelosund.id, "Observation"), ("police", world.oxelosund.id, "Observation")}
    assert all(e.details == {"page": "lagesbild"} for e in events)
    # A page without notable observations writes nothing.
    with count_queries(db.engine) as queries:
        coordinator.get("/lagesbild/oxelosund/2026/12")
    assert not [s for s in queries.statements if s.startswith("INSERT")]
    # The next day counts again.
    db.session.execute(update(AuditEvent).values(created_at=utcnow() - timedelta(days=1)))
    db.session.commit()
    coordinator.get("/lagesbild/oxelosund/2026/10")
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == actions.OBSERVATION_LISTED)) == 5
    assert "Iakttagelse visad i en lista" in coordinator.get("/audit").get_data(as_text=True)


# ---- period form ----------------------------------------------------------------------------------------

def test_any_period_of_weeks_can_be_chosen(world, login, db):
    observe(db, world.reporter, world.villas, "2026-W02", C.BURGLARY)
    observe(db, world.reporter, world.villas, "2026-W08", C.BURGLARY)
    client = login(world.coordinator)
    response = client.get("/lagesbild/oxelosund/period?first=2026-W01&last=2026-W08")
    assert response.status_code == 302 and response.location == "/lagesbild/oxelosund/2026/1?last=2026-W08"
    page = client.get(response.location).get_data(as_text=True)
    assert "Vecka 1, 2026 till vecka 8, 2026" in page and "2 iakttagelser under perioden." in page
    single = client.get("/lagesbild/oxelosund/period?first=2026w8&last=2026-W08")
    assert single.location == "/lagesbild/oxelosund/2026/8"


@pytest.mark.parametrize(("first", "last", "message"), [
    ("2026-W08", "2026-W01", "Sista veckan kan inte vara före den första."),
    ("2026-W01", "2027-W10", "Välj högst 53 veckor."),
    ("2025-W53", "2026-W01", "Den veckan finns inte. Ange en vecka som 2026-W05."),
    ("", "2026-W01", "Ange en vecka som 2026-W05."),
])
def test_a_bad_period_gets_a_message_and_keeps_what_was_typed(world, login, first, last, message):
    response = login(world.coordinator).get(f"/lagesbild/oxelosund/period?first={first}&last={last}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page and 'class="error-summary"' in page and f'value="{last}"' in page


# ---- alerts -----------------------------------------------------------------------------------------------

def send_alert(db, author, municipality, body, created_at, status=AlertStatus.SENT, audience=AlertAudience.MEMBERS):
    alert = alert_with_deliveries(author, Targeting(municipality.id, AlertTarget.MUNICIPALITY, audience), body, 4)
    alert.status, alert.created_at = status, created_at
    db.session.commit()
    return alert


def test_alerts_sent_in_the_period_are_listed_with_their_recipients(world, login, db):
    # The reporter is a member of two approved groups, with a verified phone and member alerts on.
    world.reporter.phone = world.reporter.verified_phone = "+46701234567"
    world.reporter.member_alerts = True
    in_week_10 = datetime(2026, 3, 4, 17, 5, tzinfo=timezone.utc)
    sent = send_alert(db, world.police, world.oxelosund, "Motorstölder i Jogersö hamn i natt. Lås fast motorerna.",
                      in_week_10)
    send_alert(db, world.police, world.oxelosund, "Ett utkast som aldrig skickades.", in_week_10, AlertStatus.DRAFT)
    send_alert(db, world.police, world.oxelosund, "Veckan efter.", in_week_10 + timedelta(days=7))
    send_alert(db, world.other_police, world.nykoping, "Inbrott på Brandholmen.", in_week_10)
    recipients = db.session.scalar(select(func.count(Delivery.id)).where(
        Delivery.alert_id == sent.id, Delivery.status != DeliveryStatus.SKIPPED))
    assert recipients == 1

    page = login(world.coordinator).get("/lagesbild/oxelosund/2026/10").get_data(as_text=True)
    assert "Motorstölder i Jogersö hamn i natt." in page
    assert f"{recipients} mottagare" in page
    assert "Ett utkast" not in page and "Veckan efter." not in page and "Brandholmen." not in page
    page = login(world.coordinator).get("/lagesbild/oxelosund/2026/12").get_data(as_text=True)
    assert "Inga utskick gjordes under perioden." in page


# ---- publishing ------------------------------------------------------------------------------------------

def publish(client, first="2026-W10", last="2026-W10", summary="Fler inbrott i förråd kring Västra vägen."):
    return client.post("/lagesbild/oxelosund/publish", data={"first_week": first, "last_week": last,
                                                             "summary": summary})


def test_coordinator_publishes_and_history_is_never_rewritten(world, login, db):
    observations = observe(db, world.reporter, world.villas, "2026-W10", C.BURGLARY, 3)
    client = login(world.coordinator)
    response = publish(client)
    assert response.status_code == 302 and response.location == "/lagesbild/oxelosund/2026/10#published"
    picture = db.session.scalar(select(SituationPicture))
    assert (picture.first_week, picture.last_week, picture.published_by_id) == ("2026-W10", "2026-W10",
                                                                                  world.coordinator.id)
    assert picture.summary == "Fler inbrott i förråd kring Västra vägen."
    assert picture.counts["total"]["count"] == 3 and picture.counts["alerts_sent"] == 0
    frozen = dict(picture.counts)
    # The week's page (and its print) carries the summary; a correction starts from it.
    week_page = client.get("/lagesbild/oxelosund/2026/10").get_data(as_text=True)
    assert '<h2 id="summary-heading">Sammanfattning</h2>' in week_page
    assert "Fler inbrott i förråd kring Västra vägen.</textarea>" in week_page
    assert 'id="summary-heading"' not in client.get("/lagesbild/oxelosund/2026/11").get_data(as_text=True)

    # The observations change afterwards: recategorised, anonymised, deleted, and a late one is filed.
    observations[0].category = C.VANDALISM
    anonymise(observations[1], datetime.now(timezone.utc))
    db.session.delete(observations[2])
    observe(db, world.reporter, world.harbour, "2026-W10", C.BOAT_THEFT, 2)
    db.session.commit()

    db.session.expire_all()
    assert db.session.get(SituationPicture, picture.id).counts == frozen
    assert services.counts(world.oxelosund.id, period("2026-W10"))["total"]["count"] == 4
    page = client.get("/lagesbild/oxelosund/published").get_data(as_text=True)
    assert "Fler inbrott i förråd kring Västra vägen." in page and "Publicerad" in page and "Karin Lindqvist" in page
    burglary_row = page.split("<th scope=\"row\">Inbrott eller inbrottsförsök</th>")[1].split("</tr>")[0]
    assert '<td class="num">3</td>' in burglary_row
    assert "Jogersö båtklubb</th><td class=\"num\">0</td>" in page


def test_publishing_a_period_freezes_the_period(world, login, db):
    observe(db, world.reporter, world.villas, "2026-W52", C.BURGLARY)
    observe(db, world.reporter, world.villas, "2027-W01", C.BURGLARY)
    response = publish(login(world.coordinator), "2026-W52", "2027-W01", "Jul och nyår.")
    assert response.location == "/lagesbild/oxelosund/2026/52?last=2027-W01#published"
    picture = db.session.scalar(select(SituationPicture))
    assert picture.counts["total"]["count"] == 2 and picture.counts["first_week"] == "2026-W52"


@pytest.mark.parametrize(("summary", "first", "message"), [
    ("", "2026-W10", "Skriv en kort sammanfattning innan du publicerar."),
    ("   ", "2026-W10", "Skriv en kort sammanfattning innan du publicerar."),
    ("x" * 4001, "2026-W10", "Högst 4000 tecken."),
    ("Lugn vecka.", "2026-W99", "Lägesbildens veckor saknas. Öppna sidan igen och publicera."),
])
def test_a_bad_summary_is_refused_at_the_field_and_nothing_is_published(world, login, db, summary, first, message):
    response = publish(login(world.coordinator), first, "2026-W10", summary)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page and 'class="error-summary"' in page
    if summary.strip() and len(summary) < 100:
        assert summary in page
    assert db.session.scalar(select(func.count()).select_from(SituationPicture)) == 0


def test_police_read_but_do_not_publish(world, login, db):
    client = login(world.police)
    page = client.get("/lagesbild/oxelosund/2026/10").get_data(as_text=True)
    assert "Publicera lägesbilden" not in page and 'name="summary"' not in page
    assert publish(client).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(SituationPicture)) == 0


# ---- CSV -----------------------------------------------------------------------------------------------------

def test_csv_has_the_counts_and_no_personal_data(world, login, db):
    observe(db, world.reporter, world.villas, "2026-W10", C.SUSPICIOUS_VEHICLE, 2, location="Tallvägen 3",
            description="Grå Volvo, man i 40-årsåldern med röd jacka.", vehicle_registration="KLM 987",
            vehicle_colour="Grå", vehicle_make="Volvo V70")
    world.quiet.name = "=HYPERLINK(\"http://exempel.se\")"
    db.session.commit()
    client = login(world.coordinator)
    publish(client, summary="Samordnarens fritext om veckan.")
    response = client.get("/lagesbild/oxelosund/2026/10/counts.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="lagesbild-oxelosund-2026-W10.csv"' in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Första vecka", "Sista vecka", "Indelning", "Värde", "Iakttagelser",
                       "Snitt för de fyra föregående perioderna", "Samma period förra året"]
    assert ["2026-W10", "2026-W10", "Totalt", "", "2", "0", "0"] in rows
    assert ["2026-W10", "2026-W10", "Kategori", "Misstänkt fordon", "2", "0", "0"] in rows
    assert ["2026-W10", "2026-W10", "Grupp", "Västra vägen", "2", "", ""] in rows
    assert ["2026-W10", "2026-W10", "Postnummer", "613 31", "2", "", ""] in rows
    assert ["2026-W10", "2026-W10", "Grupp", "'=HYPERLINK(\"http://exempel.se\")", "0", "", ""] in rows
    for personal in ("Maria Holm", "Karin Lindqvist", "Tallvägen", "röd jacka", "KLM", "Volvo", "Grå",
                     "Samordnarens fritext", world.reporter.email):
        assert personal not in text
    assert len(rows) == 1 + 1 + len(C) + 3 + 1 + 4  # header, total, categories, groups, reported by, postcodes

    period_csv = client.get("/lagesbild/oxelosund/2026/8/counts.csv?last=2026-W10")
    assert 'filename="lagesbild-oxelosund-2026-W08-2026-W10.csv"' in period_csv.headers["Content-Disposition"]


# ---- access --------------------------------------------------------------------------------------------------

@pytest.fixture
def people(world, factory):
    return {
        "coordinator": world.coordinator, "police": world.police,
        "covering_police": factory.user(Role.POLICE, world.nykoping, name="Ludvig Hellman", covers=[world.oxelosund]),
        "resident": world.reporter, "admin": factory.user(Role.ADMIN, None),
        "other_coordinator": world.other_coordinator, "other_police": world.other_police,
    }


PAGES = ["/lagesbild/oxelosund", "/lagesbild/oxelosund/2026/10", "/lagesbild/oxelosund/2026/10?last=2026-W12",
         "/lagesbild/oxelosund/period?first=2026-W01&last=2026-W02", "/lagesbild/oxelosund/2026/10/counts.csv",
         "/lagesbild/oxelosund/published", "/lagesbild/oxelosund/promises", "/lagesbild/oxelosund/promises/new"]
REDIRECTS = {"/lagesbild/oxelosund", "/lagesbild/oxelosund/period?first=2026-W01&last=2026-W02"}
EXPECTED = {"coordinator": 200, "police": 200, "covering_police": 200, "resident": 403, "admin": 403,
            "other_coordinator": 404, "other_police": 404}


@pytest.mark.parametrize("url", PAGES)
def test_staff_of_the_municipality_read_others_do_not(world, people, login, app, url):
    assert app.test_client().get(url).status_code == 302  # to the login page
    outcomes = {role: login(person).get(url).status_code for role, person in people.items()}
    expected = {role: 302 if status == 200 and url in REDIRECTS else status for role, status in EXPECTED.items()}
    assert outcomes == expected


def test_only_the_municipalitys_coordinator_publishes(world, people, login, db):
    outcomes = {role: publish(login(person)).status_code for role, person in people.items()}
    assert outcomes == {"coordinator": 302, "police": 403, "covering_police": 403, "resident": 403, "admin": 403,
                        "other_coordinator": 404, "other_police": 403}
    assert db.session.scalar(select(func.count()).select_from(SituationPicture)) == 1


def test_a_police_officer_covering_several_municipalities_can_switch(world, people, login):
    client = login(people["covering_police"])
    assert 'href="/lagesbild/oxelosund">Oxelösund</a>' in client.get("/lagesbild/nykoping/2026/10").get_data(as_text=True)
    assert 'href="/lagesbild/nykoping">Nyköping</a>' in client.get("/lagesbild/oxelosund/2026/10").get_data(as_text=True)
    assert "Andra kommuner du ansvarar för" not in login(world.police).get("/lagesbild/oxelosund/2026/10").get_data(
        as_text=True)
    assert login(people["covering_police"]).get("/lagesbild").location == "/lagesbild/nykoping"


def test_the_public_pages_are_public(world, people, login, app, db):
    promise(db, world.oxelosund, date(2025, 1, 1), date(2025, 4, 30))
    for client in (app.test_client(), *(login(p) for p in people.values())):
        assert client.get("/m/oxelosund").status_code == 200
        assert client.get("/m/oxelosund/promises").status_code == 200
    assert app.test_client().get("/m/trosa/promises").status_code == 404


# ---- query bounds ----------------------------------------------------------------------------------------------

def test_the_page_runs_a_bounded_number_of_queries_whatever_the_data(world, login, db):
    client = login(world.coordinator)
    counts = []
    for n in (1, 40):
        for category in C:
            observe(db, world.reporter, world.villas, "2026-W10", category, n)
        picked = db.session.scalars(select(Observation).limit(5)).all()
        for observation in picked:
            observation.notable = True
        db.session.commit()
        publish(client, summary=f"Vecka med {n}.")
        with count_queries(db.engine) as queries:
            assert client.get("/lagesbild/oxelosund/2026/10").status_code == 200
        # The audit of the notable observations shown is one statement on top, whatever their number.
        reads = [s for s in queries.statements if not s.startswith("INSERT INTO audit_event")]
        assert len(queries.statements) - len(reads) <= 1, queries
        counts.append(len(reads))
        # One query per section (user, municipality, four aggregates, notable, alerts, published, EST actions,
        # three badges).
        assert len(reads) <= 14, queries
    assert counts[0] == counts[1]
    with count_queries(db.engine) as queries:
        assert client.get("/lagesbild/oxelosund/2026/10/counts.csv").status_code == 200
    assert queries.count <= 7, queries  # user, municipality, four aggregates, EST actions
    with count_queries(db.engine) as queries:
        assert client.get("/m/oxelosund").status_code == 200
    # 6 before logins were rows and the menu had its SMS badge: this coordinator published the lägesbild the
    # page shows, so loading them was free. The login check reads the login's row by primary key on every
    # request, and the coordinator's menu has three badges.
    assert queries.count <= 8, queries


# ---- medborgarlöfte -----------------------------------------------------------------------------------------------

def promise(db, municipality, starts_on, ends_on, title="Tryggare sommarhelger i gästhamnen", follow_up=""):
    item = CitizenPromise(municipality=municipality, title=title, body="Polisen finns i gästhamnen på helgerna.",
                          starts_on=starts_on, ends_on=ends_on, follow_up=follow_up)
    db.session.add(item)
    db.session.commit()
    return item


def promise_form(**overrides):
    data = {"title": "Tryggare sommarhelger i gästhamnen och på Jogersö",
            "body": "Polis i gästhamnen fredags- och lördagskvällar.\n\nUppföljning av varje båtmotorstöld.",
            "starts_on": "2026-05-01", "ends_on": "2026-08-31", "follow_up": ""}
    data.update(overrides)
    return data


def test_police_enter_and_the_coordinator_edits_the_promise(world, login, db):
    police = login(world.police)
    form = police.get("/lagesbild/oxelosund/promises/new").get_data(as_text=True)
    start, end = services.default_promise_period(services.today())
    assert f'value="{start.isoformat()}"' in form and f'value="{end.isoformat()}"' in form
    response = police.post("/lagesbild/oxelosund/promises/new", data=promise_form())
    assert response.status_code == 302 and response.location == "/lagesbild/oxelosund/promises"
    saved = db.session.scalar(select(CitizenPromise))
    assert (saved.municipality_id, saved.created_by_id) == (world.oxelosund.id, world.police.id)
    assert saved.body.startswith("Polis i gästhamnen") and (saved.starts_on, saved.ends_on) == (
        date(2026, 5, 1), date(2026, 8, 31))

    coordinator = login(world.coordinator)
    listing = coordinator.get("/lagesbild/oxelosund/promises").get_data(as_text=True)
    assert "Tryggare sommarhelger i gästhamnen och på Jogersö" in listing and "1 maj 2026 till 31 augusti 2026" in listing
    response = coordinator.post(f"/lagesbild/oxelosund/promises/{saved.id}/edit",
                                data=promise_form(follow_up="Polis fanns på plats 22 av 26 helgkvällar."))
    assert response.status_code == 302
    db.session.refresh(saved)
    assert saved.follow_up == "Polis fanns på plats 22 av 26 helgkvällar." and saved.updated_at is not None
    assert saved.created_by_id == world.police.id


@pytest.mark.parametrize(("overrides", "message"), [
    ({"title": ""}, "Ge löftet en rubrik."),
    ({"body": ""}, "Skriv vad polisen och kommunen lovar."),
    ({"ends_on": "2026-04-30"}, "Perioden kan inte sluta innan den börjar."),
    ({"starts_on": "1 maj"}, "Skriv ett datum som 2026-05-01."),
    ({"ends_on": ""}, "Skriv periodens sista dag."),
    ({"follow_up": "x" * 4001}, "Högst 4000 tecken."),
])
def test_a_bad_promise_is_refused_at_the_field_and_keeps_the_text(world, login, db, overrides, message):
    response = login(world.coordinator).post("/lagesbild/oxelosund/promises/new", data=promise_form(**overrides))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page and 'aria-invalid="true"' in page
    assert "Uppföljning av varje båtmotorstöld." in page or overrides.get("body") == ""
    assert db.session.scalar(select(func.count()).select_from(CitizenPromise)) == 0


def test_another_municipalitys_promise_cannot_be_edited(world, login, db):
    theirs = promise(db, world.nykoping, date(2026, 5, 1), date(2026, 8, 31))
    client = login(world.coordinator)
    assert client.get(f"/lagesbild/oxelosund/promises/{theirs.id}/edit").status_code == 404
    assert client.post(f"/lagesbild/nykoping/promises/{theirs.id}/edit", data=promise_form()).status_code == 404
    db.session.refresh(theirs)
    assert theirs.title == "Tryggare sommarhelger i gästhamnen"


def test_current_promise_is_the_one_covering_today_and_the_archive_has_the_ended_ones(world, db):
    on = date(2026, 6, 15)
    promise(db, world.oxelosund, date(2025, 9, 1), date(2025, 12, 31), title="Mörkare kvällar")
    winter = promise(db, world.oxelosund, date(2026, 1, 1), date(2026, 4, 30), title="Vinterförvaring")
    summer = promise(db, world.oxelosund, date(2026, 5, 1), date(2026, 8, 31), title="Sommarhelger")
    promise(db, world.oxelosund, date(2026, 9, 1), date(2026, 12, 31), title="Kommande")
    promise(db, world.nykoping, date(2026, 5, 1), date(2026, 8, 31), title="Nyköpings löfte")
    assert services.current_promises(world.oxelosund.id, on) == [summer]
    assert services.current_promises(world.oxelosund.id, date(2026, 8, 31)) == [summer]  # the last day counts
    assert [p.title for p in db.session.scalars(services.earlier_promises_select(world.oxelosund.id, on))] == [
        "Vinterförvaring", "Mörkare kvällar"]
    assert services.promise_state(winter, on) == "ended" and services.promise_state(summer, on) == "current"
    assert services.add_months(date(2026, 10, 31), 4) == date(2027, 2, 28)
    assert services.default_promise_period(date(2026, 5, 1)) == (date(2026, 5, 1), date(2026, 8, 31))


# ---- the municipality's front page -----------------------------------------------------------------------------

def test_front_page_shows_the_latest_published_numbers_without_free_text_and_the_current_promise(world, login, db, app):
    [picked] = observe(db, world.reporter, world.harbour, "2026-W10", C.BOAT_THEFT,
                       description="Utombordsmotor stulen, brygga C.")
    picked.notable = True
    db.session.commit()
    client = login(world.coordinator)
    publish(client, summary="Äldre sammanfattning.")
    observe(db, world.reporter, world.villas, "2026-W11", C.BURGLARY, 2)
    publish(client, "2026-W11", "2026-W11", "Samordnarens interna bedömning.")
    today = services.today()
    promise(db, world.oxelosund, today - timedelta(days=200), today - timedelta(days=80), title="Vinterförvaring",
            follow_up="140 motorer märktes.")
    promise(db, world.oxelosund, today - timedelta(days=10), today + timedelta(days=100),
            title="Tryggare sommarhelger i gästhamnen")
    promise(db, world.nykoping, today - timedelta(days=10), today + timedelta(days=100), title="Nyköpings löfte")

    page = app.test_client().get("/m/oxelosund").get_data(as_text=True)
    public = page.split('class="public-lagesbild"')[1]
    assert "Iakttagelser som grupperna har rapporterat, vecka 11, 2026." in public
    burglary_row = public.split("<th scope=\"row\">Inbrott eller inbrottsförsök</th>")[1].split("</tr>")[0]
    assert '<td class="num">2</td>' in burglary_row
    assert "Västra vägen</th><td class=\"num\">2</td>" in public
    for private in ("sammanfattning", "bedömning", "Utombordsmotor", "Karin Lindqvist", "Snitt"):
        assert private not in public
    assert "Tryggare sommarhelger i gästhamnen" in public and "Polisen finns i gästhamnen på helgerna." in public
    assert "Vinterförvaring" not in public and "Nyköpings löfte" not in public
    assert 'href="/m/oxelosund/promises">Tidigare medborgarlöften</a>' in public
    assert "Hantera medborgarlöftena" not in public

    archive = app.test_client().get("/m/oxelosund/promises").get_data(as_text=True)
    assert "Vinterförvaring" in archive and "140 motorer märktes." in archive
    assert "Tryggare sommarhelger i gästhamnen" not in archive

    staff = login(world.police).get("/m/oxelosund").get_data(as_text=True)
    assert 'href="/lagesbild/oxelosund/promises">Hantera medborgarlöftena</a>' in staff


def test_front_page_without_a_lagesbild_or_promise_says_so(world, app):
    page = app.test_client().get("/m/oxelosund").get_data(as_text=True)
    assert "Ingen lägesbild har publicerats ännu." in page and "Just nu finns inget medborgarlöfte." in page
    assert "Tidigare medborgarlöften" not in page


# ---- demo ----------------------------------------------------------------------------------------------------

def test_demo_seeds_a_current_promise_an_archive_and_a_published_lagesbild_once(db):
    from watch.demo import seed_demo

    first = list(seed_demo())
    db.session.commit()
    assert sum("medborgarlöfte" in line for line in first) == 3 and any("published lägesbild" in line for line in first)
    second = list(seed_demo())
    assert not any("medborgarlöfte" in line or "published" in line for line in second)
    summary = services.public_summary(db.session.scalar(select(SituationPicture.municipality_id)))
    assert summary.picture is not None and summary.has_archive
    [current] = summary.promises
    assert current.starts_on <= services.today() <= current.ends_on and not current.follow_up
    earlier = db.session.scalars(services.earlier_promises_select(current.municipality_id, services.today())).all()
    assert len(earlier) == 2 and all(p.follow_up for p in earlier)
