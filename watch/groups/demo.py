"""Demo watch groups in Oxelösund and Nyköping: approved and pending of both kinds, a household list
and a join request waiting for an answer. Idempotent: what exists is left alone."""
from collections.abc import Iterator

from sqlalchemy import select

from watch.core.municipalities import find_municipality
from watch.extensions import db
from watch.models import (
    DEFAULT_WATCH_WEEKS, BoatSiteType, Group, GroupKind, GroupPostcode, GroupStatus, Membership, MembershipRole,
    MembershipStatus, Role, RosterHousehold, User, utcnow,
)

GROUPS = [
    dict(municipality="oxelosund", kind=GroupKind.NEIGHBOURHOOD, status=GroupStatus.APPROVED, name="Västra vägen",
         area_description="Villaområdet väster om centrum, mellan Västra vägen och skogen.",
         streets="Västra vägen 1–23\nTallvägen", postcodes=["61331", "61332"], households=14,
         latitude=58.6683, longitude=17.0852, contact="kontakt@oxelosund.demo", show_phone=True,
         members=["boende@oxelosund.demo", "resident@oxelosund.demo"]),
    dict(municipality="oxelosund", kind=GroupKind.BOAT, status=GroupStatus.APPROVED, name="Jogersö båtklubb",
         site_type=BoatSiteType.CLUB, address="Jogersövägen 10, 613 39 Oxelösund", berths=140,
         area_description="Bryggorna i Jogersö hamn och uppläggningsplatsen.", postcodes=["61339"],
         latitude=58.6541, longitude=17.1348, contact="hamn@oxelosund.demo", show_phone=True,
         members=["boende@oxelosund.demo"], requests=["resident@oxelosund.demo"]),
    dict(municipality="oxelosund", kind=GroupKind.NEIGHBOURHOOD, status=GroupStatus.PENDING, name="Ramdalen norra",
         area_description="Radhusen i norra Ramdalen.", streets="Ramdalsvägen\nFrösängsvägen 1–15",
         postcodes=["61335"], households=11, contact="resident@oxelosund.demo"),
    dict(municipality="oxelosund", kind=GroupKind.BOAT, status=GroupStatus.PENDING, name="Femöre fritidsbåtshamn",
         site_type=BoatSiteType.MARINA, address="Femörevägen 50, 613 52 Oxelösund", berths=80,
         area_description="Gästhamnen och bryggorna vid Femöre.", postcodes=["61352"],
         latitude=58.6402, longitude=17.1581, contact="boende@oxelosund.demo",
         watch_weeks=(42, 17)),  # watches the boats in winter storage, across the new year
    dict(municipality="nykoping", kind=GroupKind.NEIGHBOURHOOD, status=GroupStatus.APPROVED, name="Brandholmen",
         area_description="Villorna på Brandholmen.", streets="Brandholmsvägen\nSkjutsgossevägen",
         postcodes=["61166"], households=12, contact="kontakt@nykoping.demo"),
]

# The contact person's list for Västra vägen: (address, takes part, member email).
ROSTER = {
    "Västra vägen": [
        ("Västra vägen 1", True, "kontakt@oxelosund.demo"), ("Västra vägen 3", True, "boende@oxelosund.demo"),
        ("Västra vägen 5", True, None), ("Västra vägen 7", False, None),
        ("Västra vägen 9", True, "resident@oxelosund.demo"), ("Västra vägen 11", True, None),
        ("Västra vägen 13", False, None), ("Västra vägen 15", True, None), ("Tallvägen 2", True, None),
        ("Tallvägen 4", True, None), ("Tallvägen 6", False, None), ("Tallvägen 8", True, None),
    ],
}

DETAIL_KEYS = ("kind", "status", "name", "area_description", "streets", "households", "site_type", "address",
               "berths", "latitude", "longitude")


def seed() -> Iterator[str]:
    people = {u.email: u for u in db.session.scalars(select(User))}
    for spec in GROUPS:
        yield from _seed_group(spec, people)
    db.session.flush()
    yield from _seed_rosters(people)


def _seed_group(spec: dict, people: dict[str, User]) -> Iterator[str]:
    municipality = find_municipality(spec["municipality"])
    group = db.session.scalar(select(Group).where(Group.municipality_id == municipality.id,
                                                  Group.name == spec["name"]))
    if group is None:
        contact = people[spec["contact"]]
        group = Group(municipality=municipality, created_by=contact,
                      postcodes=[GroupPostcode(postcode=p) for p in spec["postcodes"]],
                      **{key: spec[key] for key in DETAIL_KEYS if key in spec})
        if group.kind == GroupKind.BOAT:
            group.watch_week_from, group.watch_week_to = spec.get("watch_weeks", DEFAULT_WATCH_WEEKS)
        if group.status == GroupStatus.APPROVED:
            group.decided_at = utcnow()
            group.decided_by = db.session.scalar(select(User).where(User.role == Role.COORDINATOR,
                                                                    User.municipality_id == municipality.id))
        group.memberships = [Membership(user=contact, role=MembershipRole.CONTACT, status=MembershipStatus.ACTIVE,
                                        show_phone=spec.get("show_phone", False))]
        db.session.add(group)
        yield f"created {group.status} {group.kind} group {group.name}"
    existing = {m.user_id for m in group.memberships}
    for emails, status in ((spec.get("members", []), MembershipStatus.ACTIVE),
                           (spec.get("requests", []), MembershipStatus.REQUESTED)):
        for email in emails:
            if people[email].id not in existing:
                group.memberships.append(Membership(user=people[email], status=status))
                yield f"  {email} {'asks to join' if status == MembershipStatus.REQUESTED else 'is a member of'} " \
                      f"{group.name}"


def _seed_rosters(people: dict[str, User]) -> Iterator[str]:
    for name, households in ROSTER.items():
        group = db.session.scalar(select(Group).where(Group.name == name))
        if db.session.scalar(select(RosterHousehold.id).where(RosterHousehold.group_id == group.id).limit(1)):
            continue
        memberships = {m.user.email: m for m in group.memberships}
        db.session.add_all(
            RosterHousehold(group_id=group.id, address=address, takes_part=takes_part,
                            membership=memberships.get(email))
            for address, takes_part, email in households)
        yield f"created a household list of {len(households)} for {name}"
