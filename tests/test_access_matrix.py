"""Every route × every role × own versus other municipality, as designed.

A route without a row here fails `test_every_route_has_a_row`: whoever adds a route decides
who may use it. Rows are (endpoint, method) → (URL builder, expected status per role).
POSTs are sent without a form: they show what a role reaches, not what a valid form does.
"""
from dataclasses import dataclass, field

import io
from datetime import date
from itertools import count

import pytest

from tests.observation_support import file_observation, photo_with_gps
from watch.core.photo_store import stored_photo
from watch.observations.photos import clean_photo
from tests.alerts.helpers import alert_with_deliveries
from watch.alerts.services import Targeting
from watch.boats.services import save_item
from watch.models import SmsReply, SmsReplyKind
from watch.auth.services import Registration, registration_token
from sqlalchemy import select

from watch.models import EstAction, PartnerApiKey, PartnerKind, PartnerOrganisation
from watch.models import AlertTarget, CitizenPromise, Group, GroupKind, RosterHousehold, GroupPostcode, GroupStatus, Membership, MembershipRole, MembershipStatus, Role

ROLES = (
    "anonymous", "resident", "member", "contact", "reporter", "coordinator", "police", "admin",
    "coordinator_other", "police_other",
)
LOGGED_IN = tuple(r for r in ROLES if r != "anonymous")


@dataclass
class World:
    """Oxelösund (own) and Nyköping (other), with one approved group and one partner organisation in Oxelösund."""

    db: object
    municipality: object
    other: object
    group: Group
    partner: PartnerOrganisation
    people: dict = field(default_factory=dict)


def build_world(db, factory) -> World:
    own = factory.municipality("Oxelösund", "0481")
    other = factory.municipality("Nyköping", "0480")
    people = {
        "resident": factory.user(Role.RESIDENT, own),
        "member": factory.user(Role.RESIDENT, own),
        "contact": factory.user(Role.RESIDENT, own, phone="+46701234567"),
        "coordinator": factory.user(Role.COORDINATOR, own),
        "police": factory.user(Role.POLICE, own),
        "admin": factory.user(Role.ADMIN, None),
        "coordinator_other": factory.user(Role.COORDINATOR, other),
        "police_other": factory.user(Role.POLICE, other),
        "reporter": factory.user(Role.REPORTER, own),
    }
    partner = PartnerOrganisation(municipality=own, name="Oxelösundshem", kind=PartnerKind.HOUSING)
    people["reporter"].partner_organisation = partner
    group = Group(municipality=own, kind=GroupKind.NEIGHBOURHOOD, status=GroupStatus.APPROVED, name="Västra vägen",
                  area_description="Västra vägen 1–40", postcodes=[GroupPostcode(postcode="61331")])
    group.memberships = [
        Membership(user=people["contact"], role=MembershipRole.CONTACT, status=MembershipStatus.ACTIVE),
        Membership(user=people["member"], role=MembershipRole.MEMBER, status=MembershipStatus.ACTIVE),
    ]
    db.session.add(group)
    db.session.commit()
    return World(db, own, other, group, partner, people)


def everyone(status: int) -> dict[str, int]:
    return {role: status for role in ROLES}


def split(anonymous: int, logged_in: int) -> dict[str, int]:
    return {role: anonymous if role == "anonymous" else logged_in for role in ROLES}


def roles(default: int, **exceptions: int) -> dict[str, int]:
    return {role: exceptions.get(role, default) for role in ROLES}


STAFF = ("coordinator", "police", "admin", "coordinator_other", "police_other")
RESIDENTS = ("resident", "member", "contact", "reporter")  # no access to other people's data


def staff(status: int, residents: int, anonymous: int = 302) -> dict[str, int]:
    return roles(status, anonymous=anonymous, **{r: residents for r in RESIDENTS})


