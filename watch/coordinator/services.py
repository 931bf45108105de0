"""The coordinator's overview and the contact-person register export."""
import csv
import io
from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import func, select

from watch.audit import actions
from watch.audit.services import record
from watch.extensions import db
from watch.groups import labels
from watch.core.postcodes import format_postcode
from watch.groups.services import contact_register
from watch.models import Group, GroupKind, GroupStatus, Membership, User
from watch.core.phone import display_phone

# Spreadsheet programs run a cell starting with these as a formula; a leading apostrophe keeps it text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


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
    """Semicolon-separated with a byte-order mark: Excel set to Swedish opens it straight into columns."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("Group"), _("Kind"), _("Status"), _("Postcodes"), _("Contact person"), _("Email"),
                     _("Phone")])
    for contact in contacts:
        group = contact.group
        writer.writerow([_cell(str(value)) for value in (
            group.name, labels.KIND[group.kind], labels.STATUS[group.status][0],
            ", ".join(map(format_postcode, group.postcode_list)), contact.user.name, contact.user.email,
            display_phone(contact.user.phone))])
    return out.getvalue()
