"""The register of marked boats and engines: who may record and see an entry, the police's search, stolen items."""
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select, union
from sqlalchemy.orm import joinedload

from watch.audit import actions
from watch.audit.services import record, record_each
from watch.core.errors import ExplainedError
from watch.core.serials import MIN_KEY, closeness, grams, normalise
from watch.extensions import db
from watch.messaging.notify import notify
from watch.models import (
    Group, GroupKind, GroupStatus, ItemKind, KeptAt, MarkedItem, MarkedItemGram, MarkingScheme, Membership,
    MembershipRole, MembershipStatus, Observation, User,
)
from watch.core.photo_store import delete_after_commit
from watch.observations.services import record_listed
from watch.privacy.signals import account_deleting, personal_data_export

KIND_LABELS = {
    ItemKind.BOAT: _l("Boat"),
    ItemKind.OUTBOARD: _l("Outboard engine"),
    ItemKind.INBOARD: _l("Inboard engine"),
    ItemKind.TRAILER: _l("Boat trailer"),
    ItemKind.OTHER: _l("Other equipment"),
}
SCHEME_LABELS = {
    MarkingScheme.NONE: _l("Not marked"),
    MarkingScheme.DNA: _l("DNA marking"),
    MarkingScheme.MICRODOTS: _l("Micro dots"),
    MarkingScheme.ENGRAVED: _l("Engraved code"),
    MarkingScheme.OTHER: _l("Other marking"),
}
KEPT_LABELS = {
    KeptAt.BERTH: _l("At the berth"),
    KeptAt.WINTER_STORAGE: _l("In winter storage"),
    KeptAt.HOME: _l("At home"),
    KeptAt.OTHER: _l("Somewhere else"),
}
# Most candidates a near-match search ranks, and most hits it shows (a phone screen's worth).
CANDIDATES = 50
MAX_HITS = 10
# A candidate must share at least this share of the query's three-character pieces.
MIN_SHARED = 0.5


class RegisterError(ExplainedError):
    """Something the register's rules refuse; the message says why."""


# ---- the owner's entries --------------------------------------------------------------------------

def boat_groups(user: User) -> list[Group]:
    """The approved boat groups the person is an active member or contact person of."""
    return list(db.session.scalars(
        select(Group).join(Membership, Membership.group_id == Group.id)
        .where(Membership.user_id == user.id, Membership.status == MembershipStatus.ACTIVE,
               Group.kind == GroupKind.BOAT, Group.status == GroupStatus.APPROVED)
        .order_by(Group.name)))


def owned_select(user: User) -> Select:
    return (select(MarkedItem).where(MarkedItem.owner_id == user.id)
            .options(joinedload(MarkedItem.group)).order_by(MarkedItem.created_at.desc(), MarkedItem.id.desc()))


def owned_item(user: User, item_id: int) -> MarkedItem | None:
    return db.session.scalar(select(MarkedItem).where(MarkedItem.id == item_id, MarkedItem.owner_id == user.id))


def others_with_serial(owner: User, serial_key: str) -> bool:
    """Whether someone else has registered the same serial number (the police then see both)."""
    if not serial_key:
        return False
    return db.session.scalar(select(func.count()).select_from(MarkedItem).where(
        MarkedItem.serial_key == serial_key, MarkedItem.owner_id != owner.id)) > 0


def save_item(owner: User, item: MarkedItem | None, *, group: Group | None, kind: str, make: str, model: str,
              serial: str, mark_scheme: str, mark: str, colour: str, boat_name: str, registration: str,
              kept_at: str, place: str, photo_path: str | None = None) -> MarkedItem:
    """Record a new item (item None) or change one; refuses the owner's own serial number twice."""
    serial_key, mark_key = normalise(serial), normalise(mark)
    if serial_key:
        mine = select(MarkedItem.id).where(MarkedItem.owner_id == owner.id, MarkedItem.serial_key == serial_key)
        if item is not None:
            mine = mine.where(MarkedItem.id != item.id)
        if db.session.scalar(mine.limit(1)) is not None:
            raise RegisterError(_l("You have already registered this serial number. Change that entry instead."))
    municipality_id = group.municipality_id if group is not None else owner.municipality_id
    if municipality_id is None:
        raise RegisterError(_l("Your account belongs to no municipality, so the police cannot search your entry."))
    if item is None:
        item = MarkedItem(owner=owner)
        db.session.add(item)
    elif photo_path is not None and item.photo_path:
        delete_after_commit([item.photo_path])
    item.group, item.municipality_id = group, municipality_id
    item.kind, item.make, item.model = ItemKind(kind), make.strip(), model.strip()
    item.serial, item.serial_key = serial.strip(), serial_key
    item.mark_scheme = MarkingScheme(mark_scheme) if mark.strip() else MarkingScheme.NONE
    item.mark, item.mark_key = mark.strip(), mark_key
    item.colour, item.boat_name, item.registration = colour.strip(), boat_name.strip(), registration.strip()
    item.kept_at, item.place = KeptAt(kept_at), place.strip()
    if photo_path is not None:
        item.photo_path = photo_path
    _index(item)
    db.session.flush()
    return item


