"""The yearly follow-up: one ISO year against the year before, for the staff (print and CSV) and the public
(counts only)."""
import csv
import io
from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest

from tests.lagesbild_support import moment_in, observe
from tests.observation_support import make_group
from tests.querycount import count_queries
from tests.test_partners import add_partner, make_reporter
from watch.lagesbild import year as yearly
from watch.models import (
    ActionStatus, Alert, AlertAudience, AlertStatus, AlertTarget, CitizenPromise, Delivery, DeliveryChannel,
    DeliveryStatus, EstAction, GroupStatus, ObservationCategory as C, PartnerKind, Role,
)

PROMISE = "Tryggare kvällar vid Ramdalens centrum"


def utc(year, month, day):
    return datetime(year, month, day, 12, tzinfo=timezone.utc)


def alert(db, municipality, created_at, reached: list, skipped: list = (), status=AlertStatus.SENT):
    item = Alert(municipality=municipality, body="Bilinbrott på Ramdalsvägen i natt.", target=AlertTarget.MUNICIPALITY,
                 target_description="Oxelösund", audience=AlertAudience.MEMBERS, status=status,
                 valid_until=created_at, created_at=created_at)
    db.session.add(item)
    db.session.flush()
    for user in reached:
        db.session.add(Delivery(alert_id=item.id, user_id=user.id, channel=DeliveryChannel.SMS,
                                status=DeliveryStatus.DELIVERED))
    for user in skipped:
        db.session.add(Delivery(alert_id=item.id, user_id=user.id, channel=DeliveryChannel.SMS,
                                status=DeliveryStatus.SKIPPED))
    db.session.commit()


def action(db, municipality, decided, closed=None, status=ActionStatus.PLANNED, what="Laga belysningen"):
    db.session.add(EstAction(municipality=municipality, decided_week=decided, closed_week=closed, status=status,
                             what=what, area="Ramdalen", categories=[]))
    db.session.commit()


@pytest.fixture
def world(db, factory, login):
    oxelosund = factory.municipality("Oxelösund", "0481")
    nykoping = factory.municipality("Nyköping", "0480")
    member = factory.user(Role.RESIDENT, oxelosund)
    return SimpleNamespace(
        oxelosund=oxelosund, nykoping=nykoping, member=member,
        ramdalen=make_group(db, oxelosund, name="Ramdalen", postcodes=("61337",), members=[member]),
        coordinator=login(factory.user(Role.COORDINATOR, oxelosund)),
        police=login(factory.user(Role.POLICE, oxelosund)),
        other_coordinator=login(factory.user(Role.COORDINATOR, nykoping)),
        resident=login(member),
    )


def seed(db, factory, w):
    """2026 against 2025 in Oxelösund, and a Nyköping observation that must not count."""
    housing = make_reporter(db, factory, add_partner(db, w.oxelosund))
    observe(db, w.member, w.ramdalen, "2026-W02", C.BURGLARY, 2, location="Ramdalsvägen 12, 613 37")
    observe(db, w.member, w.ramdalen, "2026-W40", C.BURGLARY, location="Ramdalsvägen 12, 613 37")
    observe(db, housing, None, "2026-W14", C.GRAFFITI, 3, organisation=housing.partner_organisation,
            location="Höjdgatan 3, 613 35")
    observe(db, w.member, w.ramdalen, "2025-W20", C.BURGLARY, location="Ramdalsvägen 12, 613 37")
    observe(db, w.member, w.ramdalen, "2024-W30", C.BURGLARY)  # two years back: in neither column
    other_member = factory.user(Role.RESIDENT, w.nykoping)
    observe(db, other_member, make_group(db, w.nykoping, name="Brandkärr", postcodes=("61138",),
                                         members=[other_member]), "2026-W02", C.BURGLARY)

    action(db, w.oxelosund, "2025-W50", "2026-W03", ActionStatus.DONE)  # decided last year, done this year
    action(db, w.oxelosund, "2026-W10", "2026-W20", ActionStatus.DONE)
    action(db, w.oxelosund, "2026-W11", "2026-W12", ActionStatus.DROPPED)
    action(db, w.oxelosund, "2026-W30")
    action(db, w.nykoping, "2026-W10")

    started = make_group(db, w.oxelosund, name="Jogersö båtklubb", postcodes=("61342",))
    started.created_at = utc(2026, 3, 1)
    closed = make_group(db, w.oxelosund, name="Danviks hamn", status=GroupStatus.ARCHIVED, postcodes=("61340",))
    closed.created_at, closed.decided_at = utc(2025, 4, 1), utc(2026, 6, 1)
    make_group(db, w.oxelosund, name="Sökt grupp", status=GroupStatus.PENDING).created_at = utc(2026, 5, 1)
    w.ramdalen.created_at = utc(2025, 2, 1)
    db.session.commit()

    people = [factory.user(Role.RESIDENT, w.oxelosund) for _ in range(3)]
    alert(db, w.oxelosund, utc(2026, 2, 10), reached=people[:2], skipped=people[2:])
    alert(db, w.oxelosund, utc(2026, 9, 10), reached=people[:1])
    alert(db, w.oxelosund, utc(2025, 9, 10), reached=people)
    alert(db, w.oxelosund, utc(2026, 9, 11), reached=[], status=AlertStatus.DRAFT)
    db.session.add(CitizenPromise(municipality=w.oxelosund, title=PROMISE, body="Polis och fältare på fredagar.",
                                  starts_on=date(2026, 3, 1), ends_on=date(2026, 6, 30)))
    db.session.add(CitizenPromise(municipality=w.oxelosund, title="Förra årets löfte", body="…",
                                  starts_on=date(2024, 3, 1), ends_on=date(2024, 6, 30)))
    db.session.commit()


