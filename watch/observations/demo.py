"""A year of observations in Oxelösund's approved demo groups: the inbox and the weekly lägesbild need history.

Idempotent: nothing is added if Oxelösund already has observations. Deterministic (fixed seed).
"""
import random
from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from watch.core.municipalities import find_municipality
from watch.extensions import db
from watch.models import (
    Group, GroupKind, GroupStatus, Membership, MembershipStatus, Observation, ObservationCategory as C,
    ObservationStatus as S, Role, User, utcnow,
)
from watch.observations import services

WEEKS = 52

PLACES = {
    "Västra vägen": ["Västra vägen 14", "Tallvägen 3", "Västra vägen vid återvinningsstationen", "Tallvägen 21",
                     "Gångvägen mellan Tallvägen och Västra vägen", "Västra vägen 2, 613 31 Oxelösund",
                     "Parkeringen vid Tallvägen 9"],
    "Jogersö båtklubb": ["Jogersö hamn, brygga A", "Jogersö hamn, brygga C plats 14", "Parkeringen vid Jogersö hamn",
                         "Sjösättningsrampen, Jogersö", "Båtuppställningen vid Jogersö", "Klubbstugan, Jogersö"],
}

TEXTS = {
    C.SUSPICIOUS_PERSON: [
        "Två personer i mörka kläder gick runt och kände på bildörrar längs gatan. Försvann mot centrum.",
        "En man i grå luvtröja fotograferade entréer och förråd. Verkade inte bo här.",
        "Okänd person ringde på hos flera grannar och frågade efter någon som inte bor här, gick sedan in på tomter.",
        "Person med ficklampa rörde sig mellan husen runt midnatt.",
    ],
    C.SUSPICIOUS_VEHICLE: [
        "Skåpbil utan firmanamn körde sakta fram och tillbaka flera gånger. Två personer i bilen.",
        "Bil stod parkerad med motorn igång i över en timme vid gångvägen. Föraren tittade mot husen.",
        "Bil med släpkärra stannade sent på kvällen och körde sedan iväg utan lyse.",
    ],
    C.BURGLARY: [
        "Uppbrutet förråd, hänglåset avklippt. Grannen saknar gräsklippare och verktyg.",
        "Försök till inbrott i villa, brytmärken på altandörren. Ägarna är bortresta.",
        "Garageporten uppbänd under natten. Två cyklar borta.",
    ],
    C.BOAT_THEFT: [
        "Utombordsmotor (Yamaha 40 hk) stulen från båt vid bryggan. Vajerlåset avklippt.",
        "Okänd person gick längs bryggan och kände på båtkapell runt klockan två på natten.",
        "Ekolod och plotter stulna från båt, kapellet uppskuret.",
    ],
    C.FUEL_THEFT: [
        "Bränsle tappat ur två båtar, tanklocken uppbrutna.",
        "Dieseln tömd ur tanken på en motorbåt vid brygga C under natten.",
    ],
    C.STORAGE_THEFT: [
        "Utombordsmotor borta från en båt på uppläggningsplatsen, bultarna avsågade.",
        "Presenningen uppskuren på en vinterförvarad båt; radion och flytvästarna borta.",
    ],
    C.VANDALISM: [
        "Klotter på elskåpet och busskuren.",
        "Sönderslagna rutor i miljöhuset.",
        "Någon har skurit sönder kapellet på två båtar.",
    ],
    C.FIRE_HAZARD: [
        "Glöd i papperskorgen vid lekplatsen, släckte med vatten. Luktar fortfarande rök.",
        "Grillkol dumpad mot ett träplank, fortfarande varm.",
        "Läckande bensindunk lämnad på bryggan.",
    ],
    C.OTHER: [
        "Gatubelysningen har varit släckt hela veckan, mörkt på gångvägen.",
        "Övergiven cykel vid återvinningen sedan tre veckor.",
        "Grinden till båtuppställningen står öppen och låset är trasigt.",
    ],
}

FORWARDED_NOTES = [
    "Tack! Uppgifterna är vidarebefordrade till kommunpolisen.",
    "Tack för en bra beskrivning. Polisen har fått den.",
    "Vidarebefordrad till polisen. Gör gärna en polisanmälan på 114 14 om något är stulet.",
]
CLOSED_NOTES = [
    "Tack! Vi har tagit med det i veckans lägesbild.",
    "Kommunens gatuenhet är informerad.",
    "Tack, vi håller extra koll på området.",
    None,
]
COLOURS = ["vit", "svart", "grå", "silver", "mörkblå", "röd"]
MAKES = ["VW Transporter", "Volvo V70", "Ford Transit", "Toyota Hiace", "Audi A6", "Mercedes Sprinter"]
PLATE_LETTERS = "ABCDEFGHJKLMNOPRSTUWXYZ"