def _index(item: MarkedItem) -> None:
    """The item's three-character pieces of serial and mark, for near matches."""
    pieces = grams(item.serial_key) | grams(item.mark_key)
    kept = [g for g in item.grams if g.gram in pieces]
    for piece in kept:  # updated in place: a piece deleted and added again in one flush would clash on its key
        piece.municipality_id = item.municipality_id
    have = {g.gram for g in kept}
    item.grams = kept + [MarkedItemGram(gram=piece, municipality_id=item.municipality_id)
                         for piece in sorted(pieces - have)]


def report_stolen(item: MarkedItem, on: date) -> None:
    item.stolen_on = on
    record(actions.ITEM_REPORTED_STOLEN, subject=item)


def report_recovered(item: MarkedItem) -> None:
    item.stolen_on = None


def delete_item(item: MarkedItem) -> None:
    delete_after_commit([item.photo_path])
    db.session.delete(item)
    db.session.flush()


# ---- what contact persons see ---------------------------------------------------------------------

def is_contact(user: User, group_id: int) -> bool:
    return db.session.scalar(select(Membership.id).where(
        Membership.group_id == group_id, Membership.user_id == user.id, Membership.role == MembershipRole.CONTACT,
        Membership.status == MembershipStatus.ACTIVE)) is not None


def group_items(group: Group) -> list[MarkedItem]:
    """The group's entries for its contact persons; the page shows make, model and place only."""
    return list(db.session.scalars(select(MarkedItem).where(MarkedItem.group_id == group.id)
                                   .order_by(MarkedItem.kind, MarkedItem.make, MarkedItem.id)))


# ---- the police ----------------------------------------------------------------------------------

def police_item(officer: User, item_id: int) -> MarkedItem | None:
    """An entry of a municipality the officer covers, else None."""
    item = db.session.scalar(select(MarkedItem).where(MarkedItem.id == item_id)
                             .options(joinedload(MarkedItem.owner), joinedload(MarkedItem.group)))
    return item if item is not None and item.municipality_id in officer.municipality_ids() else None


@dataclass(frozen=True)
class Hit:
    item: MarkedItem
    distance: int  # 0: the same serial or mark

    @property
    def exact(self) -> bool:
        return self.distance == 0


def search(officer: User, text: str, reason: str) -> list[Hit]:
    """Entries in the officer's municipalities whose serial or mark is the same as or near `text`, best first.

    The search and every entry shown go in the audit log with the officer's reason.
    """
    key = normalise(text)
    if len(key) < MIN_KEY:
        raise RegisterError(_l("Enter at least %(min)d letters or digits of the serial number or mark.",
                               min=MIN_KEY))
    hits = find(officer.municipality_ids(), key)
    reason = reason.strip()
    record(actions.REGISTER_SEARCHED, actor=officer, query=key, reason=reason, hits=len(hits))
    record_each(actions.ITEM_SHOWN, MarkedItem, (hit.item.id for hit in hits), actor=officer, once_a_day=False,
                query=key, reason=reason)
    return hits


