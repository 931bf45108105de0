"""Business rules for observations: who may file and see them, the triage flow, notifications, retention."""
import re
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from watch.audit import actions
from watch.audit.services import record, record_each
from watch.core.postcodes import find_postcode
from watch.core.serials import normalise
from watch.core.weeks import day_start, iso_week, today, week_start
from watch.extensions import db
from watch.models import (
    PUBLIC_PLACE_CATEGORIES, AuditEvent, Group, GroupStatus, Membership, MembershipRole, MembershipStatus, Observation,
    ObservationCategory, ObservationSource, ObservationStatus, PartnerOrganisation, Role, User, utcnow,
)
from watch.observations import notices
from watch.observations.notices import notify_coordinators  # noqa: F401 - where filing code looks for it
from watch.core.photo_store import delete_after_commit
from watch.privacy.signals import account_deleting, personal_data_export

CATEGORY_LABELS = {
    ObservationCategory.SUSPICIOUS_PERSON: _l("Suspicious person"),
    ObservationCategory.SUSPICIOUS_VEHICLE: _l("Suspicious vehicle"),
    ObservationCategory.BURGLARY: _l("Burglary or attempted burglary"),
    ObservationCategory.BOAT_THEFT: _l("Theft from a boat or of an engine"),
    ObservationCategory.FUEL_THEFT: _l("Fuel theft"),
    ObservationCategory.STORAGE_THEFT: _l("Theft from a boat in winter storage"),
    ObservationCategory.VANDALISM: _l("Vandalism"),
    ObservationCategory.FIRE_HAZARD: _l("Fire or hazard"),
    ObservationCategory.OTHER: _l("Something else"),
    ObservationCategory.GRAFFITI: _l("Graffiti and vandalism"),
    ObservationCategory.LITTERING: _l("Littering and dumping"),
    ObservationCategory.DISORDER: _l("Disorder"),
    ObservationCategory.UNSAFE_PLACE: _l("Unsafe place or poor lighting"),
    ObservationCategory.DRUG_DEALING: _l("Suspected drug dealing"),
}
# Residents report around their homes and boats; partner reporters add the public-place categories.
RESIDENT_CATEGORIES = tuple(c for c in ObservationCategory if c not in PUBLIC_PLACE_CATEGORIES)

# A report by SMS waits for the coordinator to choose its category: the inbox filter's value and the
# lägesbild's key for such observations (their category column is NULL).
UNCATEGORISED = "uncategorised"
UNCATEGORISED_LABEL = _l("Not categorised yet")


def category_label(category: str | None):
    """What a category is called; an observation without one is "Not categorised yet"."""
    if category is None or category == UNCATEGORISED:
        return UNCATEGORISED_LABEL
    return CATEGORY_LABELS.get(category)


STATUS_LABELS = {
    ObservationStatus.NEW: _l("New"),
    ObservationStatus.SEEN: _l("Seen by the coordinator"),
    ObservationStatus.FORWARDED: _l("Forwarded to the police"),
    ObservationStatus.CLOSED: _l("Closed"),
}

# What the coordinator's buttons say for each step.
TRIAGE_ACTIONS = {
    ObservationStatus.SEEN: _l("Mark as seen"),
    ObservationStatus.FORWARDED: _l("Forward to the police"),
    ObservationStatus.CLOSED: _l("Close"),
}

# new → seen → forwarded or closed; a coordinator who reads and decides at once may skip "seen".
NEXT_STATUSES = {
    ObservationStatus.NEW: (ObservationStatus.SEEN, ObservationStatus.FORWARDED, ObservationStatus.CLOSED),
    ObservationStatus.SEEN: (ObservationStatus.FORWARDED, ObservationStatus.CLOSED),
    ObservationStatus.FORWARDED: (),
    ObservationStatus.CLOSED: (),
}

# Reporters may file a time a few minutes ahead of the server's clock: phones drift.
CLOCK_SKEW = timedelta(minutes=5)
ANONYMISE_BATCH = 500


# Decisions about an observation that the audit log keeps ("seen" is only the coordinator's bookmark).
AUDITED_STEPS = {ObservationStatus.FORWARDED: actions.OBSERVATION_FORWARDED,
                 ObservationStatus.CLOSED: actions.OBSERVATION_CLOSED}


class TransitionError(ValueError):
    pass


