"""Groups in a given state for tests, made through the same services the pages use, and what checks them."""
from sqlalchemy import select

from tests.querycount import count_queries
from watch.extensions import db
from watch.groups.registration import register_group
from watch.models import GroupKind, GroupStatus, Membership, MembershipRole, MembershipStatus, OutboxMessage

NEIGHBOURHOOD = {"name": "Västra vägen", "area_description": "Villaområdet väster om centrum",
                 "streets": "Västra vägen\nTallvägen", "postcodes": ["61331"], "households": 14,
                 "latitude": None, "longitude": None}
BOAT = {"name": "Jogersö båtklubb", "site_type": "club", "address": "Jogersövägen 10", "area_description": "",
        "postcodes": ["61339"], "berths": 140, "watch_week_from": 18, "watch_week_to": 41,
        "latitude": 58.6588, "longitude": 17.1202}


def make_group(contact, *, kind=GroupKind.NEIGHBOURHOOD, status=GroupStatus.APPROVED, members=(), requests=(),
               contacts=(), show_phone=False, **details):
    base = NEIGHBOURHOOD if kind == GroupKind.NEIGHBOURHOOD else BOAT
    group = register_group(contact, kind, {**base, **details}, show_phone=show_phone)
    group.status = status
    for people, role, state in ((members, MembershipRole.MEMBER, MembershipStatus.ACTIVE),
                                (contacts, MembershipRole.CONTACT, MembershipStatus.ACTIVE),
                                (requests, MembershipRole.MEMBER, MembershipStatus.REQUESTED)):
        for person in people:
            db.session.add(Membership(group=group, user=person, role=role, status=state))
    db.session.commit()
    return group


def neighbourhood_form(**overrides):
    return {"name": "Ramdalen norra", "area_description": "Radhusen vid Ramdalsvägen",
            "streets": "Ramdalsvägen\r\nFrösängsvägen 1–15", "postcodes": "613 35, 61336", "households": "12",
            "latitude": "", "longitude": "", "show_phone": "y", **overrides}


def boat_form(**overrides):
    return {"name": "Femöre fritidsbåtshamn", "site_type": "marina", "address": "Femörevägen 50",
            "postcodes": "613 52", "berths": "80", "watch_week_from": "18", "watch_week_to": "41",
            "area_description": "", "latitude": "58,6439", "longitude": "17,1260", **overrides}


def emails_to(db, person) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == person.email)))


def assert_bounded(db, client, url, grow):
    with count_queries(db.engine) as few:
        assert client.get(url).status_code == 200
    grow()
    with count_queries(db.engine) as many:
        assert client.get(url).status_code == 200
    assert many.count == few.count <= 6, many
