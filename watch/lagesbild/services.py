"""The weekly lägesbild and the medborgarlöfte: counts, publishing, promises and the public summary.

Every count is a GROUP BY in the database over the (municipality_id, observed_week) index; Python
only arranges the few aggregated rows that come back.
"""
import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import format_decimal, gettext as _, lazy_gettext as _l
from sqlalchemy import Select, exists, func, literal_column, or_, select, union_all
from sqlalchemy.orm import joinedload

from watch.core.postcodes import format_postcode
from watch.core.spreadsheet import excel_csv
from watch.core.weeks import IsoWeek, Period, today
from watch.extensions import db
from watch.models import (
    OPEN_ACTION_STATUSES, ActionStatus, Alert, AlertStatus, Delivery, DeliveryStatus, EstAction,
    CitizenPromise, Group, GroupKind, GroupPostcode, GroupStatus, Municipality, Observation, ObservationCategory,
    ObservationStatus, PartnerOrganisation, Role, SituationPicture, User, utcnow,
)
from watch.partners.services import KIND_LABELS
from watch.observations.services import FILED_FOR, UNCATEGORISED, category_label

PREVIOUS_PERIODS = 4  # the trend compares with the four periods just before
MAX_PERIOD_WEEKS = 53  # one lägesbild covers at most a year
NOTABLE_LIMIT = 50
SNAPSHOT_VERSION = 1


def this_week() -> IsoWeek:
    return IsoWeek.of(utcnow())


def this_week_period() -> Period:
    week = this_week()
    return Period(week, week)


# ---- counts ---------------------------------------------------------------------------------------

def _in_period(municipality_id: int, period: Period):
    return (
        Observation.municipality_id == municipality_id,
        Observation.observed_week.between(period.first.key, period.last.key),
    )


def _category_counts(municipality_id: int, periods: list[Period]) -> list[dict[str, int]]:
    """Observations per category in each period (periods may overlap), from one GROUP BY week and category.

    One index scan over exactly the weeks needed; a UNION per period made PostgreSQL start parallel
    workers, which cost more than the counting itself.
    """
    weeks = sorted({week.key for period in periods for week in period.weeks()})
    per_week = {
        (week, str(category or UNCATEGORISED)): n
        for week, category, n in db.session.execute(
            select(Observation.observed_week, Observation.category, func.count())
            .where(Observation.municipality_id == municipality_id, Observation.observed_week.in_(weeks))
            .group_by(Observation.observed_week, Observation.category)
        )
    }
    # Reports by SMS whose category the coordinator has not set yet get a row of their own, when there are any.
    categories = [c.value for c in ObservationCategory]
    if any(category == UNCATEGORISED for _week, category in per_week):
        categories.append(UNCATEGORISED)
    counts = []
    for period in periods:
        keys = [week.key for week in period.weeks()]
        counts.append({c: sum(per_week.get((key, c), 0) for key in keys) for c in categories})
    return counts


def _group_counts(municipality_id: int, period: Period) -> list[dict[str, Any]]:
    """Every approved group (zero when quiet), and any other group that has observations in the period."""
    observed = (
        select(Observation.group_id, func.count().label("n"))
        .where(*_in_period(municipality_id, period))
        .group_by(Observation.group_id)
        .subquery()
    )
    count = func.coalesce(observed.c.n, 0)
    groups = db.session.execute(
        select(Group, count)
        .outerjoin(observed, observed.c.group_id == Group.id)
        .where(Group.municipality_id == municipality_id,
               or_(Group.status == GroupStatus.APPROVED, observed.c.n.is_not(None)))
        .order_by(count.desc(), Group.name)
    )
    return [{"name": group.name, "count": n, **_night_watch(group, period)} for group, n in groups]


def _night_watch(group: Group, period: Period) -> dict[str, bool]:
    """For a boat club: whether its night-watch season (which may cross the new year) covers any week of the
    period; nothing for other groups."""
    if group.kind != GroupKind.BOAT or group.watch_week_from is None:
        return {}
    return {"night_watch": any(group.keeps_watch_in(week.number) for week in period.weeks())}