def _weights(kind: GroupKind, month: int) -> dict[C, int]:
    """Boat thefts in the boating season, thefts from winter storage off it, burglaries in the dark months: what
    Swedish statistics show."""
    summer, dark = 4 <= month <= 10, month in (10, 11, 12, 1, 2)
    if kind == GroupKind.BOAT:
        return {C.BOAT_THEFT: 8 if summer else 1, C.FUEL_THEFT: 3 if summer else 1,
                C.STORAGE_THEFT: 0 if summer else 4, C.SUSPICIOUS_PERSON: 3, C.SUSPICIOUS_VEHICLE: 3, C.VANDALISM: 2, C.FIRE_HAZARD: 1, C.OTHER: 1,
                C.BURGLARY: 1}
    return {C.BURGLARY: 5 if dark else 2, C.SUSPICIOUS_PERSON: 4, C.SUSPICIOUS_VEHICLE: 5, C.VANDALISM: 2,
            C.FIRE_HAZARD: 2 if summer else 1, C.OTHER: 2, C.BOAT_THEFT: 0, C.FUEL_THEFT: 0, C.STORAGE_THEFT: 0}


def _plate(rng: random.Random) -> str:
    letters = "".join(rng.choice(PLATE_LETTERS) for _ in range(3))
    return f"{letters} {rng.randint(10, 99)}{rng.choice('0123456789' + PLATE_LETTERS)}"


def _triage(rng: random.Random, observation: Observation, coordinator: User, now: datetime) -> None:
    if now - observation.created_at < timedelta(days=2):
        return  # the coordinator has not got to the latest ones yet
    status = rng.choices([S.SEEN, S.FORWARDED, S.CLOSED], weights=[1, 3, 5])[0]
    observation.status = status
    observation.status_changed_at = min(now, observation.created_at + timedelta(hours=rng.randint(1, 40)))
    observation.status_changed_by = coordinator
    if status == S.FORWARDED:
        observation.reporter_note = rng.choice(FORWARDED_NOTES)
        observation.police_notified_at = observation.status_changed_at  # history, not news for the police
    elif status == S.CLOSED:
        observation.reporter_note = rng.choice(CLOSED_NOTES)
    serious = observation.category in (C.BURGLARY, C.BOAT_THEFT)
    observation.notable = status != S.SEEN and rng.random() < (0.4 if serious else 0.1)


def seed() -> Iterator[str]:
    municipality = find_municipality("oxelosund")
    if municipality is None or db.session.scalar(
            select(Observation.id).where(Observation.municipality_id == municipality.id).limit(1)):
        return
    groups = list(db.session.scalars(
        select(Group).where(Group.municipality_id == municipality.id, Group.status == GroupStatus.APPROVED)
        .options(selectinload(Group.memberships).joinedload(Membership.user), selectinload(Group.postcodes))
        .order_by(Group.id)
    ))
    coordinator = db.session.scalar(select(User).where(
        User.role == Role.COORDINATOR, User.municipality_id == municipality.id).order_by(User.id))
    reporters = {g.id: [m.user for m in g.memberships if m.status == MembershipStatus.ACTIVE] for g in groups}
    groups = [g for g in groups if reporters[g.id]]
    if not groups or coordinator is None:
        return
    rng = random.Random(481)
    now = utcnow()
    moments = [now - timedelta(weeks=weeks_ago, days=rng.random() * 6, hours=rng.choice([0, 2, 5, 9, 13]))
               for weeks_ago in range(1, WEEKS) for _ in range(rng.randint(3, 9))]  # all within the 365-day retention
    # And a few from the last hours, so the coordinator's inbox has something new whatever day the demo is seeded.
    moments += [now - timedelta(hours=hours) for hours in (30, 7, 2)]
    for observed_at in moments:
        group = rng.choice(groups)
        observation = _file(rng, group, rng.choice(reporters[group.id]), observed_at)
        observation.created_at = min(now, observed_at + timedelta(minutes=rng.randint(5, 18 * 60)))
        _triage(rng, observation, coordinator, now)
    db.session.flush()
    yield f"created {len(moments)} observations over {WEEKS} weeks in {municipality.name}"


def _file(rng: random.Random, group: Group, reporter: User, observed_at: datetime) -> Observation:
    weights = _weights(group.kind, observed_at.month)
    category = rng.choices(list(weights), weights=list(weights.values()))[0]
    vehicle = category == C.SUSPICIOUS_VEHICLE
    return services.file_observation(
        reporter, group, category=category, observed_at=observed_at,
        location=rng.choice(PLACES.get(group.name) or [group.area_description[:300]]),
        vehicle_registration=_plate(rng) if vehicle else None,
        vehicle_colour=rng.choice(COLOURS) if vehicle else None,
        vehicle_make=rng.choice(MAKES) if vehicle else None,
        description=rng.choice(TEXTS[category]),
    )
