"""The coordinator's overview and the contact-person register export."""
from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import func, select

from watch.audit import actions
from watch.audit.services import record
from watch.extensions import db
from watch.groups import labels
from watch.core.postcodes import format_postcode
from watch.core.spreadsheet import excel_csv
from watch.groups.queries import contact_register
from watch.models import Group, GroupKind, GroupStatus, Membership, User
from watch.core.phone import display_phone


def group_counts(municipality_ids: set[int]) -> dict[tuple[GroupKind, GroupStatus], int]:
    rows = db.session.execute(select(Group.kind, Group.status, func.count(Group.id))
                              .where(Group.municipality_id.in_(municipality_ids)).group_by(Group.kind, Group.status))
    return {(kind, status): count for kind, status, count in rows}


def export_contact_register(coordinator: User) -> str:
    """The register as CSV; the download is audited with how many contact persons it held."""
    contacts = list(contact_register(coordinator.municipality_ids()))
    record(actions.REGISTER_EXPORTED, actor=coordinator, municipality_id=coordinator.municipality_id,
           rows=len(contacts))
    return contact_register_csv(contacts)


def contact_register_csv(contacts: Iterable[Membership]) -> str:
    """One row per contact person, with their group."""
    def row(contact: Membership) -> list[str]:
        group, person = contact.group, contact.user
        return [str(value) for value in (
            group.name, labels.KIND[group.kind], labels.STATUS[group.status][0],
            ", ".join(map(format_postcode, group.postcode_list)), person.name, person.email,
            display_phone(person.phone))]

    header = [_("Group"), _("Kind"), _("Status"), _("Postcodes"), _("Contact person"), _("Email"), _("Phone")]
    return excel_csv([header, *map(row, contacts)])