def _postcode_counts(municipality_id: int, period: Period) -> list[dict[str, Any]]:
    """Observations per postcode; the approved groups' postcodes are listed with zero when quiet."""
    observed = (
        select(Observation.postcode.label("postcode"), func.count().label("n"))
        .where(*_in_period(municipality_id, period))
        .group_by(Observation.postcode)
    )
    covered = (
        select(GroupPostcode.postcode.label("postcode"), literal_column("0").label("n"))
        .join(Group, Group.id == GroupPostcode.group_id)
        .where(Group.municipality_id == municipality_id, Group.status == GroupStatus.APPROVED)
    )
    both = union_all(observed, covered).subquery()
    total = func.sum(both.c.n)
    rows = db.session.execute(
        select(both.c.postcode, total)
        .group_by(both.c.postcode)
        .order_by(total.desc(), both.c.postcode.is_(None), both.c.postcode)
    )
    return [{"postcode": postcode, "count": int(n)} for postcode, n in rows]


# Observations by members of watch groups; partner organisations' are counted by the organisation's kind.
WATCH_GROUPS = "groups"


def reported_by_label(key: str):
    return _("Members of watch groups") if key == WATCH_GROUPS else KIND_LABELS.get(key, key)


def _reported_by_counts(municipality_id: int, period: Period) -> list[dict[str, Any]]:
    """Observations by who reported them: watch groups (always listed), then each kind of partner organisation."""
    rows = db.session.execute(
        select(PartnerOrganisation.kind, func.count())
        .select_from(Observation)
        .outerjoin(PartnerOrganisation, PartnerOrganisation.id == Observation.partner_organisation_id)
        .where(*_in_period(municipality_id, period))
        .group_by(PartnerOrganisation.kind)
    )
    found = {str(kind) if kind is not None else WATCH_GROUPS: n for kind, n in rows}
    found.setdefault(WATCH_GROUPS, 0)
    return [{"key": key, "count": n} for key, n in sorted(found.items(), key=lambda item: (-item[1], item[0]))]


def _compared(count: int, previous: list[int], last_year: int) -> dict[str, Any]:
    return {
        "count": count,
        "previous": previous,
        "previous_average": round(sum(previous) / len(previous), 1),
        "last_year": last_year,
    }


def counts(municipality_id: int, period: Period) -> dict[str, Any]:
    """The numbers of a lägesbild, as plain JSON: what the page shows and what publishing freezes.

    Four queries whatever the number of observations.
    """
    previous = period.previous(PREVIOUS_PERIODS)
    last_year = period.last_year()
    current, *earlier, year_ago = _category_counts(municipality_id, [period, *previous, last_year])
    categories = [
        {"key": key, **_compared(n, [bucket[key] for bucket in earlier], year_ago[key])}
        for key, n in current.items()
    ]
    return {
        "version": SNAPSHOT_VERSION,
        "first_week": period.first.key,
        "last_week": period.last.key,
        "previous_periods": [[p.first.key, p.last.key] for p in previous],
        "last_year_period": [last_year.first.key, last_year.last.key],
        "total": _compared(sum(current.values()), [sum(b.values()) for b in earlier], sum(year_ago.values())),
        "categories": categories,
        "groups": _group_counts(municipality_id, period),
        "reported_by": _reported_by_counts(municipality_id, period),
        "postcodes": _postcode_counts(municipality_id, period),
    }


@dataclass(frozen=True)
class Notable:
    """The notable observations of a period as one reader may see them."""

    shown: list[Observation]  # with their text: the reader may read these (can_view)
    # Notable ones the reader may only count: (week, category, how many), by week and category.
    counted: list[tuple[str, str, int]]


