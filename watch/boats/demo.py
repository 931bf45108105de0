"""Demo entries in the boat register: Jogersö båtklubb's engines and boats in Oxelösund, one reported stolen."""
from collections.abc import Iterator
from datetime import timedelta

from sqlalchemy import select

from watch.boats.services import report_stolen, save_item
from watch.core.weeks import today
from watch.extensions import db
from watch.models import Group, MarkedItem, User

CLUB = "Jogersö båtklubb"
# (owner, details); the first is reported stolen from winter storage.
ITEMS = [
    ("boende@oxelosund.demo", dict(kind="outboard", make="Yamaha", model="F40", serial="YF40BETO123",
                                   mark_scheme="dna", mark="SW-4411-KX", colour="Grå", boat_name="Sjöstjärnan",
                                   registration="S-12345", kept_at="winter_storage",
                                   place="Jogersö varv, hall 2")),
    ("boende@oxelosund.demo", dict(kind="boat", make="Buster", model="Magnum", serial="SE-BUS45127F606",
                                   mark_scheme="microdots", mark="MD-77120", colour="Aluminium",
                                   boat_name="Sjöstjärnan", registration="S-12345", kept_at="winter_storage",
                                   place="Jogersö varv, hall 2")),
    ("hamn@oxelosund.demo", dict(kind="outboard", make="Mercury", model="60 ELPT", serial="2B448812",
                                 mark_scheme="engraved", mark="PN 650412", colour="Svart", boat_name="Tärnan",
                                 registration="", kept_at="berth", place="Brygga B, plats 14")),
    ("hamn@oxelosund.demo", dict(kind="trailer", make="Brenderup", model="Boat 1300", serial="YS9BRP13000012345",
                                 mark_scheme="none", mark="", colour="Galvad", boat_name="", registration="",
                                 kept_at="berth", place="Uppläggningsplatsen")),
]


def seed() -> Iterator[str]:
    club = db.session.scalar(select(Group).where(Group.name == CLUB))
    if club is None:
        return
    for n, (email, details) in enumerate(ITEMS):
        owner = db.session.scalar(select(User).where(User.email == email))
        if db.session.scalar(select(MarkedItem.id).where(MarkedItem.owner_id == owner.id,
                                                         MarkedItem.serial == details["serial"])):
            continue
        item = save_item(owner, None, group=club, **details)
        if n == 0:
            report_stolen(item, today() - timedelta(days=4))
            yield f"registered {item.make} {item.model} of {email}, reported stolen"
        else:
            yield f"registered {item.make} {item.model} of {email}"
