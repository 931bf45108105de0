"""A partner organisation in Oxelösund (the housing company), its reporter and a year of its reports.

Idempotent: nothing is added if the organisation exists. Deterministic (fixed seed).
"""
import random
from collections.abc import Iterator
from datetime import timedelta

from sqlalchemy import select

from watch.auth.services import create_user
from watch.core.municipalities import find_municipality
from watch.extensions import db
from watch.models import ObservationCategory as C, ObservationStatus as S, PartnerKind, PartnerOrganisation, Role, utcnow
from watch.observations import services as observations
from watch.partners import services

ORGANISATION = "Oxelösundshem"
REPORTER = ("rapportor@oxelosundshem.demo", "Nadia Karlsson")
# Published, like the demo passwords: anyone trying the Open311 API can post with it.
DEMO_API_KEY = "demo-oxelosundshem-open311-2026"
WEEKS = 52

# What a housing company's caretakers see around its blocks: places and events, never people.
REPORTS = {
    C.GRAFFITI: ["Klotter på fasaden mot gångvägen, Ramdalsvägen 12.", "Sönderslagen belysning i trapphuset, Bergsgatan 4."],
    C.LITTERING: ["Grovsopor dumpade bakom miljöhuset, Ramdalsvägen 8.", "Skräp och flaskor vid lekplatsen på Stjärnvägen."],
    C.DISORDER: ["Högljutt sällskap i källargången sent på kvällen, Bergsgatan 2.", "Stökigt vid busshållplatsen på Danviksvägen."],
    C.UNSAFE_PLACE: ["Trasig gatubelysning på gångvägen mellan Ramdalen och centrum.", "Buskage skymmer entrén till Stjärnvägen 5."],
    C.DRUG_DEALING: ["Misstänkt langning vid cykelförrådet på Ramdalsvägen, flera kvällar i rad."],
}
PLACES = ["Ramdalsvägen 12, 613 37 Oxelösund", "Bergsgatan 4, 613 33 Oxelösund", "Stjärnvägen 5, 613 36 Oxelösund",
          "Danviksvägen, 613 32 Oxelösund"]

NOTES = {S.FORWARDED: "Tack! Vidarebefordrad till kommunpolisen.", S.CLOSED: "Tack, vi tar upp det på EST-mötet."}


def seed(password: str) -> Iterator[str]:
    municipality = find_municipality("oxelosund")
    if municipality is None or db.session.scalar(select(PartnerOrganisation.id).where(
            PartnerOrganisation.municipality_id == municipality.id, PartnerOrganisation.name == ORGANISATION)):
        return
    organisation = services.add_organisation(municipality.id, ORGANISATION, PartnerKind.HOUSING)
    email, name = REPORTER
    reporter = create_user(name=name, email=email, password=password, municipality=municipality,
                           role=Role.REPORTER)
    reporter.partner_organisation = organisation
    services.create_api_key(organisation, None, DEMO_API_KEY)
    rng = random.Random(4810)
    now = utcnow()
    filed = 0
    for weeks_ago in range(1, WEEKS):
        for _ in range(rng.randint(0, 3)):
            observed_at = now - timedelta(weeks=weeks_ago, days=rng.random() * 6)
            category = rng.choice(list(REPORTS))
            observation = observations.file_observation(
                reporter, None, organisation=organisation, category=category, observed_at=observed_at,
                location=rng.choice(PLACES), description=rng.choice(REPORTS[category]))
            observation.created_at = observed_at + timedelta(hours=rng.randint(1, 20))
            observation.status = rng.choice([S.SEEN, S.CLOSED, S.CLOSED, S.FORWARDED])
            observation.reporter_note = NOTES.get(observation.status)
            observation.status_changed_at = observation.police_notified_at = observation.created_at + timedelta(hours=4)
            filed += 1
    db.session.flush()
    yield f"created partner organisation {ORGANISATION} with reporter {email} and {filed} of its reports"


def logins() -> Iterator[str]:
    """The demo's partner reporter and the organisation's API key, for the list of demo logins."""
    email, name = REPORTER
    yield f"  {Role.REPORTER.value:<11} {email:<28} {name} ({ORGANISATION}, oxelosund)"
    yield f"Open311 API key of {ORGANISATION} (POST /open311/v2/requests.json, jurisdiction_id=oxelosund): {DEMO_API_KEY}"