def notable_observations(viewer: User, municipality_id: int, period: Period) -> Notable:
    """What the coordinator marked as notable in the period, oldest first.

    Coordinators read them all. Anyone else (the police) reads only the forwarded ones, as on the
    observation's own page (`observations.services.can_view`), and gets the rest as counts by week
    and category: their text, place and time never leave the database for them.
    """
    query = (
        select(Observation)
        .where(*_in_period(municipality_id, period), Observation.notable.is_(True))
        .options(*FILED_FOR)
        .order_by(Observation.observed_at, Observation.id)
        .limit(NOTABLE_LIMIT)
    )
    if viewer.role == Role.COORDINATOR:
        return Notable(list(db.session.scalars(query)), [])
    forwarded = Observation.status == ObservationStatus.FORWARDED
    counted = db.session.execute(
        select(Observation.observed_week, Observation.category, func.count())
        .where(*_in_period(municipality_id, period), Observation.notable.is_(True), ~forwarded)
        .group_by(Observation.observed_week, Observation.category)
        .order_by(Observation.observed_week, Observation.category)
    )
    return Notable(list(db.session.scalars(query.where(forwarded))),
                   [(week, str(category), n) for week, category, n in counted])


# ---- alerts sent in the period --------------------------------------------------------------------

@dataclass(frozen=True)
class SentAlert:
    """One alert (utskick) as the lägesbild shows it."""

    sent_at: datetime
    target: str  # who it went to, in words: "Båtsamverkan", "613 31, 613 32"
    text: str
    recipients: int


def alerts_sent(municipality_id: int, period: Period) -> list[SentAlert]:
    """The alerts that went out in the period, oldest first, with how many people they were sent to."""
    recipients = (
        select(func.count(Delivery.id))
        .where(Delivery.alert_id == Alert.id, Delivery.status != DeliveryStatus.SKIPPED)
        .correlate(Alert)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Alert.created_at, Alert.target_description, Alert.body, recipients)
        .where(Alert.municipality_id == municipality_id, Alert.status != AlertStatus.DRAFT,
               Alert.created_at >= period.starts_at, Alert.created_at < period.ends_at)
        .order_by(Alert.created_at, Alert.id)
    )
    return [SentAlert(*row) for row in rows]


# ---- EST actions --------------------------------------------------------------------------------

ACTION_STATUS_LABELS = {
    ActionStatus.PLANNED: _l("Planned"),
    ActionStatus.IN_PROGRESS: _l("In progress"),
    ActionStatus.DONE: _l("Done"),
    ActionStatus.DROPPED: _l("Dropped"),
}


@dataclass(frozen=True)
class ActionRow:
    """An action on a lägesbild, with the observations in its area and categories around it."""

    action: EstAction
    before: int  # in the PREVIOUS_PERIODS weeks before the week it was decided
    since: int  # from the week it was decided to the lägesbild's last week


def _action_matches(action: EstAction, postcode: str | None, category: str | None) -> bool:
    return ((action.postcode is None or postcode == action.postcode)
            and (not action.categories or str(category) in action.categories))


def actions_on(municipality_id: int, period: Period) -> list[ActionRow]:
    """The actions decided up to the period's last week that were still open at its start: open ones carry
    over to every later lägesbild, closed ones stay on the weeks until they were closed. Two queries."""
    actions = list(db.session.scalars(
        select(EstAction)
        .where(EstAction.municipality_id == municipality_id, EstAction.decided_week <= period.last.key,
               or_(EstAction.closed_week.is_(None), EstAction.closed_week >= period.first.key))
        .order_by(EstAction.decided_week, EstAction.id)
    ))
    if not actions:
        return []
    earliest = min(IsoWeek.parse(a.decided_week) for a in actions).shift(-PREVIOUS_PERIODS)
    counted = db.session.execute(
        select(Observation.postcode, Observation.category, Observation.observed_week, func.count())
        .where(Observation.municipality_id == municipality_id,
               Observation.observed_week.between(earliest.key, period.last.key))
        .group_by(Observation.postcode, Observation.category, Observation.observed_week)
    ).all()
    rows = []
    for action in actions:
        decided = IsoWeek.parse(action.decided_week)
        start = decided.shift(-PREVIOUS_PERIODS).key
        matching = [(week, n) for postcode, category, week, n in counted if _action_matches(action, postcode, category)]
        rows.append(ActionRow(action, before=sum(n for week, n in matching if start <= week < decided.key),
                              since=sum(n for week, n in matching if decided.key <= week)))
    return rows


