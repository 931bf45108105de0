"""Every action the audit log knows, with the label coordinators read. Features add their lines here."""
from flask_babel import lazy_gettext as _l

LOGIN = "auth.login"
LOGIN_FAILED = "auth.login_failed"
PASSWORD_CHANGED = "auth.password_changed"
PASSWORD_RESET = "auth.password_reset"
SESSIONS_REVOKED = "auth.sessions_revoked"
SESSION_ENDED = "auth.session_ended"
MFA_ENROLLED = "mfa.enrolled"
MFA_DISABLED = "mfa.disabled"
MFA_RESET = "mfa.reset"
MFA_RECOVERY_CODE_USED = "mfa.recovery_code_used"
MFA_CODE_FAILED = "mfa.code_failed"
MFA_LOCKED = "mfa.locked"
ROLE_CHANGED = "user.role_changed"
DATA_EXPORTED = "privacy.data_exported"
ACCOUNT_DELETED = "privacy.account_deleted"
GROUP_APPROVED = "group.approved"
GROUP_REJECTED = "group.rejected"
GROUP_CHANGE_REQUESTED = "group.change_requested"
GROUP_ARCHIVED = "group.archived"
CONTACT_MADE = "group.contact_made"
CONTACT_REMOVED = "group.contact_removed"
REGISTER_EXPORTED = "group.register_exported"
OBSERVATION_VIEWED = "observation.viewed"
OBSERVATION_LISTED = "observation.listed"  # its text or place shown on a list page (details: page)
OBSERVATION_FORWARDED = "observation.forwarded"
OBSERVATION_CLOSED = "observation.closed"
ALERT_SENT = "alert.sent"
REGISTER_SEARCHED = "boats.register_searched"  # details: query (normalised), reason, hits
ITEM_SHOWN = "boats.item_shown"  # an entry of the boat register shown to the police (details: query, reason)
OWNER_NOTIFIED = "boats.owner_notified"
ITEM_REPORTED_STOLEN = "boats.item_reported_stolen"
SMS_ANSWERED = "sms.answered"
SMS_MADE_OBSERVATION = "sms.made_observation"
PARTNER_ADDED = "partner.added"
PARTNER_SUSPENDED = "partner.suspended"
PARTNER_RESUMED = "partner.resumed"
REPORTER_INVITED = "partner.reporter_invited"
REPORTER_JOINED = "partner.reporter_joined"
REPORTER_SUSPENDED = "partner.reporter_suspended"
REPORTER_RESUMED = "partner.reporter_resumed"
API_KEY_CREATED = "partner.api_key_created"
API_KEY_REVOKED = "partner.api_key_revoked"

LABELS = {
    LOGIN: _l("Staff login"),
    LOGIN_FAILED: _l("Failed staff login"),
    PASSWORD_CHANGED: _l("Password changed"),
    PASSWORD_RESET: _l("Password reset by email"),
    SESSIONS_REVOKED: _l("Logged out everywhere"),
    SESSION_ENDED: _l("Logged out on another device"),
    MFA_ENROLLED: _l("Two-factor login turned on"),
    MFA_DISABLED: _l("Two-factor login turned off"),
    MFA_RESET: _l("Two-factor login reset by an administrator"),
    MFA_RECOVERY_CODE_USED: _l("Recovery code used"),
    MFA_CODE_FAILED: _l("Wrong two-factor code at login"),
    MFA_LOCKED: _l("Two-factor login locked after wrong codes"),
    ROLE_CHANGED: _l("Role changed"),
    DATA_EXPORTED: _l("Personal data downloaded"),
    ACCOUNT_DELETED: _l("Account deleted"),
    GROUP_APPROVED: _l("Group approved"),
    GROUP_REJECTED: _l("Group rejected"),
    GROUP_CHANGE_REQUESTED: _l("Change requested from the group's applicant"),
    GROUP_ARCHIVED: _l("Group archived"),
    CONTACT_MADE: _l("Contact person appointed"),
    CONTACT_REMOVED: _l("Contact person removed"),
    REGISTER_EXPORTED: _l("Register of contact persons downloaded"),
    OBSERVATION_VIEWED: _l("Observation viewed"),
    OBSERVATION_LISTED: _l("Observation shown in a list"),
    OBSERVATION_FORWARDED: _l("Observation forwarded to the police"),
    OBSERVATION_CLOSED: _l("Observation closed"),
    ALERT_SENT: _l("Alert sent"),
    REGISTER_SEARCHED: _l("Boat register searched by the police"),
    ITEM_SHOWN: _l("Boat register entry shown to the police"),
    OWNER_NOTIFIED: _l("Owner told their item may have been found"),
    ITEM_REPORTED_STOLEN: _l("Item in the boat register reported stolen"),
    SMS_ANSWERED: _l("SMS answered from the inbox"),
    SMS_MADE_OBSERVATION: _l("SMS turned into an observation"),
    PARTNER_ADDED: _l("Partner organisation added"),
    PARTNER_SUSPENDED: _l("Partner organisation suspended"),
    PARTNER_RESUMED: _l("Partner organisation resumed"),
    REPORTER_INVITED: _l("Reporter invited"),
    REPORTER_JOINED: _l("Reporter created their account"),
    REPORTER_SUSPENDED: _l("Reporter suspended"),
    REPORTER_RESUMED: _l("Reporter resumed"),
    API_KEY_CREATED: _l("API key created for a partner organisation"),
    API_KEY_REVOKED: _l("API key revoked"),
}


def label(action: str) -> str:
    return str(LABELS.get(action, action))

ROLE_LABELS = {
    "resident": _l("resident"),
    "coordinator": _l("coordinator"),
    "police": _l("police"),
    "admin": _l("administrator"),
    "reporter": _l("partner reporter"),
}

# What an event is about (AuditEvent.subject_type is the model's class name).
SUBJECT_LABELS = {
    "User": _l("account"),
    "Group": _l("group"),
    "Observation": _l("observation"),
    "MarkedItem": _l("boat register entry"),
    "PartnerOrganisation": _l("partner organisation"),
}
