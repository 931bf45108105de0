"""Building blocks for alert tests: groups with contact persons and members, verified phones."""
from dataclasses import dataclass

from sqlalchemy import select

from watch.alerts.services import create_alert, write_all_deliveries
from watch.models import (
    AlertChannel, Delivery, Group, GroupKind, GroupPostcode, GroupStatus, Membership, MembershipRole,
    MembershipStatus, Role, utcnow,
)


def make_group(db, municipality, name, *, kind=GroupKind.NEIGHBOURHOOD, status=GroupStatus.APPROVED,
               postcodes=("61331",), contacts=(), members=()):
    group = Group(municipality=municipality, kind=kind, status=status, name=name,
                  postcodes=[GroupPostcode(postcode=p) for p in postcodes])
    group.memberships = [
        *(Membership(user=u, role=MembershipRole.CONTACT, status=MembershipStatus.ACTIVE) for u in contacts),
        *(Membership(user=u, role=MembershipRole.MEMBER, status=MembershipStatus.ACTIVE) for u in members),
    ]
    db.session.add(group)
    db.session.commit()
    return group


def resident(factory, municipality, name, phone=None, *, verified=True, channel=AlertChannel.SMS,
             member_alerts=False, locale="sv"):
    user = factory.user(Role.RESIDENT, municipality, name=name, phone=phone, locale=locale)
    if phone and verified:
        user.verified_phone, user.phone_verified_at = phone, utcnow()
    user.alert_channel, user.member_alerts = channel, member_alerts
    factory.db.session.commit()
    return user


def compose_data(municipality, body="Tre inbrott i förråd på Västra vägen i veckan. Lås in trimmers. Tips: 114 14.",
                 action="send", **overrides):
    data = {"municipality": municipality.id, "target": "municipality", "audience": "contacts", "body": body,
            "validity": 4, "action": action}
    data.update(overrides)
    return data


def alert_with_deliveries(author, targeting, body, validity_hours):
    """An alert as the dispatch job leaves it before sending: every delivery written, none sent yet."""
    alert = create_alert(author, targeting, body, validity_hours)
    write_all_deliveries(alert)
    return alert


def deliveries(db, alert_id):
    db.session.expire_all()
    return {d.user.name if d.user else None: d
            for d in db.session.scalars(select(Delivery).where(Delivery.alert_id == alert_id))}


@dataclass
class Town:
    """Oxelösund with police, a coordinator and groups of every kind and state; Nyköping beside it."""

    municipality: object
    police: object
    coordinator: object
    eva: object  # contact person, Västra vägen, verified phone
    maria: object  # member of Västra vägen who asked for alerts
    tom: object  # member of Västra vägen who did not
    per: object  # contact person, Jogersö båtklubb (boat)
    lisa: object  # contact person, Västra vägen, no verified number
    olle: object  # contact person, Tallbacken (postcode 613 35), wants email
    ines: object  # contact person of a pending group
    vastra: object
    jogerso: object
    tallbacken: object
    pending: object
    other: object  # Nyköping
    other_police: object
    other_group: object
    gunnar: object  # contact person in Nyköping


def build_town(db, factory) -> Town:
    ox = factory.municipality("Oxelösund", "0481")
    ny = factory.municipality("Nyköping", "0480")
    people = dict(
        eva=resident(factory, ox, "Eva Sjöberg", "+46701234505"),
        maria=resident(factory, ox, "Maria Holm", "+46701234507", member_alerts=True),
        tom=resident(factory, ox, "Tom Wilson", "+46701234508", locale="en"),
        per=resident(factory, ox, "Per Nyström", "+46701234506"),
        lisa=resident(factory, ox, "Lisa Ek", "+46701234510", verified=False),
        olle=resident(factory, ox, "Olle Berg", "+46701234511", channel=AlertChannel.EMAIL),
        ines=resident(factory, ox, "Ines Lund", "+46701234512"),
        gunnar=resident(factory, ny, "Gunnar Åberg", "+46701234509"),
    )
    groups = dict(
        vastra=make_group(db, ox, "Västra vägen", postcodes=("61331", "61332"),
                          contacts=[people["eva"], people["lisa"]], members=[people["maria"], people["tom"]]),
        jogerso=make_group(db, ox, "Jogersö båtklubb", kind=GroupKind.BOAT, postcodes=("61339",),
                           contacts=[people["per"]]),
        tallbacken=make_group(db, ox, "Tallbacken", postcodes=("61335",), contacts=[people["olle"]]),
        pending=make_group(db, ox, "Ramdalen norra", status=GroupStatus.PENDING, postcodes=("61331",),
                           contacts=[people["ines"]]),
        other_group=make_group(db, ny, "Brandholmen", postcodes=("61166",), contacts=[people["gunnar"]]),
    )
    return Town(
        municipality=ox, police=factory.user(Role.POLICE, ox, name="Johan Berg"),
        coordinator=factory.user(Role.COORDINATOR, ox, name="Karin Lindqvist"),
        other=ny, other_police=factory.user(Role.POLICE, ny, name="Lena Ek"), **people, **groups,
    )