def action_in(municipality_id: int, action_id: int) -> EstAction | None:
    action = db.session.get(EstAction, action_id)
    return action if action is not None and action.municipality_id == municipality_id else None


def add_action(municipality: Municipality, week: IsoWeek, by: User, *, what: str, area: str, postcode: str | None,
               organisation: str, responsible: str, due_on: date | None, categories: list[str]) -> EstAction:
    action = EstAction(municipality=municipality, decided_week=week.key, what=what.strip(), area=(area or "").strip(),
                       postcode=postcode, organisation=(organisation or "").strip(),
                       responsible=(responsible or "").strip(), due_on=due_on, categories=sorted(categories),
                       created_by=by)
    db.session.add(action)
    db.session.flush()
    return action


def set_action_status(action: EstAction, status: ActionStatus) -> None:
    """Done or dropped closes the action this week (it leaves the following weeks' lägesbild); back to planned
    or in progress opens it again."""
    action.status = status
    action.updated_at = utcnow()
    if status in OPEN_ACTION_STATUSES:
        action.closed_week = None
    elif action.closed_week is None:
        action.closed_week = max(this_week().key, action.decided_week)


def actions_csv_rows(actions: list[ActionRow]) -> list[list]:
    """The actions, in the words EST wrote them, below the counts."""
    if not actions:
        return []
    return [
        [_("Decided in week"), _("Action"), _("Area"), _("Postcode"), _("Organisation"), _("Responsible"),
         _("Due"), _("Status"), _("Categories"), _("Observations in the four weeks before"),
         _("Observations since")],
        *([row.action.decided_week, row.action.what, row.action.area, format_postcode(row.action.postcode)
           if row.action.postcode else "", row.action.organisation, row.action.responsible,
           row.action.due_on.isoformat() if row.action.due_on else "", str(ACTION_STATUS_LABELS[row.action.status]),
           ", ".join(str(category_label(c)) for c in row.action.categories), row.before, row.since]
          for row in actions),
    ]


# ---- publishing -----------------------------------------------------------------------------------

def publish(municipality: Municipality, period: Period, summary: str, by: User) -> SituationPicture:
    """Freeze the period's numbers as they are now, with the coordinator's summary."""
    snapshot = counts(municipality.id, period)
    snapshot["alerts_sent"] = len(alerts_sent(municipality.id, period))
    picture = SituationPicture(
        municipality=municipality, first_week=period.first.key, last_week=period.last.key,
        summary=summary.strip(), counts=snapshot, published_by=by,
    )
    db.session.add(picture)
    db.session.flush()
    return picture


def published_select(municipality_id: int) -> Select:
    return (
        select(SituationPicture)
        .where(SituationPicture.municipality_id == municipality_id)
        .options(joinedload(SituationPicture.published_by))
        .order_by(SituationPicture.published_at.desc(), SituationPicture.id.desc())
    )


def latest_published(municipality_id: int, limit: int = 1) -> list[SituationPicture]:
    return list(db.session.scalars(published_select(municipality_id).limit(limit)))


def published_for_period(municipality_id: int, period: Period) -> SituationPicture | None:
    """The latest lägesbild published for exactly these weeks: its summary goes on the printed page."""
    return db.session.scalar(
        published_select(municipality_id)
        .where(SituationPicture.first_week == period.first.key, SituationPicture.last_week == period.last.key)
        .limit(1)
    )


# ---- CSV ------------------------------------------------------------------------------------------