def observation_url(suffix: str = ""):
    """An observation with a photo, filed by the world's member and not yet forwarded."""

    def url(world: World) -> str:
        with stored_photo(clean_photo(io.BytesIO(photo_with_gps((400, 300))))) as name:
            observation = file_observation(world.db, world.people["member"], world.group, photo_path=name)
        return f"/observations/{observation.id}{suffix}"

    return url


def household_url(suffix: str = ""):
    def url(world: World) -> str:
        household = RosterHousehold(group_id=world.group.id, address="Västra vägen 14", takes_part=False)
        world.db.session.add(household)
        world.db.session.commit()
        return f"/groups/{world.group.id}/roster/{household.id}{suffix}"

    return url


def promise_url(world: World) -> str:
    promise = CitizenPromise(municipality_id=world.municipality.id, title="Tryggare gästhamn",
                             body="Polisen och kommunen är på plats i gästhamnen på sommarhelgerna.",
                             starts_on=date(2026, 5, 1), ends_on=date(2026, 8, 31))
    world.db.session.add(promise)
    world.db.session.commit()
    return f"/lagesbild/{world.municipality.slug}/promises/{promise.id}/edit"


def registration_url(world: World) -> str:
    registration = Registration(name="Maja Ekström", email="maja.ekstrom@exempel.se", password_hash="x",
                                municipality_id=world.municipality.id, locale="sv", phone=None)
    return f"/register/confirm/{registration_token(registration)}"


def alert_url(suffix: str = ""):
    """An alert by the municipality's police officer to every approved group's contact persons."""

    def url(world: World) -> str:
        alert = alert_with_deliveries(world.people["police"], Targeting(world.municipality.id, AlertTarget.MUNICIPALITY),
                             "Tre inbrott i förråd på Västra vägen i veckan. Lås in trimmers.", 4)
        world.db.session.commit()
        return f"/alerts/{alert.id}{suffix}"

    return url


def sms_url(suffix: str = ""):
    """An SMS the world's contact person sent from their verified number: it is in Oxelösund's SMS inbox."""

    def url(world: World) -> str:
        contact = world.people["contact"]
        message = SmsReply(provider_sid=f"SM{contact.id:032d}", phone=contact.phone, body="Det brinner inte längre.",
                           kind=SmsReplyKind.MESSAGE, user_id=contact.id, municipality_id=world.municipality.id)
        world.db.session.add(message)
        world.db.session.commit()
        return f"/inbox/{message.id}{suffix}"

    return url


_item_serials = count(1)


def item_url(suffix: str = ""):
    """An outboard engine with a photo in the boat register, the world's member's, in the world's group; each
    with a serial of its own (one owner cannot register a serial twice)."""

    def url(world: World) -> str:
        with stored_photo(clean_photo(io.BytesIO(photo_with_gps((400, 300))))) as name:
            item = save_item(world.people["member"], None, group=world.group, kind="outboard", make="Yamaha",
                             model="F40", serial=f"YF40BETO{next(_item_serials)}", mark_scheme="dna", mark="SW-4411-KX", colour="Grå",
                             boat_name="Sjöstjärnan", registration="S-12345", kept_at="berth", place="Brygga B 14",
                             photo_path=name)
        world.db.session.commit()
        return suffix.format(item=item.id)

    return url


def membership_of(world: World, role: str) -> int:
    return next(m.id for m in world.group.memberships if m.user is world.people[role])


# An entry of the boat register: its owner changes it; police covering its municipality see it (404 for others).
OWNER_CHANGES_ITEM = lambda status: roles(403, anonymous=302, resident=404, member=status, contact=404)  # noqa: E731
POLICE_SEE_ITEM = roles(403, anonymous=302, police=200, police_other=404)
POLICE = roles(403, anonymous=302, police=200, police_other=200)
MANAGES_PARTNER = lambda status: roles(403, anonymous=302, coordinator=status, coordinator_other=404)  # noqa: E731


