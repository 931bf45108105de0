"""How kinds, statuses and roles read in the interface; templates get these as `group_labels`."""
from flask_babel import lazy_gettext as _l

from watch.models import BoatSiteType, GroupKind, GroupStatus, MembershipRole, MembershipStatus

KIND = {GroupKind.NEIGHBOURHOOD: _l("Grannsamverkan"), GroupKind.BOAT: _l("Båtsamverkan")}

SITE_TYPE = {BoatSiteType.CLUB: _l("Boat club"), BoatSiteType.MARINA: _l("Marina"),
             BoatSiteType.HARBOUR: _l("Harbour")}

# Status is shown as text and colour together (never colour alone): (label, css modifier).
STATUS = {
    GroupStatus.PENDING: (_l("Waiting for approval"), "warn"),
    GroupStatus.APPROVED: (_l("Approved"), "ok"),
    GroupStatus.REJECTED: (_l("Rejected"), "bad"),
    GroupStatus.ARCHIVED: (_l("Archived"), "muted"),
}

ROLE = {MembershipRole.MEMBER: _l("Member"), MembershipRole.CONTACT: _l("Contact person")}

MEMBERSHIP_STATUS = {
    MembershipStatus.REQUESTED: (_l("Asked to join, waiting for a contact person"), "warn"),
    MembershipStatus.ACTIVE: (_l("Member"), "ok"),
    MembershipStatus.DECLINED: (_l("Request not accepted"), "bad"),
}

# The change log names fields the way the forms do.
FIELD = {
    "name": _l("Name"),
    "area_description": _l("Description of the area"),
    "streets": _l("Streets"),
    "postcodes": _l("Postcodes"),
    "households": _l("Number of households"),
    "site_type": _l("Type"),
    "address": _l("Address"),
    "berths": _l("Number of berths"),
    "watch_week_from": _l("Night watch from week"),
    "watch_week_to": _l("Night watch to week"),
    "latitude": _l("Latitude"),
    "longitude": _l("Longitude"),
}

TEMPLATE_LABELS = {"kind": KIND, "site_type": SITE_TYPE, "status": STATUS, "role": ROLE,
                   "membership_status": MEMBERSHIP_STATUS, "field": FIELD}