def counts_csv(snapshot: dict[str, Any], actions: list[ActionRow] = ()) -> str:
    """The numbers, one row per count: never names of people, places typed by people or free text from
    observations. The EST actions of the period follow, under their own header."""
    weeks = [snapshot["first_week"], snapshot["last_week"]]

    def compared(label, value, row):
        return [*weeks, label, value, row["count"], format_decimal(row["previous_average"]), row["last_year"]]

    return excel_csv([
        [_("First week"), _("Last week"), _("Breakdown"), _("Value"), _("Observations"),
         _("Average of the four previous periods"), _("Same period last year")],
        compared(_("Total"), "", snapshot["total"]),
        *(compared(_("Category"), str(category_label(row["key"])), row) for row in snapshot["categories"]),
        *([*weeks, _("Group"), row["name"], row["count"], "", ""] for row in snapshot["groups"]),
        *([*weeks, _("Reported by"), str(reported_by_label(row["key"])), row["count"], "", ""]
          for row in snapshot.get("reported_by", [])),
        *([*weeks, _("Postcode"), format_postcode(row["postcode"]), row["count"], "", ""]
          for row in snapshot["postcodes"]),
        *actions_csv_rows(list(actions)),
    ])


# ---- medborgarlöfte -------------------------------------------------------------------------------

def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day (31 October + 4 months → 28/29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_promise_period(start: date) -> tuple[date, date]:
    """Four months, the usual length of a medborgarlöfte."""
    return start, add_months(start, 4) - timedelta(days=1)


def current_promises(municipality_id: int, on: date) -> list[CitizenPromise]:
    """The promises whose period covers the day, the most recently started first (normally just one)."""
    return list(db.session.scalars(
        select(CitizenPromise)
        .where(CitizenPromise.municipality_id == municipality_id,
               CitizenPromise.starts_on <= on, CitizenPromise.ends_on >= on)
        .order_by(CitizenPromise.starts_on.desc(), CitizenPromise.id.desc())
    ))


def earlier_promises_select(municipality_id: int, on: date) -> Select:
    """The archive: promises whose period has ended, the latest first."""
    return (
        select(CitizenPromise)
        .where(CitizenPromise.municipality_id == municipality_id, CitizenPromise.ends_on < on)
        .order_by(CitizenPromise.ends_on.desc(), CitizenPromise.id.desc())
    )


def has_earlier_promises(municipality_id: int, on: date) -> bool:
    return db.session.scalar(select(exists().where(
        CitizenPromise.municipality_id == municipality_id, CitizenPromise.ends_on < on
    )))


def promises_select(municipality_id: int) -> Select:
    """Every promise of a municipality for the staff's list, the latest period first."""
    return (
        select(CitizenPromise)
        .where(CitizenPromise.municipality_id == municipality_id)
        .order_by(CitizenPromise.starts_on.desc(), CitizenPromise.id.desc())
    )


def promise_state(promise: CitizenPromise, on: date) -> str:
    if promise.ends_on < on:
        return "ended"
    return "upcoming" if promise.starts_on > on else "current"


def save_promise(promise: CitizenPromise | None, municipality: Municipality, by: User, *, title: str, body: str,
                 starts_on: date, ends_on: date, follow_up: str) -> CitizenPromise:
    if promise is None:
        promise = CitizenPromise(municipality=municipality, created_by=by)
        db.session.add(promise)
    else:
        promise.updated_at = utcnow()
    promise.title = title.strip()
    promise.body = body.strip()
    promise.starts_on = starts_on
    promise.ends_on = ends_on
    promise.follow_up = (follow_up or "").strip()
    db.session.flush()
    return promise


# ---- the municipality's front page ----------------------------------------------------------------

@dataclass(frozen=True)
class PublicSummary:
    picture: SituationPicture | None
    promises: list[CitizenPromise]
    has_archive: bool
    year: int  # of the yearly follow-up the page links to


def public_summary(municipality_id: int, on: date | None = None) -> PublicSummary:
    """What residents see: the latest published numbers (no free text) and the current medborgarlöfte."""
    on = on or today()
    pictures = latest_published(municipality_id)
    return PublicSummary(
        picture=pictures[0] if pictures else None,
        promises=current_promises(municipality_id, on),
        has_archive=has_earlier_promises(municipality_id, on),
        year=on.year,
    )