def is_in_future(moment: datetime) -> bool:
    return moment > utcnow() + CLOCK_SKEW


def is_too_old(moment: datetime) -> bool:
    """Older than the retention period: of no use to the weekly lägesbild, and due for anonymising anyway."""
    return moment < utcnow() - timedelta(days=current_app.config["OBSERVATION_RETENTION_DAYS"])


# ---- filing ---------------------------------------------------------------------------------------

def reporting_groups(user: User) -> list[Group]:
    """The approved groups this person is an active member or contact person of: where they may file."""
    return list(db.session.scalars(
        select(Group)
        .join(Membership, Membership.group_id == Group.id)
        .where(
            Membership.user_id == user.id,
            Membership.status == MembershipStatus.ACTIVE,
            Membership.role.in_((MembershipRole.MEMBER, MembershipRole.CONTACT)),
            Group.status == GroupStatus.APPROVED,
        )
        .order_by(Group.name)
    ))


def reporting_organisation(user: User) -> PartnerOrganisation | None:
    """A partner reporter's organisation: they file for it rather than for a group."""
    return user.partner_organisation if user.role == Role.REPORTER else None


def postcode_for(location: str, group: Group | None) -> str | None:
    """The postcode written in the place, else the group's if it has only one: kept for statistics."""
    if postcode := find_postcode(location):
        return postcode
    codes = [p.postcode for p in group.postcodes] if group is not None else []
    return codes[0] if len(codes) == 1 else None


def normalise_registration(text: str | None) -> str | None:
    cleaned = re.sub(r"[\s-]", "", text or "").upper()
    return cleaned or None


def display_registration(registration: str | None) -> str | None:
    """ABC12D → "ABC 12D", as Swedish plates are written; other countries' plates as stored."""
    if registration and re.fullmatch(r"[A-Z]{3}\d{2}[A-Z0-9]", registration):
        return f"{registration[:3]} {registration[3:]}"
    return registration


class AlreadyFiled(Exception):
    """The reporter's phone sent this form before (same client id): here is what it filed."""

    def __init__(self, observation: Observation):
        super().__init__(observation.id)
        self.observation = observation


def filed_before(reporter: User, client_id: str | None) -> Observation | None:
    """The observation this reporter filed with this client id, if any."""
    if not client_id:
        return None
    return db.session.scalar(select(Observation).where(
        Observation.reporter_id == reporter.id, Observation.client_id == client_id))


def file_observation(
    reporter: User | None, group: Group | None, *, category: ObservationCategory, observed_at: datetime,
    location: str, organisation: PartnerOrganisation | None = None, source: ObservationSource = ObservationSource.WEB,
    latitude: float | None = None, longitude: float | None = None, vehicle_registration: str | None = None,
    vehicle_colour: str | None = None, vehicle_make: str | None = None, description: str = "",
    photo_path: str | None = None, client_id: str | None = None, boat_name: str | None = None,
    boat_registration: str | None = None, engine_make: str | None = None, engine_serial: str | None = None,
) -> Observation:
    """A member's observation for their group, or a partner's for its organisation (reporter None: its system).

    With a client id that this reporter used before, raise AlreadyFiled and store nothing."""
    location = (location or "").strip()
    observation = Observation(
        group=group,
        partner_organisation=organisation,
        municipality_id=group.municipality_id if group is not None else organisation.municipality_id,
        reporter=reporter,
        source=source,
        category=ObservationCategory(category),
        observed_at=observed_at,
        observed_week=iso_week(observed_at),
        location=location,
        postcode=postcode_for(location, group),
        latitude=latitude,
        longitude=longitude,
        vehicle_registration=normalise_registration(vehicle_registration),
        vehicle_colour=(vehicle_colour or "").strip() or None,
        vehicle_make=(vehicle_make or "").strip() or None,
        description=(description or "").strip(),
        photo_path=photo_path,
        client_id=client_id,
        boat_name=(boat_name or "").strip() or None,
        boat_registration=(boat_registration or "").strip() or None,
        engine_make=(engine_make or "").strip() or None,
        engine_serial=(engine_serial or "").strip() or None,
        engine_serial_key=normalise(engine_serial) or None,
    )
    if client_id is None:
        db.session.add(observation)
        db.session.flush()
        return observation
    try:
        with db.session.begin_nested():  # another request with the same client id may commit first
            db.session.add(observation)
    except IntegrityError:
        raise AlreadyFiled(filed_before(reporter, client_id)) from None
    return observation


