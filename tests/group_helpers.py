"""Groups in a given state for tests, made through the same services the pages use."""
from watch.extensions import db
from watch.groups.services import register_group
from watch.models import GroupKind, GroupStatus, Membership, MembershipRole, MembershipStatus

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
