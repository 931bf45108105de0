"""Demo data that looks like a real Swedish municipality. Idempotent: seeding twice changes nothing."""
from collections.abc import Iterator

from sqlalchemy import select

from watch.admin.services import create_municipality, create_staff, find_municipality
from watch.alerts import demo as alerts_demo
from watch.auth.services import create_user
from watch.extensions import db
from watch.models import (
    Group, GroupKind, GroupPostcode, GroupStatus, Membership, MembershipRole, MembershipStatus, Role, User,
)

DEMO_PASSWORD = "Demo-losen-2026"

MUNICIPALITIES = [("Oxelösund", "0481"), ("Nyköping", "0480")]

# (email, name, role, municipality, phone, locale)
PEOPLE = [
    ("admin@oxelosund.demo", "Siv Förvaltare", Role.ADMIN, None, None, "sv"),
    ("samordnare@oxelosund.demo", "Karin Lindqvist", Role.COORDINATOR, "oxelosund", "+46701234501", "sv"),
    ("polis@oxelosund.demo", "Johan Berg", Role.POLICE, "oxelosund", "+46701234502", "sv"),
    ("samordnare@nykoping.demo", "Amir Haddad", Role.COORDINATOR, "nykoping", "+46701234503", "sv"),
    ("polis@nykoping.demo", "Lena Ek", Role.POLICE, "nykoping", "+46701234504", "sv"),
    ("kontakt@oxelosund.demo", "Eva Sjöberg", Role.RESIDENT, "oxelosund", "+46701234505", "sv"),
    ("hamn@oxelosund.demo", "Per Nyström", Role.RESIDENT, "oxelosund", "+46701234506", "sv"),
    ("boende@oxelosund.demo", "Maria Holm", Role.RESIDENT, "oxelosund", "+46701234507", "sv"),
    ("resident@oxelosund.demo", "Tom Wilson", Role.RESIDENT, "oxelosund", "+46701234508", "en"),
    ("kontakt@nykoping.demo", "Gunnar Åberg", Role.RESIDENT, "nykoping", "+46701234509", "sv"),
]

# (municipality, kind, status, name, area, postcodes, contact email, member emails)
GROUPS = [
    ("oxelosund", GroupKind.NEIGHBOURHOOD, GroupStatus.APPROVED, "Västra vägen",
     "Västra vägen och Tallvägen, villaområdet väster om centrum", ["61331", "61332"],
     "kontakt@oxelosund.demo", ["boende@oxelosund.demo", "resident@oxelosund.demo"]),
    ("oxelosund", GroupKind.BOAT, GroupStatus.APPROVED, "Jogersö båtklubb",
     "Bryggorna i Jogersö hamn, 140 båtplatser", ["61339"], "hamn@oxelosund.demo", ["boende@oxelosund.demo"]),
    ("oxelosund", GroupKind.NEIGHBOURHOOD, GroupStatus.PENDING, "Ramdalen norra",
     "Ramdalsvägen och Frösängsvägen", ["61335"], "resident@oxelosund.demo", []),
    ("oxelosund", GroupKind.BOAT, GroupStatus.PENDING, "Femöre fritidsbåtshamn",
     "Gästhamnen och bryggorna vid Femöre", ["61352"], "boende@oxelosund.demo", []),
    ("nykoping", GroupKind.NEIGHBOURHOOD, GroupStatus.APPROVED, "Brandholmen",
     "Brandholmsvägen och Skjutsgossevägen", ["61166"], "kontakt@nykoping.demo", []),
]


def seed_demo() -> Iterator[str]:
    yield from _seed_municipalities()
    yield from _seed_people()
    yield from _seed_groups()
    yield from alerts_demo.seed()
    yield f"Demo logins (password {DEMO_PASSWORD}):"
    for email, name, role, municipality, *_ in PEOPLE:
        yield f"  {role:<11} {email:<28} {name} ({municipality or 'all'})"


def _seed_municipalities() -> Iterator[str]:
    for name, code in MUNICIPALITIES:
        if find_municipality(code) is None:
            create_municipality(name, code)
            yield f"created municipality {name}"


def _seed_people() -> Iterator[str]:
    for email, name, role, municipality_key, phone, locale in PEOPLE:
        if db.session.scalar(select(User.id).where(User.email == email)):
            continue
        municipality = find_municipality(municipality_key) if municipality_key else None
        if role == Role.RESIDENT:
            create_user(name=name, email=email, password=DEMO_PASSWORD, municipality=municipality, phone=phone,
                        locale=locale)
        else:
            create_staff(name=name, email=email, password=DEMO_PASSWORD, role=role, municipality=municipality,
                         phone=phone, locale=locale)
        yield f"created {role} {email}"


def _seed_groups() -> Iterator[str]:
    for municipality_key, kind, status, name, area, postcodes, contact, members in GROUPS:
        municipality = find_municipality(municipality_key)
        if db.session.scalar(select(Group.id).where(Group.municipality_id == municipality.id, Group.name == name)):
            continue
        group = Group(municipality=municipality, kind=kind, status=status, name=name, area_description=area,
                      postcodes=[GroupPostcode(postcode=p) for p in postcodes])
        people = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_([contact, *members])))}
        group.memberships = [
            Membership(user=people[contact], role=MembershipRole.CONTACT, status=MembershipStatus.ACTIVE),
            *(Membership(user=people[e], role=MembershipRole.MEMBER, status=MembershipStatus.ACTIVE) for e in members),
        ]
        db.session.add(group)
        yield f"created {status} group {name}"
