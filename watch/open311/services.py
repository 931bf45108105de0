"""GeoReport v2 for one municipality (jurisdiction_id = its slug).

Open data never holds what could point at a person: only the category, open/closed, the Monday of the
observation's ISO week and the postcode. Filtering works on whole weeks too, so no query narrows a report
down to its day.
"""
import math
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import force_locale, gettext as _, lazy_gettext as _l
from sqlalchemy import select

from watch.core.weeks import iso_week, local_zone, week_start
from watch.extensions import db
from watch.models import (
    PUBLIC_PLACE_CATEGORIES, Municipality, Observation, ObservationCategory, ObservationSource, ObservationStatus,
    PartnerOrganisation, utcnow,
)
from watch.observations.forms import DESCRIPTION_MAX
from watch.observations.services import CATEGORY_LABELS, file_observation, notify_coordinators

MAX_DAYS = 90  # per call, as the specification allows
PAGE_SIZE = 500
OPEN = (ObservationStatus.NEW, ObservationStatus.SEEN)

DESCRIPTIONS = {
    ObservationCategory.SUSPICIOUS_PERSON: _l("Someone behaving suspiciously around homes, sheds or boats."),
    ObservationCategory.SUSPICIOUS_VEHICLE: _l("A vehicle or boat that seems to be scouting the area."),
    ObservationCategory.BURGLARY: _l("A burglary or an attempt, in a home, shed, garage or storage."),
    ObservationCategory.BOAT_THEFT: _l("Theft from a boat, or of a boat engine or fuel."),
    ObservationCategory.FUEL_THEFT: _l("Fuel drained or stolen from boats, vehicles or machines."),
    ObservationCategory.STORAGE_THEFT: _l("Theft from boats or engines kept in winter storage."),
    ObservationCategory.VANDALISM: _l("Damage to property."),
    ObservationCategory.FIRE_HAZARD: _l("A fire or something that could start one."),
    ObservationCategory.OTHER: _l("Something else that affects safety in the area."),
    ObservationCategory.GRAFFITI: _l("Graffiti and damage in public places."),
    ObservationCategory.LITTERING: _l("Littering, and waste or bulky items dumped in public places."),
    ObservationCategory.DISORDER: _l("Disturbances and disorder in public places."),
    ObservationCategory.UNSAFE_PLACE: _l("A place that feels unsafe, for example because of broken lighting."),
    ObservationCategory.DRUG_DEALING: _l("Suspected drug dealing at a place."),
}


class Open311Error(Exception):
    """An error answered in the specification's format, with its HTTP status."""

    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status, self.description = status, description


# ---- services --------------------------------------------------------------------------------------

def services_list() -> list[dict]:
    """Every category, named and described in Swedish (the municipality's language)."""
    with force_locale("sv"):
        return [{
            "service_code": category.value,
            "service_name": str(CATEGORY_LABELS[category]),
            "description": str(DESCRIPTIONS[category]),
            "metadata": False,
            "type": "realtime",
            "keywords": "",
            "group": _("Public places") if category in PUBLIC_PLACE_CATEGORIES else _("Neighbourhood watch"),
        } for category in ObservationCategory]


# ---- requests as open data ---------------------------------------------------------------------------

def jurisdiction(slug: str | None) -> Municipality:
    if not slug:
        raise Open311Error(400, "jurisdiction_id is required: the municipality's slug, e.g. oxelosund")
    municipality = db.session.scalar(select(Municipality).where(Municipality.slug == slug))
    if municipality is None:
        raise Open311Error(404, f"unknown jurisdiction_id: {slug[:80]}")
    return municipality