def invitation_url(world: World) -> str:
    from watch.partners.services import invite
    token = invite(world.partner, name="Nadia Karlsson", email="nadia.karlsson@oxelosundshem.se", locale="sv")
    world.db.session.commit()
    return f"/invitation/{token}"


def api_key_url(world: World) -> str:
    from watch.partners.services import create_api_key
    create_api_key(world.partner, world.people["coordinator"])
    world.db.session.commit()
    key = world.db.session.scalar(select(PartnerApiKey))
    return f"/coordinator/partners/{world.partner.id}/keys/{key.id}/revoke"


def action_url(world: World) -> str:
    action = EstAction(municipality_id=world.municipality.id, decided_week="2026-W47", what="Laga belysningen",
                       categories=["unsafe_place"])
    world.db.session.add(action)
    world.db.session.commit()
    return f"/lagesbild/{world.municipality.slug}/actions/{action.id}/status"


def open311_request_url(world: World) -> str:
    observation = file_observation(world.db, world.people["member"], world.group)
    return f"/open311/v2/requests/{observation.id}.json?jurisdiction_id={world.municipality.slug}"


# Only the reporter and the municipality's coordinators see an observation before it is forwarded.
SEES_OBSERVATION = roles(404, anonymous=302, member=200, coordinator=200)
TRIAGES_OBSERVATION = roles(403, anonymous=302, coordinator=302, coordinator_other=404)
# A group's own pages: its members read, its contact persons manage; everyone else is told nothing (404).
GROUP_MEMBERS_READ = roles(404, anonymous=302, member=200, contact=200)
CONTACTS_MANAGE = lambda status: roles(404, anonymous=302, member=403, contact=status)  # noqa: E731
RESIDENTS_ONLY = roles(403, anonymous=302, resident=200, member=200, contact=200)
COORDINATORS = roles(403, anonymous=302, coordinator=200, coordinator_other=200)
# Alerts are composed by a municipality's police and coordinators, and read by those of that municipality.
SENDS_ALERTS = roles(403, anonymous=302, coordinator=200, police=200, coordinator_other=200, police_other=200)
READS_ALERT = roles(403, anonymous=302, coordinator=200, police=200, coordinator_other=404, police_other=404)
# The SMS inbox: the coordinators and police of the sender's municipality; another municipality's staff get 404.
READS_SMS = roles(403, anonymous=302, coordinator=200, police=200, coordinator_other=404, police_other=404)
# The lägesbild: the municipality's coordinator and police read it; another municipality's staff get 404.
READS_LAGESBILD = roles(403, anonymous=302, coordinator=200, police=200, coordinator_other=404, police_other=404)