def figures(rows):
    return {row.key: (row.count, row.last_year) for row in rows}


def test_the_figures_of_a_year_against_the_year_before(world, db, factory):
    seed(db, factory, world)
    report = yearly.year_report(world.oxelosund.id, 2026)

    assert (report.total.count, report.total.last_year) == (6, 1)
    categories = figures(report.categories)
    assert categories["burglary"] == (3, 1) and categories["graffiti"] == (3, 0)
    assert figures(report.quarters) == {"1": (2, 0), "2": (3, 1), "3": (0, 0), "4": (1, 0)}
    assert figures(report.postcodes) == {"61337": (3, 1), "61335": (3, 0)}
    assert figures(report.reported_by) == {"groups": (3, 1), PartnerKind.HOUSING.value: (3, 0)}
    assert figures(report.actions.values()) == {"decided": (3, 1), "done": (2, 0), "dropped": (1, 0)}
    assert figures(report.groups.values()) == {"started": (1, 2), "closed": (1, 0)}
    assert figures(report.alerts.values()) == {"sent": (2, 1), "people": (3, 3)}
    assert [p.title for p in report.promises] == [PROMISE]


def test_the_year_page_takes_the_same_few_queries_whatever_the_data(world, db, factory):
    oxelosund_id = world.oxelosund.id
    with count_queries(db.engine) as empty:
        yearly.year_report(oxelosund_id, 2026)
    seed(db, factory, world)
    with count_queries(db.engine) as seeded:
        yearly.year_report(oxelosund_id, 2026)
    assert seeded.count == empty.count == 7


def test_staff_read_the_page_and_csv_the_public_see_counts_only(world, db, factory):
    seed(db, factory, world)
    page = world.police.get("/lagesbild/oxelosund/year/2026").get_data(as_text=True)
    assert "Uppföljning 2026" in page and PROMISE in page and "Förra årets löfte" not in page
    assert "Klotter och skadegörelse" in page and "613 35" in page and "Bostadsbolag" in page
    assert "/lagesbild/oxelosund/year/2026" in world.coordinator.get("/lagesbild/oxelosund/2026/10").get_data(
        as_text=True)

    text = world.coordinator.get("/lagesbild/oxelosund/year/2026.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert ["Kategori", "Klotter och skadegörelse", "3", "0"] in rows
    assert ["Kvartal", "Kvartal 2", "3", "1"] in rows
    assert ["Utskick", "Personer som utskicken nådde", "3", "3"] in rows
    assert any(PROMISE in cell for row in rows for cell in row)

    public = world.resident.get("/m/oxelosund/year/2026").get_data(as_text=True)
    public_csv = world.resident.get("/m/oxelosund/year/2026.csv").get_data(as_text=True)
    for shown in (public, public_csv):
        assert PROMISE not in shown and "Oxelösundshem" not in shown and "Laga belysningen" not in shown
        assert "Ramdalen" not in shown and "Ramdalsvägen" not in shown
    assert "2026-03-01" in public_csv and "Klotter och skadegörelse" in public


def test_other_municipalities_and_residents_are_refused_and_odd_years_not_found(world, db, factory):
    seed(db, factory, world)
    assert world.other_coordinator.get("/lagesbild/oxelosund/year/2026").status_code == 404
    assert world.other_coordinator.get("/lagesbild/oxelosund/year/2026.csv").status_code == 404
    assert world.resident.get("/lagesbild/oxelosund/year/2026").status_code == 403
    assert world.coordinator.get("/lagesbild/oxelosund/year/1066").status_code == 404
    assert world.coordinator.get("/m/oxelosund/year/9999").status_code == 404
    # Nyköping's own page counts only Nyköping.
    report = yearly.year_report(world.nykoping.id, 2026)
    assert report.total.count == 1 and figures(report.actions.values())["decided"] == (1, 0)
