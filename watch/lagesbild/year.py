"""The yearly follow-up the 2023 law asks for: one ISO year of a municipality against the year before.

Every figure is a GROUP BY in the database (seven queries whatever the data); Python only arranges the
few aggregated rows that come back. Observations and actions are counted by ISO week like the weekly
lägesbild; quarters are weeks 1–13, 14–26, 27–39 and 40–53.
"""
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import String, and_, case, cast, func, literal, literal_column, select

from watch.core.postcodes import format_postcode
from watch.core.spreadsheet import excel_csv
from watch.core.weeks import week_start
from watch.extensions import db
from watch.lagesbild.services import WATCH_GROUPS, reported_by_label
from watch.models import (
    ActionStatus, Alert, AlertStatus, CitizenPromise, Delivery, DeliveryStatus, EstAction, Group, GroupStatus,
    Observation, ObservationCategory, PartnerOrganisation,
)
from watch.observations.services import UNCATEGORISED, category_label

FIRST_YEAR = 2000
QUARTERS = (1, 2, 3, 4)
# The statuses that mean a message reached someone's phone or inbox.
REACHED = (DeliveryStatus.SENT, DeliveryStatus.DELIVERED)


def quarter_of(week_key: str) -> int:
    return min((int(week_key[-2:]) - 1) // 13 + 1, 4)


def _year_of(column):
    """The ISO year of a "YYYY-Www" column, as text. Literal arguments: PostgreSQL matches the GROUP BY to the
    selected expression only when no bound parameters differ."""
    return func.substr(column, literal_column("1"), literal_column("4"))


def _weeks(year: int) -> tuple[str, str]:
    return f"{year - 1}-W01", f"{year}-W53"


@dataclass(frozen=True)
class Compared:
    key: str
    count: int
    last_year: int


@dataclass(frozen=True)
class YearReport:
    municipality_id: int
    year: int
    categories: list[Compared]
    quarters: list[Compared]
    postcodes: list[Compared]
    reported_by: list[Compared]
    total: Compared
    actions: dict[str, Compared]  # decided, done, dropped
    groups: dict[str, Compared]  # started, closed
    alerts: dict[str, Compared]  # sent, people
    promises: list[CitizenPromise]


def _compare(found: dict[tuple[str, str], int], year: int, keys) -> list[Compared]:
    this, last = str(year), str(year - 1)
    return [Compared(key, found.get((this, key), 0), found.get((last, key), 0)) for key in keys]


def _by_count(rows: list[Compared]) -> list[Compared]:
    return sorted(rows, key=lambda row: (-row.count, -row.last_year, row.key))


def _in_years(municipality_id: int, year: int):
    first, last = _weeks(year)
    return Observation.municipality_id == municipality_id, Observation.observed_week.between(first, last)


def _week_totals(municipality_id: int, year: int) -> dict[str, int]:
    """Observations per week over both years, for the quarters: about a hundred rows."""
    return dict(db.session.execute(
        select(Observation.observed_week, func.count())
        .where(*_in_years(municipality_id, year))
        .group_by(Observation.observed_week)
    ).all())


def _observation_counts(municipality_id: int, year: int) -> list[tuple[str, str, str, int | None, int]]:
    """(year, category, postcode, partner organisation, count) over both years.

    The inner GROUP BY follows ix_observation_municipality_week_counts, so PostgreSQL streams the index
    without sorting or reading the table; the outer one folds the weeks into years, so only a few hundred
    rows reach Python (turning fifteen thousand weekly rows into Python objects cost more than the SQL)."""
    weekly = (
        select(Observation.observed_week, Observation.category, Observation.postcode,
               Observation.partner_organisation_id, func.count().label("n"))
        .where(*_in_years(municipality_id, year))
        .group_by(Observation.observed_week, Observation.category, Observation.postcode,
                  Observation.partner_organisation_id)
        .subquery()
    )
    year_key = _year_of(weekly.c.observed_week)
    return [
        (year_of, str(category or UNCATEGORISED), postcode or "", partner, int(n))
        for year_of, category, postcode, partner, n in db.session.execute(
            select(year_key, weekly.c.category, weekly.c.postcode, weekly.c.partner_organisation_id,
                   func.sum(weekly.c.n))
            .group_by(year_key, weekly.c.category, weekly.c.postcode, weekly.c.partner_organisation_id)
        )
    ]


def _partner_kinds(municipality_id: int) -> dict[int, str]:
    return {id_: str(kind) for id_, kind in db.session.execute(
        select(PartnerOrganisation.id, PartnerOrganisation.kind)
        .where(PartnerOrganisation.municipality_id == municipality_id)
    )}


def _actions(municipality_id: int, year: int) -> dict[str, Compared]:
    """Actions decided in each year, and those done or dropped in it (whenever they were decided)."""
    first, last = _weeks(year)
    closed = EstAction.closed_week.between(first, last)
    status = cast(EstAction.status, String)
    rows = db.session.execute(
        select(_year_of(EstAction.decided_week), literal("decided", String), func.count())
        .where(EstAction.municipality_id == municipality_id, EstAction.decided_week.between(first, last))
        .group_by(_year_of(EstAction.decided_week))
        .union_all(
            select(_year_of(EstAction.closed_week), status, func.count())
            .where(EstAction.municipality_id == municipality_id, closed,
                   EstAction.status.in_((ActionStatus.DONE, ActionStatus.DROPPED)))
            .group_by(_year_of(EstAction.closed_week), status)
        )
    )
    found = {(year_key, what): n for year_key, what, n in rows}
    return {row.key: row for row in _compare(found, year, ("decided", ActionStatus.DONE.value,
                                                               ActionStatus.DROPPED.value))}


def _year_bounds(year: int):
    """The ISO years as moments: from the Monday of week 1 of the year before to that of the next year."""
    return week_start(f"{year - 1}-W01"), week_start(f"{year}-W01"), week_start(f"{year + 1}-W01")


def _groups(municipality_id: int, year: int) -> dict[str, Compared]:
    """Groups started (registered in the year and approved, whether or not archived since) and closed
    (archived in the year: the archiving is the coordinator's last decision on the group)."""
    before, start, end = _year_bounds(year)

    def in_year(column):
        return case((and_(column >= start, column < end), "this"), (and_(column >= before, column < start), "last"))

    started = in_year(Group.created_at)
    closed = in_year(Group.decided_at)
    rows = db.session.execute(
        select(started, closed, Group.status, func.count())
        .where(Group.municipality_id == municipality_id,
               Group.status.in_((GroupStatus.APPROVED, GroupStatus.ARCHIVED)))
        .group_by(started, closed, Group.status)
    )
    found: dict[tuple[str, str], int] = {}
    for started_in, closed_in, status, n in rows:
        if started_in:
            found[(started_in, "started")] = found.get((started_in, "started"), 0) + n
        if closed_in and status == GroupStatus.ARCHIVED:
            found[(closed_in, "closed")] = found.get((closed_in, "closed"), 0) + n
    return {key: Compared(key, found.get(("this", key), 0), found.get(("last", key), 0)) for key in ("started", "closed")}


def _alerts(municipality_id: int, year: int) -> dict[str, Compared]:
    """Alerts sent in each year and how many people they reached (a delivery is one person for one alert)."""
    before, start, end = _year_bounds(year)
    which = case((Alert.created_at >= start, "this"), else_="last")
    rows = db.session.execute(
        select(which, func.count(func.distinct(Alert.id)), func.count(Delivery.id))
        .outerjoin(Delivery, and_(Delivery.alert_id == Alert.id, Delivery.status.in_(REACHED)))
        .where(Alert.municipality_id == municipality_id, Alert.status != AlertStatus.DRAFT,
               Alert.created_at >= before, Alert.created_at < end)
        .group_by(which)
    )
    found = {}
    for which_year, sent, people in rows:
        found[(which_year, "sent")], found[(which_year, "people")] = sent, int(people)
    return {key: Compared(key, found.get(("this", key), 0), found.get(("last", key), 0)) for key in ("sent", "people")}


def _promises(municipality_id: int, year: int) -> list[CitizenPromise]:
    """The medborgarlöften whose period touches the calendar year."""
    return list(db.session.scalars(
        select(CitizenPromise)
        .where(CitizenPromise.municipality_id == municipality_id,
               CitizenPromise.starts_on <= date(year, 12, 31), CitizenPromise.ends_on >= date(year, 1, 1))
        .order_by(CitizenPromise.starts_on, CitizenPromise.id)
    ))


def _add(found: dict[tuple[str, str], int], key: tuple[str, str], n: int) -> None:
    found[key] = found.get(key, 0) + n


def year_report(municipality_id: int, year: int) -> YearReport:
    kinds = _partner_kinds(municipality_id)
    categories, quarters, postcodes, reported_by = {}, {}, {}, {}
    for year_key, category, postcode, partner, n in _observation_counts(municipality_id, year):
        _add(categories, (year_key, category), n)
        _add(postcodes, (year_key, postcode), n)
        _add(reported_by, (year_key, kinds.get(partner, WATCH_GROUPS) if partner else WATCH_GROUPS), n)
    for week, n in _week_totals(municipality_id, year).items():
        _add(quarters, (week[:4], str(quarter_of(week))), n)
    category_keys = [c.value for c in ObservationCategory]
    if any(category == UNCATEGORISED for _year, category in categories):
        category_keys.append(UNCATEGORISED)
    this, last = str(year), str(year - 1)
    return YearReport(
        municipality_id=municipality_id, year=year,
        categories=_compare(categories, year, category_keys),
        quarters=_compare(quarters, year, [str(q) for q in QUARTERS]),
        postcodes=_by_count(_compare(postcodes, year, sorted({p for _y, p in postcodes}))),
        reported_by=_by_count(_compare(reported_by, year, sorted({k for _y, k in reported_by} | {WATCH_GROUPS}))),
        total=Compared("total", sum(n for (y, _c), n in categories.items() if y == this),
                       sum(n for (y, _c), n in categories.items() if y == last)),
        actions=_actions(municipality_id, year),
        groups=_groups(municipality_id, year),
        alerts=_alerts(municipality_id, year),
        promises=_promises(municipality_id, year),
    )


def year_labels() -> dict[str, Any]:
    return {
        "decided": _("Actions decided"), ActionStatus.DONE.value: _("Actions done"),
        ActionStatus.DROPPED.value: _("Actions dropped"),
        "started": _("Groups started"), "closed": _("Groups closed"),
        "sent": _("Alerts sent"), "people": _("People the alerts reached"),
    }


def postcode_label(key: str) -> str:
    return format_postcode(key) if key else _("No postcode")


def quarter_label(key: str) -> str:
    return _("Quarter %(number)s", number=key)


def year_csv(report: YearReport, public: bool) -> str:
    """Counts only, one row per figure; the staff's file adds the medborgarlöften's titles."""
    labels = year_labels()
    rows: list[list[Any]] = [[_("Breakdown"), _("Value"), str(report.year), str(report.year - 1)]]
    rows.append([_("Total"), "", report.total.count, report.total.last_year])
    for breakdown, items, label in (
        (_("Category"), report.categories, lambda key: str(category_label(key))),
        (_("Quarter"), report.quarters, quarter_label),
        (_("Postcode"), report.postcodes, postcode_label),
        (_("Reported by"), report.reported_by, lambda key: str(reported_by_label(key))),
        (_("EST actions"), report.actions.values(), labels.get),
        (_("Groups"), report.groups.values(), labels.get),
        (_("Alerts"), report.alerts.values(), labels.get),
    ):
        rows.extend([breakdown, label(row.key), row.count, row.last_year] for row in items)
    for promise in report.promises:
        period = f"{promise.starts_on.isoformat()} – {promise.ends_on.isoformat()}"
        rows.append([_("Medborgarlöfte"), period if public else f"{period}: {promise.title}", "", ""])
    return excel_csv(rows)