MATRIX = {
    ("main.index", "GET"): (lambda w: "/", everyone(200)),
    ("main.municipality", "GET"): (lambda w: f"/m/{w.municipality.slug}", everyone(200)),
    ("main.set_language", "POST"): (lambda w: "/language", everyone(400)),
    ("main.healthz", "GET"): (lambda w: "/healthz", everyone(200)),
    # The installable app: manifest, service worker and offline page for everyone; push per device when logged in.
    # Without a form, push settings change nothing and lead back to the profile.
    ("webapp.manifest", "GET"): (lambda w: "/manifest.webmanifest", everyone(200)),
    ("webapp.service_worker", "GET"): (lambda w: "/service-worker.js", everyone(200)),
    ("webapp.offline", "GET"): (lambda w: "/offline", everyone(200)),
    ("webapp.push_on", "POST"): (lambda w: "/profile/push", everyone(302)),
    ("webapp.push_off", "POST"): (lambda w: "/profile/push/off", everyone(302)),
    ("webapp.push_instead", "POST"): (lambda w: "/profile/push/instead-of-sms", everyone(302)),
    ("auth.register", "GET"): (lambda w: "/register", split(200, 302)),
    ("auth.register", "POST"): (lambda w: "/register", split(200, 302)),
    # The link emailed to finish registering: anonymous visitors confirm (the POST makes the account).
    ("auth.confirm_registration", "GET"): (lambda w: registration_url(w), split(200, 302)),
    ("auth.confirm_registration", "POST"): (lambda w: registration_url(w), everyone(302)),
    ("auth.login", "GET"): (lambda w: "/login", split(200, 302)),
    ("auth.login", "POST"): (lambda w: "/login", split(200, 302)),
    ("auth.logout", "POST"): (lambda w: "/logout", everyone(302)),
    ("auth.profile", "GET"): (lambda w: "/profile", split(302, 200)),
    ("auth.profile", "POST"): (lambda w: "/profile", split(302, 200)),
    ("auth.change_password", "GET"): (lambda w: "/profile/password", split(302, 200)),
    ("auth.change_password", "POST"): (lambda w: "/profile/password", split(302, 200)),
    ("auth.forgot_password", "GET"): (lambda w: "/password/forgot", everyone(200)),
    ("auth.forgot_password", "POST"): (lambda w: "/password/forgot", everyone(200)),
    ("auth.reset_password", "GET"): (lambda w: "/password/reset/not-a-token", everyone(200)),
    ("auth.reset_password", "POST"): (lambda w: "/password/reset/not-a-token", everyone(200)),
    ("auth.log_out_everywhere", "POST"): (lambda w: "/profile/log-out-everywhere", everyone(302)),
    # Without a form (or for a login that is not theirs) nothing ends: back to the profile.
    ("auth.end_session", "POST"): (lambda w: "/profile/sessions/end", everyone(302)),
    # Second factor: without a pending password login these pages send people back to /login.
    ("mfa.verify", "GET"): (lambda w: "/login/code", everyone(302)),
    ("mfa.verify", "POST"): (lambda w: "/login/code", everyone(302)),
    ("mfa.enrol", "GET"): (lambda w: "/login/enrol", everyone(302)),
    ("mfa.enrol", "POST"): (lambda w: "/login/enrol", everyone(302)),
    ("mfa.settings", "GET"): (lambda w: "/profile/two-factor", split(302, 200)),
    # Staff have enrolled already; residents set it up here.
    ("mfa.setup", "GET"): (lambda w: "/profile/two-factor/setup", staff(302, residents=200)),
    ("mfa.setup", "POST"): (lambda w: "/profile/two-factor/setup", staff(302, residents=200)),
    ("mfa.new_codes", "POST"): (lambda w: "/profile/two-factor/recovery-codes", staff(200, residents=302)),
    ("mfa.disable", "POST"): (lambda w: "/profile/two-factor/disable", staff(403, residents=200)),
    ("audit.log", "GET"): (lambda w: "/audit", roles(403, anonymous=302, coordinator=200, coordinator_other=200,
                                                     admin=200)),
    ("privacy.my_data", "GET"): (lambda w: "/my-data", split(302, 200)),
    ("privacy.export", "GET"): (lambda w: "/my-data/export.json", split(302, 200)),
    ("privacy.delete_account", "POST"): (lambda w: "/my-data/delete", split(302, 200)),
    ("privacy.notice", "GET"): (lambda w: "/privacy", everyone(200)),
    ("privacy.accessibility", "GET"): (lambda w: "/accessibility", everyone(200)),
    ("privacy.municipality_notice", "GET"): (lambda w: f"/m/{w.other.slug}/privacy", everyone(200)),
    ("privacy.municipality_accessibility", "GET"): (lambda w: f"/m/{w.municipality.slug}/accessibility",
                                                    everyone(200)),
    ("privacy.cookies", "GET"): (lambda w: "/cookies", everyone(200)),
    # Everyone logged in reaches the form; who is not a member is told who can file.
    ("observations.new", "GET"): (lambda w: "/observations/new", split(302, 200)),
    ("observations.new", "POST"): (lambda w: "/observations/new", split(302, 200)),
    ("observations.mine", "GET"): (lambda w: "/observations/mine", split(302, 200)),
    ("observations.detail", "GET"): (observation_url(), SEES_OBSERVATION),
    ("observations.photo", "GET"): (observation_url("/photo"), SEES_OBSERVATION),
    ("observations.change_status", "POST"): (observation_url("/status"), TRIAGES_OBSERVATION),
    ("observations.toggle_notable", "POST"): (observation_url("/notable"), TRIAGES_OBSERVATION),
    ("observations.inbox", "GET"): (lambda w: "/coordinator/observations",
                                    roles(403, anonymous=302, coordinator=200, coordinator_other=200)),
    ("observations.email_preference", "POST"): (lambda w: "/coordinator/observations/email",
                                                roles(403, anonymous=302, coordinator=302, coordinator_other=302)),
    ("observations.police_inbox", "GET"): (lambda w: "/police/observations",
                                           roles(403, anonymous=302, police=200, police_other=200)),
    ("boats.mine", "GET"): (lambda w: "/boats/", RESIDENTS_ONLY),
    ("boats.new", "GET"): (lambda w: "/boats/new", RESIDENTS_ONLY),
    ("boats.new", "POST"): (lambda w: "/boats/new", RESIDENTS_ONLY),
    ("boats.edit", "GET"): (item_url("/boats/{item}/edit"), OWNER_CHANGES_ITEM(200)),
    ("boats.edit", "POST"): (item_url("/boats/{item}/edit"), OWNER_CHANGES_ITEM(200)),
    ("boats.stolen", "POST"): (item_url("/boats/{item}/stolen"), OWNER_CHANGES_ITEM(302)),
    ("boats.recovered", "POST"): (item_url("/boats/{item}/recovered"), OWNER_CHANGES_ITEM(302)),
    ("boats.delete", "POST"): (item_url("/boats/{item}/delete"), OWNER_CHANGES_ITEM(302)),
    # The owner and the police covering the municipality; a group's contact persons never see the photo.
    ("boats.photo", "GET"): (item_url("/boats/{item}/photo"), roles(404, anonymous=302, member=200, police=200)),
    ("boats.group_items", "GET"): (lambda w: f"/groups/{w.group.id}/boats",
                                   roles(403, anonymous=302, resident=404, member=404, contact=200)),
    ("boats.search", "GET"): (lambda w: "/police/register", POLICE),
    ("boats.search", "POST"): (lambda w: "/police/register", POLICE),
    ("boats.notify_owner", "GET"): (item_url("/police/register/{item}/notify"), POLICE_SEE_ITEM),
    ("boats.notify_owner", "POST"): (item_url("/police/register/{item}/notify"), POLICE_SEE_ITEM),
    ("boats.stolen_list", "GET"): (lambda w: "/police/register/stolen", POLICE),
    ("groups.mine", "GET"): (lambda w: "/groups/", split(302, 200)),
    ("groups.find", "GET"): (lambda w: "/groups/find", everyone(302)),  # to one's own municipality's directory
    ("groups.register_choose", "GET"): (lambda w: "/groups/register", RESIDENTS_ONLY),
    ("groups.register", "GET"): (lambda w: "/groups/register/neighbourhood", RESIDENTS_ONLY),
    ("groups.register", "POST"): (lambda w: "/groups/register/boat", RESIDENTS_ONLY),
    ("groups.group", "GET"): (lambda w: f"/groups/{w.group.id}", GROUP_MEMBERS_READ),
    ("groups.edit", "GET"): (lambda w: f"/groups/{w.group.id}/edit", CONTACTS_MANAGE(200)),
    ("groups.edit", "POST"): (lambda w: f"/groups/{w.group.id}/edit", CONTACTS_MANAGE(200)),
    ("groups.member_action", "POST"): (
        lambda w: f"/groups/{w.group.id}/members/{membership_of(w, 'member')}/make-contact", CONTACTS_MANAGE(302)),
    ("groups.show_phone", "POST"): (lambda w: f"/groups/{w.group.id}/phone", CONTACTS_MANAGE(302)),
    ("groups.leave", "POST"): (lambda w: f"/groups/{w.group.id}/leave", roles(404, anonymous=302, member=302,
                                                                              contact=302)),
    ("groups.join", "POST"): (lambda w: f"/groups/{w.group.id}/join", roles(403, anonymous=302, resident=302,
                                                                            member=302, contact=302)),
    ("groups.directory", "GET"): (lambda w: f"/m/{w.municipality.slug}/groups", everyone(200)),
    ("groups.directory_group", "GET"): (lambda w: f"/m/{w.municipality.slug}/groups/{w.group.id}", everyone(200)),
    ("groups.roster", "GET"): (lambda w: f"/groups/{w.group.id}/roster", CONTACTS_MANAGE(200)),
    ("groups.roster", "POST"): (lambda w: f"/groups/{w.group.id}/roster", CONTACTS_MANAGE(200)),
    ("groups.household", "GET"): (household_url(), CONTACTS_MANAGE(200)),
    ("groups.household", "POST"): (household_url(), CONTACTS_MANAGE(200)),
    ("groups.delete_household", "POST"): (household_url("/delete"), CONTACTS_MANAGE(302)),
    ("coordinator.home", "GET"): (lambda w: "/coordinator/", COORDINATORS),
    ("coordinator.inbox", "GET"): (lambda w: "/coordinator/groups/pending", COORDINATORS),
    # Police read the groups of the municipalities they cover; deciding is the coordinator's.
    ("coordinator.groups", "GET"): (lambda w: "/coordinator/groups", {**COORDINATORS, "police": 200,
                                                                       "police_other": 200}),
    ("coordinator.group", "GET"): (lambda w: f"/coordinator/groups/{w.group.id}",
                                   roles(403, anonymous=302, coordinator=200, police=200, coordinator_other=404,
                                         police_other=404)),
    ("coordinator.decide", "POST"): (lambda w: f"/coordinator/groups/{w.group.id}/archive",
                                     roles(403, anonymous=302, coordinator=302, coordinator_other=404)),
    ("coordinator.contacts_csv", "GET"): (lambda w: "/coordinator/groups/contacts.csv", COORDINATORS),
    ("coordinator.changes", "GET"): (lambda w: "/coordinator/changes", COORDINATORS),
    ("lagesbild.home", "GET"): (lambda w: "/lagesbild", roles(403, anonymous=302, **{r: 302 for r in STAFF
                                                                                        if r != "admin"})),
    ("lagesbild.this_week", "GET"): (lambda w: f"/lagesbild/{w.municipality.slug}",
                                     {**READS_LAGESBILD, "coordinator": 302, "police": 302}),
    ("lagesbild.week", "GET"): (lambda w: f"/lagesbild/{w.municipality.slug}/2026/47", READS_LAGESBILD),
    ("lagesbild.period", "GET"): (lambda w: f"/lagesbild/{w.municipality.slug}/period", READS_LAGESBILD),
    ("lagesbild.export_csv", "GET"): (lambda w: f"/lagesbild/{w.municipality.slug}/2026/47/counts.csv",
                                      READS_LAGESBILD),
    # Publishing is the coordinator's alone; an empty form comes back with its errors.
    ("lagesbild.publish", "POST"): (lambda w: f"/lagesbild/{w.municipality.slug}/publish",
                                    roles(403, anonymous=302, coordinator=200, coordinator_other=404)),
    # EST actions are recorded by the municipality's coordinators; an empty form comes back with its errors.
    ("lagesbild.add_action", "POST"): (lambda w: f"/lagesbild/{w.municipality.slug}/actions",
                                       roles(403, anonymous=302, coordinator=200, coordinator_other=404)),
    ("lagesbild.action_status", "POST"): (action_url, roles(403, anonymous=302, coordinator=302,
                                                             coordinator_other=404)),
    ("lagesbild.published", "GET"): (lambda w: f"/lagesbild/{w.municipality.slug}/published", READS_LAGESBILD),
    ("lagesbild.promises", "GET"): (lambda w: f"/lagesbild/{w.municipality.slug}/promises", READS_LAGESBILD),
    ("lagesbild.new_promise", "GET"): (lambda w: f"/lagesbild/{w.municipality.slug}/promises/new", READS_LAGESBILD),
    ("lagesbild.new_promise", "POST"): (lambda w: f"/lagesbild/{w.municipality.slug}/promises/new",
                                        READS_LAGESBILD),
    ("lagesbild.edit_promise", "GET"): (promise_url, READS_LAGESBILD),
    ("lagesbild.edit_promise", "POST"): (promise_url, READS_LAGESBILD),
    ("lagesbild.promise_archive", "GET"): (lambda w: f"/m/{w.municipality.slug}/promises", everyone(200)),
    # The yearly follow-up: staff of the municipality; the public version (counts only) is open to all.
    ("lagesbild.year", "GET"): (lambda w: f"/lagesbild/{w.municipality.slug}/year/2026", READS_LAGESBILD),
    ("lagesbild.year_csv", "GET"): (lambda w: f"/lagesbild/{w.municipality.slug}/year/2026.csv", READS_LAGESBILD),
    ("lagesbild.public_year", "GET"): (lambda w: f"/m/{w.municipality.slug}/year/2026", everyone(200)),
    ("lagesbild.public_year_csv", "GET"): (lambda w: f"/m/{w.municipality.slug}/year/2026.csv", everyone(200)),
    ("alerts.compose", "GET"): (lambda w: "/alerts/new", SENDS_ALERTS),
    ("alerts.compose", "POST"): (lambda w: "/alerts/new", SENDS_ALERTS),
    ("alerts.summary", "POST"): (lambda w: "/alerts/new/summary", SENDS_ALERTS),
    ("alerts.index", "GET"): (lambda w: "/alerts", SENDS_ALERTS),
    ("alerts.detail", "GET"): (alert_url(), READS_ALERT),
    ("alerts.progress", "GET"): (alert_url("/progress"), READS_ALERT),
    ("alerts.retry", "POST"): (alert_url("/retry"), {**READS_ALERT, "coordinator": 302, "police": 302}),
    ("alerts.feed", "GET"): (lambda w: "/alerts/feed", split(302, 200)),
    ("alerts.phone", "GET"): (lambda w: "/alerts/phone", split(302, 200)),
    ("alerts.phone", "POST"): (lambda w: "/alerts/phone", split(302, 200)),
    ("alerts.confirm_phone", "POST"): (lambda w: "/alerts/phone/confirm", split(302, 200)),
    ("alerts.preferences", "GET"): (lambda w: "/alerts/preferences", split(302, 200)),
    ("alerts.preferences", "POST"): (lambda w: "/alerts/preferences", everyone(302)),
    # Only a verified number's owner may stop or allow SMS; everyone else is sent back with a message.
    ("alerts.sms_opt_out", "POST"): (lambda w: "/alerts/preferences/sms", everyone(302)),
    # Twilio's webhooks: without a valid X-Twilio-Signature nobody gets in, logged in or not.
    ("sms.status", "POST"): (lambda w: "/sms/status", everyone(403)),
    ("sms.inbound", "POST"): (lambda w: "/sms/inbound", everyone(403)),
    # Every coordinator and police officer has an inbox (their own municipalities' SMS); residents none.
    ("inbox.index", "GET"): (lambda w: "/inbox", roles(403, anonymous=302, coordinator=200, police=200,
                                                      coordinator_other=200, police_other=200)),
    ("inbox.counter", "POST"): (lambda w: "/inbox/counter", roles(403, anonymous=302, coordinator=200, police=200,
                                                                  coordinator_other=200, police_other=200)),
    ("inbox.thread", "GET"): (sms_url(), READS_SMS),
    # Without a form: the thread again with the form's errors.
    ("inbox.answer", "POST"): (sms_url("/answer"), READS_SMS),
    ("inbox.handled", "POST"): (sms_url("/handled"), {**READS_SMS, "coordinator": 302, "police": 302}),
    # Turning an SMS into an observation is the coordinator's triage.
    ("inbox.make_observation", "POST"): (sms_url("/observation"), roles(403, anonymous=302, coordinator=302,
                                                                        coordinator_other=404)),
    # Partner organisations: the coordinators of their municipality; another municipality's coordinator gets 404.
    ("partners.index", "GET"): (lambda w: "/coordinator/partners", COORDINATORS),
    ("partners.index", "POST"): (lambda w: "/coordinator/partners", COORDINATORS),
    ("partners.organisation", "GET"): (lambda w: f"/coordinator/partners/{w.partner.id}", MANAGES_PARTNER(200)),
    ("partners.invite", "POST"): (lambda w: f"/coordinator/partners/{w.partner.id}/invite", MANAGES_PARTNER(200)),
    ("partners.suspend_organisation", "POST"): (lambda w: f"/coordinator/partners/{w.partner.id}/suspend",
                                                MANAGES_PARTNER(302)),
    ("partners.suspend_reporter", "POST"): (
        lambda w: f"/coordinator/partners/{w.partner.id}/reporters/{w.people['reporter'].id}/suspend",
        MANAGES_PARTNER(302)),
    # The invitation link: anonymous visitors (the invited) create their account; the logged in go home.
    ("partners.accept", "GET"): (invitation_url, split(200, 302)),
    ("partners.accept", "POST"): (invitation_url, split(200, 302)),
    ("partners.create_key", "POST"): (lambda w: f"/coordinator/partners/{w.partner.id}/keys", MANAGES_PARTNER(200)),
    ("partners.revoke_key", "POST"): (api_key_url, MANAGES_PARTNER(302)),
    # Open311: open data for everyone; posting needs a partner's api_key (without a form: the missing field).
    ("open311.service_list", "GET"): (lambda w: f"/open311/v2/services.json?jurisdiction_id={w.municipality.slug}",
                                      everyone(200)),
    ("open311.request_list", "GET"): (lambda w: f"/open311/v2/requests.xml?jurisdiction_id={w.municipality.slug}",
                                      everyone(200)),
    ("open311.one_request", "GET"): (open311_request_url, everyone(200)),
    ("open311.create_request", "POST"): (lambda w: "/open311/v2/requests.json", everyone(400)),
    # Development only (SHOW_DEMO_OUTBOX); 404 in production, see test_messaging.
    ("messaging.outbox", "GET"): (lambda w: "/dev/outbox", everyone(200)),
    ("messaging.simulate_inbound", "POST"): (lambda w: "/dev/outbox/inbound", everyone(200)),
}


def routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method


def test_every_route_has_a_row(app):
    missing = sorted(set(routes(app)) - set(MATRIX))
    assert not missing, f"add these routes to the access matrix: {missing}"
    stale = sorted(set(MATRIX) - set(routes(app)))
    assert not stale, f"rows for routes that no longer exist: {stale}"


@pytest.mark.parametrize(("endpoint", "method"), sorted(MATRIX))
def test_route_answers_each_role_as_designed(app, db, factory, login, endpoint, method):
    world = build_world(db, factory)
    url_for_world, expected = MATRIX[(endpoint, method)]
    url = url_for_world(world)
    outcomes = {}
    for role in ROLES:
        client = app.test_client() if role == "anonymous" else login(world.people[role])
        outcomes[role] = client.open(url, method=method).status_code
    unexpected = {role: (outcomes[role], expected[role]) for role in ROLES if outcomes[role] != expected[role]}
    assert not unexpected, f"{method} {url}: role → (got, expected) {unexpected}"