def _w3c_datetime(name: str, text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{name} must be a W3C datetime such as 2026-01-01T00:00:00Z") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=local_zone())


def _choices(name: str, text: str | None, allowed: set[str]) -> list[str]:
    values = [v.strip() for v in (text or "").split(",") if v.strip()]
    if unknown := [v for v in values if v not in allowed]:
        raise Open311Error(400, f"unknown {name}: {', '.join(unknown)[:200]}")
    return values


def _ids(text: str | None) -> list[int]:
    try:
        ids = [int(v) for v in (text or "").split(",") if v.strip()]
    except ValueError:
        raise Open311Error(400, "service_request_id must be numbers, comma delimited") from None
    if len(ids) > PAGE_SIZE or any(not 0 < i < 2**31 for i in ids):
        raise Open311Error(400, f"at most {PAGE_SIZE} service_request_id, each a positive number")
    return ids


def _page(text: str | None) -> int:
    try:
        page = int(text or 1)
    except ValueError:
        page = 0
    if not 1 <= page <= 100_000:
        raise Open311Error(400, "page must be a number from 1")
    return page


@dataclass(frozen=True)
class RequestPage:
    rows: list[dict]
    page: int
    has_more: bool


def _swedish_names() -> dict[str, str]:
    with force_locale("sv"):
        return {category.value: str(label) for category, label in CATEGORY_LABELS.items()}


def _row(names: dict[str, str], observation_id: int, status: ObservationStatus, category: str, week: str,
         postcode: str | None) -> dict:
    return {
        "service_request_id": str(observation_id),
        "status": "open" if status in OPEN else "closed",
        "service_code": str(category),
        "service_name": names[category],
        "requested_datetime": week_start(week).astimezone(local_zone()).isoformat(),
        "zipcode": postcode or "",
    }


def _open_data_select(municipality: Municipality):
    return (select(Observation.id, Observation.status, Observation.category, Observation.observed_week,
                   Observation.postcode)
            .where(Observation.municipality_id == municipality.id, Observation.category.is_not(None)))


def requests_page(municipality: Municipality, args) -> RequestPage:
    """GET requests: the query string as the specification defines it, and `page` (1, 2, ...) for the next rows."""
    query = _open_data_select(municipality)
    if ids := _ids(args.get("service_request_id")):
        query = query.where(Observation.id.in_(ids))  # overrides the other filters, as the specification says
    else:
        end = _w3c_datetime("end_date", args.get("end_date")) or utcnow()
        start = _w3c_datetime("start_date", args.get("start_date")) or end - timedelta(days=MAX_DAYS)
        if start > end:
            raise Open311Error(400, "start_date is after end_date")
        if end - start > timedelta(days=MAX_DAYS):
            raise Open311Error(400, f"start_date to end_date may span at most {MAX_DAYS} days")
        query = query.where(Observation.observed_week.between(iso_week(start), iso_week(end)))
        if codes := _choices("service_code", args.get("service_code"), {c.value for c in ObservationCategory}):
            query = query.where(Observation.category.in_(codes))
        if statuses := set(_choices("status", args.get("status"), {"open", "closed"})):
            if statuses == {"open"}:
                query = query.where(Observation.status.in_(OPEN))
            elif statuses == {"closed"}:
                query = query.where(Observation.status.not_in(OPEN))
    page = _page(args.get("page"))
    rows = db.session.execute(query.order_by(Observation.observed_week.desc(), Observation.id.desc())
                              .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    names = _swedish_names()
    return RequestPage([_row(names, *row) for row in rows[:PAGE_SIZE]], page, len(rows) > PAGE_SIZE)


def one_request(municipality: Municipality, observation_id: int) -> dict:
    row = db.session.execute(_open_data_select(municipality).where(Observation.id == observation_id)).first()
    if row is None:
        raise Open311Error(404, f"no service request {observation_id} in this jurisdiction")
    return _row(_swedish_names(), *row)


# ---- a partner system files a report -------------------------------------------------------------------

def _coordinate(name: str, text: str | None, limit: float) -> float | None:
    if not (text or "").strip():
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not -limit <= value <= limit:  # NaN fails too
        raise Open311Error(400, f"{name} must be a decimal number of degrees (WGS84)")
    return round(value, 6)


def create_request(municipality: Municipality, organisation: PartnerOrganisation, form) -> Observation:
    """POST requests: an observation in the triage inbox, as the organisation's reporter would file it.

    Names, email addresses and phone numbers a client may send (first_name, email, ...) are not stored.
    """
    if organisation.municipality_id != municipality.id:
        raise Open311Error(403, "the api_key is not for this jurisdiction_id")
    code = (form.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, "service_code is required")
    if code not in {c.value for c in ObservationCategory}:
        raise Open311Error(400, f"unknown service_code: {code[:40]}")
    latitude = _coordinate("lat", form.get("lat"), 90)
    longitude = _coordinate("long", form.get("long"), 180)
    address = " ".join((form.get("address_string") or "").split())[:300]
    if (latitude is None) != (longitude is None):
        raise Open311Error(400, "lat and long go together")
    if not address and latitude is None:
        raise Open311Error(400, "a location is required: lat and long, or address_string")
    description = (form.get("description") or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise Open311Error(400, f"description may be at most {DESCRIPTION_MAX} characters")
    observation = file_observation(
        None, None, organisation=organisation, source=ObservationSource.OPEN311, category=ObservationCategory(code),
        observed_at=utcnow(), location=address, latitude=latitude, longitude=longitude, description=description)
    notify_coordinators(observation)
    return observation


# ---- formats -------------------------------------------------------------------------------------------

def to_xml(root: str, item: str, rows: list[dict]) -> bytes:
    """The specification's XML: <root><item><field>value</field>...</item>...</root>."""
    element = ElementTree.Element(root)
    for row in rows:
        child = ElementTree.SubElement(element, item)
        for name, value in row.items():
            ElementTree.SubElement(child, name).text = (
                ("true" if value else "false") if isinstance(value, bool) else ("" if value is None else str(value)))
    return ElementTree.tostring(element, encoding="utf-8", xml_declaration=True)