# Loaded with every listed observation: a group's or organisation's name goes with each (observations/_macros.html).
FILED_FOR = (joinedload(Observation.group), joinedload(Observation.partner_organisation))


# ---- who sees what --------------------------------------------------------------------------------

def can_view(user: User, observation: Observation) -> bool:
    """The reporter, the coordinators of its municipality, and its police once forwarded. Nobody else."""
    if observation.reporter_id is not None and observation.reporter_id == user.id:
        return True
    if observation.municipality_id not in user.municipality_ids():
        return False
    if user.role == Role.COORDINATOR:
        return True
    return user.role == Role.POLICE and observation.status == ObservationStatus.FORWARDED


def can_triage(user: User, observation: Observation) -> bool:
    return user.role == Role.COORDINATOR and observation.municipality_id in user.municipality_ids()


def record_view(user: User, observation: Observation) -> None:
    """Staff reading an observation or its photo goes in the audit log, once per person, observation and day."""
    if not user.is_staff:
        return
    seen_today = db.session.scalar(select(AuditEvent.id).where(
        AuditEvent.actor_id == user.id, AuditEvent.action == actions.OBSERVATION_VIEWED,
        AuditEvent.subject_type == Observation.__name__, AuditEvent.subject_id == observation.id,
        AuditEvent.created_at >= day_start(today())).limit(1))
    if seen_today is None:
        record(actions.OBSERVATION_VIEWED, subject=observation, actor=user)


def record_listed(user: User, observations: Iterable[Observation], page: str) -> None:
    """A list page showed these observations' text or place to `user`: one audit event each (not for the
    reporter's own), once per person, observation and day, written in one statement for the whole page."""
    if user.is_staff:
        record_each(actions.OBSERVATION_LISTED, Observation,
                    (o.id for o in observations if o.reporter_id is None or o.reporter_id != user.id),
                    actor=user, page=page)


def visible_observation(user: User, observation_id: int) -> Observation | None:
    observation = db.session.scalar(
        select(Observation).where(Observation.id == observation_id)
        .options(*FILED_FOR, joinedload(Observation.reporter))
    )
    return observation if observation is not None and can_view(user, observation) else None


def inbox_select(
    municipality_ids: set[int], *, status: str | None = None, category: str | None = None,
    group_id: int | None = None, week: str | None = None,
) -> Select:
    """The coordinator's inbox, newest first; every filter is served by an index on observation."""
    query = (
        select(Observation)
        .where(Observation.municipality_id.in_(municipality_ids))
        .options(*FILED_FOR)
        .order_by(Observation.created_at.desc(), Observation.id.desc())
    )
    if status:
        query = query.where(Observation.status == status)
    if category == UNCATEGORISED:
        query = query.where(Observation.category.is_(None))
    elif category:
        query = query.where(Observation.category == category)
    if group_id:
        query = query.where(Observation.group_id == group_id)
    if week:
        query = query.where(Observation.observed_week == week)
    return query


def police_select(municipality_ids: set[int]) -> Select:
    """Forwarded observations of the municipalities an officer covers, most recently forwarded first."""
    return (
        select(Observation)
        .where(Observation.municipality_id.in_(municipality_ids), Observation.status == ObservationStatus.FORWARDED)
        .options(*FILED_FOR, joinedload(Observation.municipality))
        .order_by(Observation.status_changed_at.desc(), Observation.id.desc())
    )


def reporter_select(user: User) -> Select:
    return (
        select(Observation)
        .where(Observation.reporter_id == user.id)
        .options(*FILED_FOR)
        .order_by(Observation.created_at.desc(), Observation.id.desc())
    )


def municipality_groups(municipality_ids: set[int]) -> list[Group]:
    return list(db.session.scalars(
        select(Group).where(Group.municipality_id.in_(municipality_ids)).order_by(Group.name)
    ))


def new_count_select(municipality_ids: set[int]) -> Select:
    return select(func.count()).select_from(Observation).where(
        Observation.municipality_id.in_(municipality_ids), Observation.status == ObservationStatus.NEW)


# ---- triage ---------------------------------------------------------------------------------------