def find(municipality_ids: set[int], key: str) -> list[Hit]:
    """Exact and near matches of a normalised key, best first, in two queries.

    The first gives the candidates with their keys only: every item sharing enough three-character pieces with
    the key (the most sharing first, at most CANDIDATES) and every exact match, however many owners registered
    the same serial. Python ranks them; the second query loads the few shown, with their owners and groups.
    """
    if not municipality_ids:
        return []
    pieces = grams(key)
    sharing = (
        select(MarkedItemGram.item_id)
        .where(MarkedItemGram.gram.in_(sorted(pieces)), MarkedItemGram.municipality_id.in_(municipality_ids))
        .group_by(MarkedItemGram.item_id)
        .having(func.count() >= max(1, round(len(pieces) * MIN_SHARED)))
        .order_by(func.count().desc(), MarkedItemGram.item_id)
        .limit(CANDIDATES)
        .subquery()
    )
    exact = select(MarkedItem.id).where(MarkedItem.municipality_id.in_(municipality_ids),
                                        or_(MarkedItem.serial_key == key, MarkedItem.mark_key == key))
    candidates = db.session.execute(
        select(MarkedItem.id, MarkedItem.serial_key, MarkedItem.mark_key, MarkedItem.stolen_on)
        .where(MarkedItem.id.in_(union(select(sharing.c.item_id), exact)))
    ).all()
    ranked = []
    for item_id, serial_key, mark_key, stolen_on in candidates:
        distances = [d for d in (closeness(key, serial_key), closeness(key, mark_key)) if d is not None]
        if distances:
            # Exact first, then nearest; a stolen item before another as near; newest entry first among equals.
            ranked.append(((min(distances), stolen_on is None, -item_id), item_id, min(distances)))
    ranked = sorted(ranked)[:MAX_HITS]
    if not ranked:
        return []
    items = {item.id: item for item in db.session.scalars(
        select(MarkedItem).where(MarkedItem.id.in_([item_id for _, item_id, _ in ranked]))
        .options(joinedload(MarkedItem.owner), joinedload(MarkedItem.group)))}
    return [Hit(items[item_id], distance) for _, item_id, distance in ranked]


def notify_owner(officer: User, item: MarkedItem, call: str, reason: str) -> None:
    """Tell the owner, by their channel and in their language, that their item may have been found."""
    notify(item.owner, "boats/email/maybe_found.txt", "/boats/", item=item, kind=KIND_LABELS[item.kind],
           call=call.strip())
    record(actions.OWNER_NOTIFIED, subject=item, actor=officer, reason=reason.strip())


def stolen_select(municipality_ids: set[int]) -> Select:
    """Items reported stolen in these municipalities, most recently stolen first."""
    return (select(MarkedItem)
            .where(MarkedItem.municipality_id.in_(municipality_ids), MarkedItem.stolen_on.is_not(None))
            .options(joinedload(MarkedItem.owner), joinedload(MarkedItem.group))
            .order_by(MarkedItem.stolen_on.desc(), MarkedItem.id.desc()))


def stolen_listed(officer: User, items: list[MarkedItem]) -> dict[int, list[Observation]]:
    """The page of stolen items shown to an officer, audited, with the observations that mention each."""
    record_each(actions.ITEM_SHOWN, MarkedItem, (item.id for item in items), actor=officer, page="stolen")
    mentions = observations_mentioning(items)
    record_listed(officer, [o for found in mentions.values() for o in found], "stolen")
    return mentions


def observations_mentioning(items: list[MarkedItem]) -> dict[int, list[Observation]]:
    """Observations filed on or after an item was stolen whose engine serial is the item's, by item id."""
    keyed = {(item.municipality_id, item.serial_key): item for item in items if item.serial_key}
    if not keyed:
        return {}
    rows = db.session.scalars(
        select(Observation)
        .where(Observation.municipality_id.in_({m for m, _ in keyed}),
               Observation.engine_serial_key.in_({k for _, k in keyed}))
        .options(joinedload(Observation.group))
        .order_by(Observation.observed_at.desc()))
    found: dict[int, list[Observation]] = {}
    for observation in rows:
        item = keyed.get((observation.municipality_id, observation.engine_serial_key))
        if item is not None and observation.observed_at.date() >= item.stolen_on:
            found.setdefault(item.id, []).append(observation)
    return found


# ---- Mina uppgifter (watch/privacy/signals.py) ------------------------------------------------------

@personal_data_export.connect
def export_items(user: User, **extra) -> dict[str, list[dict]]:
    return {"marked_items": [{
        "registered_at": item.created_at, "group": item.group.name if item.group else None,
        "kind": str(item.kind), "make": item.make, "model": item.model, "serial": item.serial,
        "marking": str(item.mark_scheme), "mark": item.mark, "colour": item.colour, "boat_name": item.boat_name,
        "registration": item.registration, "kept_at": str(item.kept_at), "place": item.place,
        "photo": item.photo_path is not None, "stolen_on": item.stolen_on,
    } for item in db.session.scalars(owned_select(user))]}


@account_deleting.connect
def delete_items_of(user: User, **extra) -> None:
    """The entries go with the account; their photos go after the commit."""
    for item in db.session.scalars(select(MarkedItem).where(MarkedItem.owner_id == user.id)):
        delete_item(item)
