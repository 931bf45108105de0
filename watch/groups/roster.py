"""The contact person's household list (roster): which addresses take part, and through which member."""
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from watch.extensions import db
from watch.models import Group, Membership, RosterHousehold


def roster_query(group: Group) -> Select:
    return (select(RosterHousehold).where(RosterHousehold.group_id == group.id)
            .options(joinedload(RosterHousehold.membership).joinedload(Membership.user))
            .order_by(RosterHousehold.address, RosterHousehold.id))


def save_household(group: Group, household: RosterHousehold | None, *, address: str, takes_part: bool,
                   membership: Membership | None) -> RosterHousehold:
    if household is None:
        household = RosterHousehold(group_id=group.id)
        db.session.add(household)
    household.address, household.takes_part = address.strip(), takes_part
    household.membership = membership if takes_part else None
    db.session.flush()
    return household