def change_status(observation: Observation, status: ObservationStatus, note: str | None, by: User) -> None:
    """Move along new → seen → forwarded/closed. The same status again only saves a new note."""
    note = (note or "").strip()
    same_with_note = status == observation.status and note
    if status not in NEXT_STATUSES[observation.status] and not same_with_note:
        raise TransitionError(status)
    if note:
        observation.reporter_note = note
    status_changed = status != observation.status
    if status_changed:
        observation.status = status
        observation.status_changed_at = utcnow()
        observation.status_changed_by = by
        if action := AUDITED_STEPS.get(status):
            record(action, subject=observation, actor=by)
        if status == ObservationStatus.FORWARDED:
            notices.forwarded(observation)
    notices.tell_reporter(observation, status_changed=status_changed, note_added=bool(note), by=by)


def set_category(observation: Observation, category: ObservationCategory | None) -> bool:
    """The coordinator chooses the category of a report that came without one (by SMS). True if it changed."""
    if category is None or category == observation.category:
        return False
    observation.category = category
    return True


# ---- retention ------------------------------------------------------------------------------------

def anonymise(observation: Observation, now: datetime) -> str | None:
    """Strip what could identify anyone; keep category, week, group and postcode for the lägesbild.

    Returns the photo file name for the caller to delete once the change is committed.
    """
    photo = observation.photo_path
    observation.description = ""
    observation.location = ""
    observation.latitude = observation.longitude = None
    observation.vehicle_registration = observation.vehicle_colour = observation.vehicle_make = None
    observation.boat_name = observation.boat_registration = observation.engine_make = None
    observation.engine_serial = observation.engine_serial_key = None
    observation.photo_path = None
    observation.reporter_id = None
    observation.reporter_note = None
    # The week stays, the day and hour go: every time the row keeps becomes its week's Monday, 00:00 Swedish
    # time, as the privacy notice promises. The time of anonymising too: it would give away the filing day
    # (the nightly job runs OBSERVATION_RETENTION_DAYS after it) or the day an account was deleted.
    observation.observed_at = week_start(observation.observed_week)
    observation.created_at = _monday_of(observation.created_at)
    observation.status_changed_at = _monday_of(observation.status_changed_at)
    observation.police_notified_at = _monday_of(observation.police_notified_at)
    observation.anonymised_at = _monday_of(now)
    return photo


def _monday_of(moment: datetime | None) -> datetime | None:
    return None if moment is None else week_start(iso_week(moment))


def expired_batch(now: datetime) -> list[Observation]:
    cutoff = now - timedelta(days=current_app.config["OBSERVATION_RETENTION_DAYS"])
    return list(db.session.scalars(
        select(Observation)
        .where(Observation.created_at < cutoff, Observation.anonymised_at.is_(None))
        .order_by(Observation.id)
        .limit(ANONYMISE_BATCH)
    ))


# ---- Mina uppgifter (watch/privacy/signals.py) ------------------------------------------------------

@personal_data_export.connect
def export_observations(user: User, **extra) -> dict[str, list[dict]]:
    """What the person filed, in their own words; not the coordinator's handling beyond the status."""
    return {"observations": [{
        "filed_at": o.created_at, "group": o.group.name if o.group else None,
        "organisation": o.partner_organisation.name if o.partner_organisation else None, "category": str(o.category or ""),
        "source": str(o.source), "observed_at": o.observed_at,
        "location": o.location, "latitude": o.latitude, "longitude": o.longitude,
        "vehicle_registration": o.vehicle_registration, "vehicle_colour": o.vehicle_colour,
        "vehicle_make": o.vehicle_make, "boat_name": o.boat_name, "boat_registration": o.boat_registration,
        "engine_make": o.engine_make, "engine_serial": o.engine_serial, "description": o.description, "photo": o.photo_path is not None,
        "status": str(o.status),
    } for o in db.session.scalars(reporter_select(user))]}


@account_deleting.connect
def anonymise_observations_of(user: User, **extra) -> None:
    """Observations stay for the statistics, anonymised as after the retention period; photos go after the commit."""
    now = utcnow()
    filed = db.session.scalars(select(Observation).where(Observation.reporter_id == user.id))
    delete_after_commit([anonymise(observation, now) for observation in filed])
    db.session.execute(update(Observation).where(Observation.status_changed_by_id == user.id)
                       .values(status_changed_by_id=None))
