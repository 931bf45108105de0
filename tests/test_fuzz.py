"""Hostile input to every form and every JSON/CSV endpoint: never a 5xx, never a half-stored record.

Form routes come from `app.url_map`: every POST route is fuzzed, and `FORMS` gives each a valid
baseline submission (who sends it, to which URL, with what) that hypothesis then mutates field by
field: hostile strings (huge, RTL, zero-width, emoji, NUL, injections), numbers, dates, postcodes
and phone numbers that are wrong, tampered ids and choices, missing, duplicated and extra fields,
files where text belongs, JSON bodies with wrong types. After each request:

- the status is below 500;
- a refused submission (4xx, the form again with errors, an error message) changed no row at all;
- every stored row is complete and valid (lengths, no NUL, the rules of its table): what a form let
  through is what the database and the pages can live with, on SQLite as on PostgreSQL.

FUZZ_EXAMPLES=300 makes a longer hunt than the suite's default. A POST route without a baseline still gets hostile requests from everyone, and
`test_every_form_route_has_a_baseline` fails until someone writes its baseline.
"""
import csv
import io
import json
import os
import re
import urllib.parse
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import count
from typing import Any, Callable

import pyotp
import pytest
from flask import current_app
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from tests.conftest import PASSWORD
from tests.fake_twilio import sign
from tests.alerts.helpers import alert_with_deliveries
from tests.group_helpers import boat_form, make_group, neighbourhood_form
from tests.observation_support import file_observation, photo_with_gps
from tests.test_access_matrix import MATRIX, ROLES as MATRIX_ROLES, build_world
from watch import create_app
from watch.config import TestingConfig
from watch.messaging.forms import UNKNOWN_DEMO_NUMBER
from watch.messaging.optouts import opt_in
from watch.alerts.services import Targeting
from watch.messaging.verification import start_verification
from watch.boats.services import save_item
from watch.core.serials import grams, normalise
from watch.auth.services import Registration, hash_password, password_reset_token, registration_token
from watch.core.weeks import local_zone
from watch.groups.registration import DETAIL_FIELDS
from watch.models import (
    AlertChannel, AlertTarget, Base, CitizenPromise, Delivery, EstAction, GroupKind, GroupStatus, LoginSession,
    MarkedItem, Membership, MembershipRole, MembershipStatus, ObservationSource, PartnerApiKey, PartnerKind,
    PartnerOrganisation, Role, RosterHousehold, SmsReply, SmsReplyKind, utcnow,
)
from watch.observations import services as observation_services
from watch.core.photo_store import photo_folder
from watch.partners.services import create_api_key, invite

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "12")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# ---- hostile values ---------------------------------------------------------------------------------

HOSTILE = [
    "", " ", "\t\r\n", "\x00", "Anna\x00Berg", "\x1b[31mröd", "\u202eredro\u202c", "\u200b", "\u200b\u200d\ufeff",
    "\u0645\u0631\u062d\u0628\u0627", "👨‍👩‍👧‍👦🚨", "𝔊𝔯𝔞𝔫𝔫𝔢", "e\u0301" * 40, "Ⓐⓑⓒ", "İstanbul ß ﬀ",
    "' OR '1'='1", "1; DROP TABLE \"user\"; --", "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>",
    "{{ 7*7 }}", "%(name)s %s %n", "${jndi:ldap://x}", "../../etc/passwd", "=HYPERLINK(\"http://x\")", "@SUM(A1)",
    "None", "null", "true", "[]", "{}", "__proto__",
]
NUMBERS = ["-1", "0", "1e309", "NaN", "-inf", "99999999999999999999999", "-9223372036854775809", "3.5", "0x1F",
           "1_000", "\u0661\u0662", "\uff11\uff12", " 12 ", "10001", "54", "2147483648", "58,6439", "17,1.2", "1e2",
           "+5", "٣"]
DATES = ["0001-01-01T00:30", "0001-01-01T00:00", "9999-12-31T23:59", "2026-02-30T12:00", "1970-01-01T00:00",
         "1900-01-01T00:00", "2026-13-01T00:00", "2026-05-17 21:30", "+020260-01-01T00:00", "2026-05-17T24:00",
         "\u0662\u0660\u0662\u0666-05-17T21:30", "2026-05-17T21:30:59.999999", "now", "2026-05-17T21:30Z"]
POSTCODES = ["00000", "6\u0661\u0662\u0663\u0664", "613 3", "61331, " * 40, "\uff16\uff11\uff13\uff13\uff11",
             "613\u200b31", "613 31 613 32", "613-31", "61331;61332\n61333", "6133\u00b9", "²¹³³¹", "613 31,,,", " "]
PHONES = ["+1 202 555 0100", "+46 8 123 456 78", "+4670123456789012345", "070-123 45 67", "+46 70 \u0661\u0662\u0663",
          "0046701234567", "+46 (0)70 123 45 67", "+46 900 123 456", "+46 70 123 45 67 ext. 5", "1" * 300, "+"]
CODES = ["\u0661\u0662\u0663\u0664\u0665\u0666", "\uff11\uff12\uff13\uff14\uff15\uff16", "000000", "12345",
         "1234567", "abcde-fghij", "aaaaa-aaaaa", " 123 456 ", "😀" * 6, "123\u200b456", "¹²³⁴⁵⁶"]
REDIRECTS = ["/\r\nSet-Cookie: x=1", "/ok\nLocation: //evil", "//evil.example", "/\\evil.example",
             "https://evil.example/", "javascript:alert(1)", "/\t/evil.example", "/%0d%0aX: y", " /groups/", "/\x7f"]
EMAILS = ["a@b", "@exempel.se", "maja@exempel..se", "ÅSA@EXEMPEL.SE", " maja@exempel.se ", "maja@exempel.se\n",
          "x" * 250 + "@ex.se", "maja+tag@exempel.se", "\"maja\"@exempel.se", "maja@[127.0.0.1]",
          "m\u200baja@exempel.se", "маша@пример.рф", "MAJA@EXEMPEL.SE"]
CHOICES = ["", "other", "Sv", "de", "admin", "coordinator", "contact", "active", "approved", "archived", "boat",
           "neighbourhood", "club", "new", "seen", "forwarded", "closed", "burglary", "0", "1", "y", "on", "false"]
REGISTRATIONS = ["ABC 123", "abc-12d", "ÅÄÖ 999", "A", "ABCDEFGHIJK", "AB C12 3D EF", "ß12", "ＡＢＣ１２３", "ABC\u200b123"]
SERIALS = ["YF40BETO123", "yf-40 beto 123", "---", "O0O0", "ＹＦ４０", "ﬀ" * 64, "㎈" * 30, "9" * 64, "9" * 65, "ÅÄÖ",
           "y\u200bf", "%", "_", "' OR 1=1 --"]
# Values aimed at what a field holds, by the field's name; every field also gets the general ones.
FIELD_VALUES = {
    "postcodes": POSTCODES, "observed_at": DATES, "phone": PHONES, "households": NUMBERS, "berths": NUMBERS,
    "watch_week_from": NUMBERS, "watch_week_to": NUMBERS, "latitude": NUMBERS, "longitude": NUMBERS, "code": CODES,
    "next": REDIRECTS, "email": EMAILS, "category": CHOICES, "site_type": CHOICES, "status": CHOICES,
    "locale": CHOICES, "lang": CHOICES, "show": CHOICES, "enabled": CHOICES, "notable": CHOICES,
    "takes_part": CHOICES, "confirm": CHOICES, "confirm_duplicate": CHOICES, "show_phone": CHOICES,
    "vehicle_registration": REGISTRATIONS, "kind": CHOICES, "decision": CHOICES, "action": CHOICES,
    "notices": [*CHOICES, "each", "daily", "off", "DAILY", " each"],
    "serial": SERIALS, "mark": SERIALS, "query": SERIALS, "engine_serial": SERIALS, "stolen_on": DATES,
    "mark_scheme": CHOICES, "kept_at": [*CHOICES, "berth", "winter_storage"], "call": PHONES,
}
# Fields and path parts that hold the id of a row: they get ids of other municipalities' rows too.
ID_FIELDS = {"group", "membership", "municipality", "observation", "household", "item", "organisation", "reporter",
             "action"}
LENGTHS = (21, 41, 61, 101, 121, 129, 201, 255, 301, 501, 2001, 60_000)


def repeated() -> st.SearchStrategy[str]:
    return st.builds(lambda piece, n: (piece * n)[:n] if len(piece) == 1 else piece * n,
                     st.sampled_from(["a", "ä", "🚨", "\u200b", "<", "1"]), st.sampled_from(LENGTHS))


def hostile_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HOSTILE + NUMBERS + DATES + POSTCODES + PHONES + REDIRECTS),
        st.text(max_size=30),
        st.text(st.characters(codec="utf-8", categories=["Cc", "Cf", "Mn", "So", "Zs", "Nd"]), max_size=20),
        repeated(),
        st.integers().map(str),
    )


def _image(mode: str, size=(40, 30), fmt="PNG") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, fmt)
    return out.getvalue()


# Photos and not-photos: odd pixel formats, a decompression bomb, truncated and fake images, a script.
FILES = [
    b"", b"\x00" * 64, b"<?php system($_GET['c']); ?>", b"GIF89a\x01\x00\x01\x00", photo_with_gps((120, 90))[:300],
    _image("1"), _image("LA"), _image("P"), _image("I;16"), _image("CMYK", fmt="JPEG"), _image("RGB", fmt="GIF"),
    _image("1", (9000, 9000)), photo_with_gps((120, 90)),
]
FILENAMES = ["bild.jpg", "../../x.jpg", "a\x00.jpg", "bild.php", "ä" * 300 + ".png", ""]

# ---- the world the forms are sent in ----------------------------------------------------------------

_serial = count(1)


@dataclass
class Submission:
    client: Any
    url: str  # with {placeholders} for `path`, so hostile values can replace ids and choices
    data: dict[str, Any] = field(default_factory=dict)
    path: dict[str, Any] = field(default_factory=dict)
    allowed: frozenset[str] = frozenset()  # tables a refused request may still change (failed staff logins)
    headers: dict[str, str] = field(default_factory=dict)  # e.g. Twilio's signature, which mutations then break


class World:
    """Oxelösund with a neighbourhood and a boat group; Nyköping with one of its own (ids to tamper with)."""

    def __init__(self, app, db, factory, login):
        self.app, self.db, self.factory, self._login = app, db, factory, login
        self.own = factory.municipality("Oxelösund", "0481")
        self.other = factory.municipality("Nyköping", "0480")
        people = {
            "resident": (Role.RESIDENT, self.own), "member": (Role.RESIDENT, self.own),
            "contact": (Role.RESIDENT, self.own), "coordinator": (Role.COORDINATOR, self.own),
            "police": (Role.POLICE, self.own), "admin": (Role.ADMIN, None),
            "coordinator_other": (Role.COORDINATOR, self.other), "contact_other": (Role.RESIDENT, self.other),
            "reporter": (Role.REPORTER, self.own),
        }
        self.people = {key: factory.user(role, municipality, phone="+46701234567" if key == "contact" else None)
                       for key, (role, municipality) in people.items()}
        self.partner = PartnerOrganisation(municipality=self.own, name="Oxelösundshem", kind=PartnerKind.HOUSING)
        self.other_partner = PartnerOrganisation(municipality=self.other, name="Nyköpingshem", kind=PartnerKind.HOUSING)
        self.people["reporter"].partner_organisation = self.partner
        db.session.add(self.other_partner)
        db.session.commit()
        self.hood = make_group(self.people["contact"], members=[self.people["member"]])
        self.boat = make_group(self.people["contact"], kind=GroupKind.BOAT, members=[self.people["member"]])
        self.other_group = make_group(self.people["contact_other"], postcodes=["61130"])
        self._clients: dict[str, Any] = {}
        self.ids = self.tamper_ids()

    def client(self, role: str):
        if role == "anonymous":
            return self.app.test_client()
        if role not in self._clients:
            self._clients[role] = self._login(self.people[role])
        return self._clients[role]

    def fresh(self, role=Role.RESIDENT, *, mfa=None, logged_in=True):
        """A new person (and a client logged in as them) for submissions that change the account itself."""
        person = self.factory.user(role, self.own, mfa=mfa)
        return person, (self._login(person) if logged_in else self.app.test_client())

    def membership(self, person, group, status=MembershipStatus.ACTIVE, role=MembershipRole.MEMBER) -> Membership:
        membership = self.db.session.scalar(select(Membership).where(Membership.user_id == person.id,
                                                                      Membership.group_id == group.id))
        if membership is None:
            membership = Membership(user=person, group=group)
            self.db.session.add(membership)
        membership.status, membership.role = status, role
        self.db.session.commit()
        return membership

    def observation(self, group=None):
        return file_observation(self.db, self.people["member"], group or self.hood)

    def tamper_ids(self) -> dict[str, int]:
        """Ids of rows of every kind in both municipalities, and ids that exist nowhere."""
        other_membership = self.db.session.scalar(select(Membership.id).where(
            Membership.group_id == self.other_group.id))
        return {"hood": self.hood.id, "boat": self.boat.id, "other group": self.other_group.id,
                "other membership": other_membership, "other person": self.people["contact_other"].id,
                "admin": self.people["admin"].id, "other organisation": self.other_partner.id, "zero": 0, "negative": -1, "int32+1": 2**31, "int64+1": 2**63,
                "huge": 10**30}


def pending_login(world: World, person) -> Any:
    """A client whose password step is done: the code step is next."""
    client = world.app.test_client()
    client.post("/login", data={"email": person.email, "password": PASSWORD})
    return client


def enrolment_code(world: World, client, url: str, person) -> str:
    client.get(url)  # shows the QR code and keeps the secret to confirm
    world.db.session.refresh(person)
    return pyotp.TOTP(person.totp_secret).now()


# ---- valid baselines, one per form route ------------------------------------------------------------

def _language(w, draw):
    return Submission(w.client(draw(st.sampled_from(["anonymous", "resident"]))), "/language",
                      {"lang": "en", "next": "/groups/"})


def _register(w, draw):
    return Submission(w.client("anonymous"), "/register", {
        "name": "Maja Ekström", "email": f"maja{next(_serial)}@exempel.se", "password": "Grind-och-staket-9",
        "municipality": str(w.own.id), "locale": "sv", "phone": "070-123 45 67"})


def _confirm_registration(w, draw):
    registration = Registration(name="Maja Ekström", email=f"maja{next(_serial)}@exempel.se",
                                password_hash=hash_password("Grind-och-staket-9"), municipality_id=w.own.id,
                                locale="sv", phone="+46701234567")
    return Submission(w.client("anonymous"), "/register/confirm/{token}",
                      path={"token": registration_token(registration)})


def _login(w, draw):
    role = draw(st.sampled_from(["member", "coordinator"]))
    return Submission(w.client("anonymous"), "/login?next={next}", {"email": w.people[role].email, "password": PASSWORD},
                      path={"next": "/groups/"}, allowed=frozenset({"audit_event"}))


def _profile(w, draw):
    return Submission(w.client(draw(st.sampled_from(["resident", "coordinator", "police"]))), "/profile",
                      {"name": "Maria Holm", "phone": "070-765 43 21", "locale": "sv"})


def _change_password(w, draw):
    _, client = w.fresh()
    return Submission(client, "/profile/password", {"current_password": PASSWORD, "new_password": "Nytt-staket-2026"})


def _forgot_password(w, draw):
    return Submission(w.client("anonymous"), "/password/forgot", {"email": w.people["member"].email})


def _reset_password(w, draw):
    person, client = w.fresh(logged_in=False)
    return Submission(client, "/password/reset/{token}", {"new_password": "Nytt-staket-2026"},
                      path={"token": password_reset_token(person)})


# A subscription as Chrome on Android makes one (the keys are a real P-256 point and a 16-byte secret).
PUSH_SUBSCRIPTION = {
    "endpoint": "https://fcm.googleapis.com/fcm/send/dQw4w9WgXcQ:APA91bHun4MxP5egoKMwt2KZFBaFUH-1RYqx",
    "p256dh": "BNLSOt_QwvuQMtCBYi5FSAcBCXpVIJhn0SuJEZ4UrRiVxUXkIM0Jv5735vbOzOHmAXBGIODFJsOZZ6sd9cB8lSM",
    "auth": "tBHItJI5svbpez7KI4CCXg",
}


def _push_on(w, draw):
    return Submission(w.client(draw(st.sampled_from(["member", "contact", "coordinator"]))), "/profile/push",
                      PUSH_SUBSCRIPTION)


def _push_off(w, draw):
    person, client = w.fresh()
    client.post("/profile/push", data=PUSH_SUBSCRIPTION)
    return Submission(client, "/profile/push/off", {"endpoint": PUSH_SUBSCRIPTION["endpoint"]})


def _push_instead(w, draw):
    return Submission(w.client(draw(st.sampled_from(["contact", "member"]))), "/profile/push/instead-of-sms",
                      {"push_instead_of_sms": draw(st.sampled_from(["y", ""]))})


def _log_out_everywhere(w, draw):
    return Submission(w.fresh()[1], "/profile/log-out-everywhere")


def _end_session(w, draw):
    """The profile's "end this login" for the person's other device."""
    person, client = w.fresh()
    w._login(person)
    with client.session_transaction() as session:
        this = LoginSession.key_for(session["_user_id"])
    other = w.db.session.scalar(select(LoginSession.id).where(LoginSession.user_id == person.id,
                                                              LoginSession.id != this))
    return Submission(client, "/profile/sessions/end", {"session": other})


def _verify(w, draw):
    person, _ = w.fresh(Role.COORDINATOR, logged_in=False)
    return Submission(pending_login(w, person), "/login/code", {"code": pyotp.TOTP(person.totp_secret).now()},
                      allowed=frozenset({"audit_event"}))  # a wrong code is audited (and counts towards the lock)


def _enrol(w, draw):
    person, _ = w.fresh(Role.POLICE, mfa=False, logged_in=False)
    client = pending_login(w, person)
    return Submission(client, "/login/enrol", {"code": enrolment_code(w, client, "/login/enrol", person)})


def _setup(w, draw):
    person, client = w.fresh()
    return Submission(client, "/profile/two-factor/setup",
                      {"code": enrolment_code(w, client, "/profile/two-factor/setup", person)})


def _new_codes(w, draw):
    return Submission(w.client("coordinator"), "/profile/two-factor/recovery-codes", {"codes-password": PASSWORD})


def _disable(w, draw):
    return Submission(w.fresh(mfa=True)[1], "/profile/two-factor/disable", {"disable-password": PASSWORD})


def _delete_account(w, draw):
    person, client = w.fresh()
    w.membership(person, w.hood)
    file_observation(w.db, person, w.hood)
    return Submission(client, "/my-data/delete", {"password": PASSWORD, "confirm": "y"})


def _file_observation(w, draw):
    group = draw(st.sampled_from([w.hood, w.boat]))
    local = (utcnow() - timedelta(minutes=30)).astimezone(local_zone())
    data = {"group": str(group.id), "category": "suspicious_vehicle", "observed_at": local.strftime("%Y-%m-%dT%H:%M"),
            "location": "Västra vägen 12, 613 31 Oxelösund", "latitude": "58.6674", "longitude": "17.1012",
            "vehicle_registration": "abc 12d", "vehicle_colour": "Vit", "vehicle_make": "VW Transporter",
            "description": "En vit skåpbil körde sakta förbi flera gånger."}
    if group is w.boat:
        data.update(category=draw(st.sampled_from(["fuel_theft", "storage_theft"])), boat_name="Sjöstjärnan",
                    boat_registration="S-12345", engine_make="Yamaha F40", engine_serial="yf40 beto 123")
    if draw(st.booleans()):
        data["photo"] = photo_with_gps((120, 90))
    if draw(st.booleans()):  # a partner reporter files for their organisation: no group, public-place categories
        del data["group"]
        data["category"] = draw(st.sampled_from(["graffiti", "drug_dealing", "suspicious_vehicle"]))
        return Submission(w.client("reporter"), "/observations/new", data)
    return Submission(w.client(draw(st.sampled_from(["member", "contact"]))), "/observations/new", data)


def _change_status(w, draw):
    status = draw(st.sampled_from(["seen", "forwarded", "closed"]))
    return Submission(w.client("coordinator"), "/observations/{observation}/status",
                      {"status": status, "note": "Polisen är informerad.", "category": "burglary"},
                      path={"observation": w.observation().id})


def _notable(w, draw):
    return Submission(w.client("coordinator"), "/observations/{observation}/notable", {"notable": "1"},
                      path={"observation": w.observation().id})


def _email_preference(w, draw):
    return Submission(w.client("coordinator"), "/coordinator/observations/email", {"notices": "daily"})


def _register_group(w, draw):
    kind = draw(st.sampled_from(list(GroupKind)))
    form = neighbourhood_form(name=f"Ramdalen {next(_serial)}") if kind == GroupKind.NEIGHBOURHOOD else \
        boat_form(name=f"Femöre hamn {next(_serial)}")
    return Submission(w.client("resident"), "/groups/register/{kind}", form, path={"kind": kind.value})


def _edit_group(w, draw):
    group = draw(st.sampled_from([w.hood, w.boat]))
    form = neighbourhood_form() if group.kind == GroupKind.NEIGHBOURHOOD else boat_form()
    form.pop("show_phone", None)
    return Submission(w.client("contact"), "/groups/{group}/edit", form, path={"group": group.id})


def _member_action(w, draw):
    action = draw(st.sampled_from(["accept", "decline", "make-contact", "remove"]))
    person = w.factory.user(Role.RESIDENT, w.own)
    status = MembershipStatus.REQUESTED if action in ("accept", "decline") else MembershipStatus.ACTIVE
    membership = w.membership(person, w.hood, status)
    return Submission(w.client("contact"), "/groups/{group}/members/{membership}/{action}",
                      path={"group": w.hood.id, "membership": membership.id, "action": action})


def _show_phone(w, draw):
    return Submission(w.client("contact"), "/groups/{group}/phone", {"show": "1"}, path={"group": w.hood.id})


def _leave(w, draw):
    w.membership(w.people["member"], w.hood)
    return Submission(w.client("member"), "/groups/{group}/leave", path={"group": w.hood.id})


def _join(w, draw):
    w.db.session.execute(Membership.__table__.delete().where(Membership.user_id == w.people["resident"].id,
                                                             Membership.group_id == w.hood.id))
    w.db.session.commit()
    return Submission(w.client("resident"), "/groups/{group}/join", path={"group": w.hood.id})


def _household_data(w) -> dict:
    member = w.membership(w.people["member"], w.hood)
    return {"address": "Tallvägen 3", "takes_part": "y", "membership": str(member.id)}


def _fresh_household(w) -> int:
    household = RosterHousehold(group_id=w.hood.id, address="Västra vägen 14", takes_part=False)
    w.db.session.add(household)
    w.db.session.commit()
    return household.id


def _roster(w, draw):
    return Submission(w.client("contact"), "/groups/{group}/roster", _household_data(w), path={"group": w.hood.id})


def _household(w, draw):
    return Submission(w.client("contact"), "/groups/{group}/roster/{household}", _household_data(w),
                      path={"group": w.hood.id, "household": _fresh_household(w)})


def _delete_household(w, draw):
    return Submission(w.client("contact"), "/groups/{group}/roster/{household}/delete",
                      path={"group": w.hood.id, "household": _fresh_household(w)})


def _decide(w, draw):
    decision = draw(st.sampled_from(["approve", "reject", "request-change", "archive"]))
    status = GroupStatus.APPROVED if decision == "archive" else GroupStatus.PENDING
    group = make_group(w.people["resident"], status=status, name=f"Brandstorp {next(_serial)}")
    text = {"reject": {"reason": "Området har redan en grupp."},
            "request-change": {"note": "Lägg till gatorna norr om skolan."}}.get(decision, {})
    return Submission(w.client("coordinator"), "/coordinator/groups/{group}/{decision}", text,
                      path={"group": group.id, "decision": decision})


def _verified_contact(w) -> None:
    """Alerts need someone to reach: the world's contact person with a verified phone, not opted out, who
    takes alerts by SMS (an earlier example of the preferences form may have turned them off)."""
    contact = w.people["contact"]
    contact.verified_phone = contact.phone
    contact.alert_channel = AlertChannel.SMS
    opt_in(contact.phone)
    w.db.session.commit()


def _alert_form(w) -> dict:
    return {"municipality": str(w.own.id), "target": "municipality", "audience": "contacts", "validity": "4",
            "body": "Tre inbrott i förråd på Västra vägen i veckan. Lås in trimmers. Tips: 114 14."}


def _compose(w, draw):
    _verified_contact(w)
    action = draw(st.sampled_from(["send", "review"]))
    return Submission(w.client(draw(st.sampled_from(["police", "coordinator"]))), "/alerts/new",
                      {**_alert_form(w), "action": action})


def _alert_summary(w, draw):
    return Submission(w.client("police"), "/alerts/new/summary", _alert_form(w))


def _sent_alert(w):
    _verified_contact(w)
    alert = alert_with_deliveries(w.people["police"], Targeting(w.own.id, AlertTarget.MUNICIPALITY), "Lås förråden.", 4)
    w.db.session.commit()
    return alert


def _retry(w, draw):
    return Submission(w.client("police"), "/alerts/{alert}/retry", path={"alert": _sent_alert(w).id})


def _send_code(w, draw):
    person, client = w.fresh()
    return Submission(client, "/alerts/phone", {"phone": "070-123 45 68"})


def _confirm_code(w, draw):
    person, client = w.fresh()
    code = start_verification(person, "+46701234568")
    w.db.session.commit()
    # A wrong code still counts as one of the five tries: that change is the point of refusing it.
    return Submission(client, "/alerts/phone/confirm", {"code": code}, allowed=frozenset({"phone_verification"}))


def _alert_preferences(w, draw):
    return Submission(w.client(draw(st.sampled_from(["member", "contact"]))), "/alerts/preferences",
                      {"channel": draw(st.sampled_from(["sms", "email", "none"])), "member_alerts": "y"})


def _sms_opt_out(w, draw):
    return Submission(w.client("contact"), "/alerts/preferences/sms", {"allow": draw(st.sampled_from(["0", "1"]))})


def _signed_by_twilio(w, path: str, params: dict[str, str]) -> Submission:
    signature = sign(w.app.config["TWILIO_AUTH_TOKEN"], w.app.config["PUBLIC_URL"] + path, params)
    return Submission(w.app.test_client(), path, params, headers={"X-Twilio-Signature": signature})


def _inbound_sms(w, draw):
    return _signed_by_twilio(w, "/sms/inbound", {"MessageSid": f"SM{next(_serial):032d}", "From": "+46701234567",
                                                 "Body": draw(st.sampled_from(["STOPP", "START", "Tack!", "",
                                                                              "Okänd bil vid bommen \x00\x01"]))})


def _simulated_sms(w, draw):
    return Submission(w.client(draw(st.sampled_from(["anonymous", "contact"]))), "/dev/outbox/inbound",
                      {"phone": UNKNOWN_DEMO_NUMBER, "body": draw(st.sampled_from(["STOPP", "START", "Tack!"]))})


def _delivery_status(w, draw):
    delivery = w.db.session.scalar(select(Delivery).where(Delivery.alert_id == _sent_alert(w).id))
    return _signed_by_twilio(w, f"/sms/status?delivery={delivery.id}&attempt=1",
                             {"MessageSid": f"SM{next(_serial):032d}", "MessageStatus": "delivered"})


def _sms_in_inbox(w, body="Vi såg en båt utan lanternor vid bryggan i natt."):
    """An SMS from the world's contact person (verified number, member of both groups) in Oxelösund's inbox."""
    contact = w.people["contact"]
    contact.verified_phone = contact.phone
    opt_in(contact.phone)
    message = SmsReply(provider_sid=f"SM{next(_serial):032d}", phone=contact.phone, body=body,
                       kind=SmsReplyKind.MESSAGE, user_id=contact.id, municipality_id=w.own.id)
    w.db.session.add(message)
    w.db.session.commit()
    return message


def _sms_answer(w, draw):
    return Submission(w.client(draw(st.sampled_from(["coordinator", "police"]))), "/inbox/{message}/answer",
                      {"body": "Tack, vi har tagit emot det. /Karin, trygghetssamordnare"},
                      path={"message": _sms_in_inbox(w).id})


def _sms_counter(w, draw):
    return Submission(w.client(draw(st.sampled_from(["coordinator", "police"]))), "/inbox/counter",
                      {"body": "Tack för tipset – vi återkommer."})


def _sms_handled(w, draw):
    return Submission(w.client(draw(st.sampled_from(["coordinator", "police"]))), "/inbox/{message}/handled",
                      path={"message": _sms_in_inbox(w).id})


def _sms_observation(w, draw):
    return Submission(w.client("coordinator"), "/inbox/{message}/observation", path={"message": _sms_in_inbox(w).id})


def _publish(w, draw):
    return Submission(w.client("coordinator"), "/lagesbild/{slug}/publish",
                      {"first_week": "2026-W10", "last_week": "2026-W11", "summary": "Fler inbrott i förråd."},
                      path={"slug": w.own.slug})


PROMISE = {"title": "Tryggare gästhamn", "body": "Polisen och kommunen finns i gästhamnen på sommarhelgerna.",
           "starts_on": "2026-05-01", "ends_on": "2026-08-31", "follow_up": "Tolv besök i juni."}


def _new_promise(w, draw):
    return Submission(w.client(draw(st.sampled_from(["police", "coordinator"]))), "/lagesbild/{slug}/promises/new",
                      PROMISE, path={"slug": w.own.slug})


def _edit_promise(w, draw):
    promise = CitizenPromise(municipality_id=w.own.id, title="Utkast", body="Text", starts_on=date(2026, 1, 1),
                             ends_on=date(2026, 4, 30))
    w.db.session.add(promise)
    w.db.session.commit()
    return Submission(w.client("coordinator"), "/lagesbild/{slug}/promises/{promise}/edit", PROMISE,
                      path={"slug": w.own.slug, "promise": promise.id})


ENGINE = {"kind": "outboard", "make": "Yamaha", "model": "F40", "serial": "YF40 BETO 123", "mark_scheme": "dna",
          "mark": "SW-4411-KX", "colour": "Grå", "boat_name": "Sjöstjärnan", "registration": "S-12345",
          "kept_at": "winter_storage", "place": "Jogersö varv, hall 2"}


def _engine(w, serial=None) -> int:
    """An engine of the world's member in the boat group, with a serial of its own."""
    serial = serial or f"YF40BETO{next(_serial)}"
    existing = w.db.session.scalar(select(MarkedItem.id).where(MarkedItem.serial == serial))
    if existing is not None:
        return existing
    item = save_item(w.people["member"], None, group=w.boat, **{**ENGINE, "serial": serial})
    w.db.session.commit()
    return item.id


def _new_item(w, draw):
    data = {**ENGINE, "group": str(w.boat.id), "serial": f"6AH-{next(_serial):07d}"}
    if draw(st.booleans()):
        data["photo"] = photo_with_gps((120, 90))
    return Submission(w.client(draw(st.sampled_from(["member", "contact"]))), "/boats/new", data)


def _edit_item(w, draw):
    return Submission(w.client("member"), "/boats/{item}/edit",
                      {**ENGINE, "group": str(w.boat.id), "serial": f"F40-{next(_serial)}", "kept_at": "berth"},
                      path={"item": _engine(w)})


def _item_button(action: str, data: dict | None = None):
    def baseline(w, draw):
        return Submission(w.client("member"), "/boats/{item}/" + action, dict(data or {}), path={"item": _engine(w)})

    return baseline


SEARCH = {"query": "yf-40 beto 123", "reason": "Ärende 5000-K123456-26, motor hittad vid Femöre"}


def _search_register(w, draw):
    _engine(w, "YF40BETO123")
    return Submission(w.client("police"), "/police/register", dict(SEARCH))


def _notify_owner(w, draw):
    return Submission(w.client("police"), "/police/register/{item}/notify",
                      {"call": "010-123 45 67", "reason": SEARCH["reason"]}, path={"item": _engine(w)})


def _add_partner(w, draw):
    return Submission(w.client("coordinator"), "/coordinator/partners",
                      {"name": f"Ramdalsskolan {next(_serial)}", "kind": draw(st.sampled_from(["school", "housing"]))})


def _invite_reporter(w, draw):
    return Submission(w.client("coordinator"), "/coordinator/partners/{organisation}/invite",
                      {"name": "Nadia Karlsson", "email": f"nadia{next(_serial)}@oxelosundshem.se", "locale": "sv"},
                      path={"organisation": w.partner.id})


def _fresh_reporter(w):
    """Another organisation and its reporter: suspending them leaves the world's reporter logged in."""
    organisation = PartnerOrganisation(municipality=w.own, name=f"Ramdalsskolan {next(_serial)}",
                                       kind=PartnerKind.SCHOOL)
    reporter, _client = w.fresh(Role.REPORTER, logged_in=False)
    reporter.partner_organisation = organisation
    w.db.session.commit()
    return reporter


def _suspend_partner(w, draw):
    return Submission(w.client("coordinator"), "/coordinator/partners/{organisation}/suspend",
                      {"suspend": draw(st.sampled_from(["1", "0"]))},
                      path={"organisation": _fresh_reporter(w).partner_organisation_id})


def _suspend_reporter(w, draw):
    reporter = _fresh_reporter(w)
    return Submission(w.client("coordinator"), "/coordinator/partners/{organisation}/reporters/{reporter}/suspend",
                      {"suspend": draw(st.sampled_from(["1", "0"]))},
                      path={"organisation": reporter.partner_organisation_id, "reporter": reporter.id})


def _accept_invitation(w, draw):
    token = invite(w.partner, name="Nadia Karlsson", email=f"nadia{next(_serial)}@oxelosundshem.se", locale="sv")
    w.db.session.commit()
    return Submission(w.client("anonymous"), "/invitation/{token}", {"password": "Grind-och-staket-9"},
                      path={"token": token})


def _create_api_key(w, draw):
    return Submission(w.client("coordinator"), "/coordinator/partners/{organisation}/keys",
                      path={"organisation": w.partner.id})


def _revoke_api_key(w, draw):
    create_api_key(w.partner, w.people["coordinator"])
    w.db.session.commit()
    key = w.db.session.scalar(select(PartnerApiKey).order_by(PartnerApiKey.id.desc()))
    return Submission(w.client("coordinator"), "/coordinator/partners/{organisation}/keys/{key}/revoke",
                      path={"organisation": w.partner.id, "key": key.id})


def _open311_request(w, draw):
    key = create_api_key(w.partner, w.people["coordinator"])
    w.db.session.commit()
    return Submission(w.app.test_client(), "/open311/v2/requests.{format}", {
        "jurisdiction_id": w.own.slug, "api_key": key, "service_code": draw(st.sampled_from(["graffiti", "burglary"])),
        "address_string": "Ramdalsvägen 12, 613 37 Oxelösund", "lat": "58.6702", "long": "17.0957",
        "description": "Nytt klotter på fasaden."}, path={"format": draw(st.sampled_from(["json", "xml"]))})


def _add_action(w, draw):
    return Submission(w.client("coordinator"), "/lagesbild/{slug}/actions", {
        "week": "2026-W10", "what": "Klipp buskarna och laga belysningen", "area": "Ramdalen", "postcode": "613 37",
        "organisation": "Oxelösundshem", "responsible": "Nadia Karlsson", "due_on": "2026-03-31",
        "categories": draw(st.sampled_from(["unsafe_place", "graffiti"]))}, path={"slug": w.own.slug})


def _action_status(w, draw):
    action = EstAction(municipality_id=w.own.id, decided_week="2026-W10", what="Laga belysningen", categories=[])
    w.db.session.add(action)
    w.db.session.commit()
    return Submission(w.client("coordinator"), "/lagesbild/{slug}/actions/{action}/status",
                      {"status": draw(st.sampled_from(["in_progress", "done", "dropped"])), "week": "2026-W11"},
                      path={"slug": w.own.slug, "action": action.id})


FORMS: dict[str, Callable[[World, Callable], Submission]] = {
    "main.set_language": _language,
    "auth.register": _register,
    "auth.confirm_registration": _confirm_registration,
    "auth.login": _login,
    "auth.logout": lambda w, draw: Submission(w.client(draw(st.sampled_from(["anonymous", "member"]))), "/logout"),
    "auth.profile": _profile,
    "auth.change_password": _change_password,
    "auth.forgot_password": _forgot_password,
    "auth.reset_password": _reset_password,
    "auth.log_out_everywhere": _log_out_everywhere,
    "auth.end_session": _end_session,
    "mfa.verify": _verify,
    "mfa.enrol": _enrol,
    "mfa.setup": _setup,
    "mfa.new_codes": _new_codes,
    "mfa.disable": _disable,
    "privacy.delete_account": _delete_account,
    "observations.new": _file_observation,
    "observations.change_status": _change_status,
    "observations.toggle_notable": _notable,
    "observations.email_preference": _email_preference,
    "groups.register": _register_group,
    "groups.edit": _edit_group,
    "groups.member_action": _member_action,
    "groups.show_phone": _show_phone,
    "groups.leave": _leave,
    "groups.join": _join,
    "groups.roster": _roster,
    "groups.household": _household,
    "groups.delete_household": _delete_household,
    "coordinator.decide": _decide,
    "alerts.compose": _compose,
    "alerts.summary": _alert_summary,
    "alerts.retry": _retry,
    "alerts.phone": _send_code,
    "alerts.confirm_phone": _confirm_code,
    "alerts.preferences": _alert_preferences,
    "alerts.sms_opt_out": _sms_opt_out,
    "messaging.simulate_inbound": _simulated_sms,
    "sms.inbound": _inbound_sms,
    "sms.status": _delivery_status,
    "inbox.answer": _sms_answer,
    "inbox.counter": _sms_counter,
    "inbox.handled": _sms_handled,
    "inbox.make_observation": _sms_observation,
    "lagesbild.publish": _publish,
    "lagesbild.new_promise": _new_promise,
    "lagesbild.edit_promise": _edit_promise,
    "webapp.push_on": _push_on,
    "webapp.push_off": _push_off,
    "webapp.push_instead": _push_instead,
    "boats.new": _new_item,
    "boats.edit": _edit_item,
    "boats.stolen": _item_button("stolen", {"stolen_on": "2026-11-20"}),
    "boats.recovered": _item_button("recovered"),
    "boats.delete": _item_button("delete"),
    "boats.search": _search_register,
    "boats.notify_owner": _notify_owner,
    "partners.index": _add_partner,
    "partners.invite": _invite_reporter,
    "partners.suspend_organisation": _suspend_partner,
    "partners.suspend_reporter": _suspend_reporter,
    "partners.accept": _accept_invitation,
    "partners.create_key": _create_api_key,
    "partners.revoke_key": _revoke_api_key,
    "open311.create_request": _open311_request,
    "lagesbild.add_action": _add_action,
    "lagesbild.action_status": _action_status,
}


def _unknown_form(endpoint: str):
    """No baseline yet: hostile fields from anyone, to the route's URL with tampered path values."""

    def baseline(w, draw):
        rule = next(r for r in w.app.url_map.iter_rules() if r.endpoint == endpoint and "POST" in r.methods)
        url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        path = {name: w.hood.id for name in rule.arguments}
        return Submission(w.client(draw(st.sampled_from(list(w.people) + ["anonymous"]))), url, path=path)

    return baseline


def form_endpoints(app) -> list[str]:
    return sorted({rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods})


def pytest_generate_tests(metafunc):
    if "form_endpoint" in metafunc.fixturenames:
        metafunc.parametrize("form_endpoint", form_endpoints(create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})))


# ---- mutations --------------------------------------------------------------------------------------

WRONG_TYPES = st.one_of(st.integers(), st.none(), st.booleans(), st.floats(allow_nan=False),
                        st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2))


def as_file(draw) -> tuple[io.BytesIO, str]:
    return io.BytesIO(draw(st.sampled_from(FILES))), draw(st.sampled_from(FILENAMES))


def mutate(draw, w: World, submission: Submission) -> tuple[str, dict]:
    """The URL and the test client's keyword arguments of a hostile version of the submission."""
    pairs = [(name, io.BytesIO(value) if isinstance(value, bytes) else value) for name, value in submission.data.items()]
    pairs = [(name, (value, "bild.jpg") if isinstance(value, io.BytesIO) else value) for name, value in pairs]
    path = dict(submission.path)
    names = [name for name, _ in pairs]
    tampered_id = st.sampled_from(sorted(w.ids)).map(lambda key: str(w.ids[key]))

    def hostile(name: str):
        aimed = [st.sampled_from(FIELD_VALUES[name])] if name in FIELD_VALUES else []
        return st.one_of(*aimed, *([tampered_id] if name in ID_FIELDS else []), hostile_text())

    for _ in range(draw(st.integers(1, 3), label="mutations")):
        kinds = ["replace", "drop", "duplicate", "extra", "file"] if names else ["extra", "file"]
        kind = draw(st.sampled_from(kinds + (["path"] if path else [])), label="mutation")
        name = draw(st.sampled_from(names), label="field") if names and kind not in ("extra", "path") else None
        if kind == "replace":
            pairs = [(n, draw(hostile(n), label=n) if n == name else v) for n, v in pairs]
        elif kind == "drop":
            pairs = [(n, v) for n, v in pairs if n != name]
        elif kind == "duplicate":
            position = draw(st.integers(0, len(pairs)))
            pairs.insert(position, (name, draw(hostile(name), label=name)))
        elif kind == "extra":
            pairs.append((draw(st.one_of(st.sampled_from(["id", "role", "status", "user_id", "municipality_id",
                                                          "csrf_token", "photo"]), st.text(max_size=10))),
                          draw(hostile_text())))
        elif kind == "file":
            pairs.append((name or draw(st.text(min_size=1, max_size=8)), as_file(draw)))
        else:
            key = draw(st.sampled_from(sorted(path)), label="path")
            path[key] = draw(hostile(key), label=key)
    url = submission.url.format(**{k: urllib.parse.quote(str(v), safe="") for k, v in path.items()})
    headers = {**submission.headers, **({"HX-Request": "true"} if draw(st.booleans(), label="htmx") else {})}
    encoding = draw(st.sampled_from(["form", "form", "form", "multipart", "json"]), label="encoding")
    if encoding == "json":
        body = {n: draw(st.one_of(st.just(v), WRONG_TYPES)) for n, v in pairs if not isinstance(v, tuple)}
        return url, {"json": draw(st.one_of(st.just(body), WRONG_TYPES)), "headers": headers}
    kwargs = {"data": MultiDict(pairs), "headers": headers}
    if encoding == "multipart":
        kwargs["content_type"] = "multipart/form-data"
    return url, kwargs


# ---- what must hold after every request -------------------------------------------------------------

PHOTO_FILES = "photo files"  # stored photos count as a table: a refused upload must leave none behind


def snapshot(db) -> dict[str, list[dict]]:
    with db.engine.connect() as connection:
        tables = {table.name: [dict(row._mapping) for row in connection.execute(
            table.select().order_by(*table.primary_key.columns))] for table in Base.metadata.sorted_tables}
    for login in tables["login_session"]:
        # Bookkeeping that any request of a logged-in person may move (at most once a minute, watch.core.security):
        # a slow run would otherwise see GETs and refused forms "change" it.
        login["last_seen_at"] = None
    folder = photo_folder()
    tables[PHOTO_FILES] = [{"name": name} for name in sorted(os.listdir(folder) if os.path.isdir(folder) else [])]
    return tables


def refused(client, response) -> bool:
    """A 4xx, the form again with its errors, or an error message after a redirect."""
    with client.session_transaction() as session:
        flashes = session.pop("_flashes", [])
    if response.status_code >= 400 or any(category == "error" for category, _ in flashes):
        return True
    body = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
    return any(marker in body for marker in ('class="error-summary"', 'class="field-error"', "flash--error"))


def changed_tables(before, after) -> set[str]:
    return {name for name in before if before[name] != after[name]}


def _text(value) -> bool:
    return isinstance(value, str) and value == value.strip() and value != ""


SWEDEN = ((55.0, 69.1), (10.5, 24.2))


def _point(row, bounds=((-90, 90), (-180, 180))) -> str | None:
    latitude, longitude = row["latitude"], row["longitude"]
    if (latitude is None) != (longitude is None):
        return "only one of latitude and longitude"
    if latitude is not None and not (bounds[0][0] <= latitude <= bounds[0][1] and bounds[1][0] <= longitude <= bounds[1][1]):
        return f"point out of range {latitude}, {longitude}"
    return None


def _user(row, tables):
    if not _text(row["name"]):
        return f"name {row['name']!r}"
    if row["email"] != row["email"].strip().lower() or "@" not in row["email"]:
        return f"email {row['email']!r}"
    if row["phone"] is not None and not re.fullmatch(r"\+46[0-9]{7,12}", row["phone"]):
        return f"phone {row['phone']!r}"
    return None if row["locale"] in ("sv", "en") else f"locale {row['locale']!r}"


def _group(row, tables):
    if not _text(row["name"]):
        return f"name {row['name']!r}"
    if not any(p["group_id"] == row["id"] for p in tables["group_postcode"]):
        return "no postcode"
    if row["kind"] == GroupKind.NEIGHBOURHOOD:
        if not (row["streets"] and row["households"] and 1 <= row["households"] <= 10000):
            return f"streets {row['streets']!r} households {row['households']!r}"
    elif not (row["site_type"] and _text(row["address"]) and row["berths"] and 1 <= row["berths"] <= 10000
              and 1 <= row["watch_week_from"] <= 53 and 1 <= row["watch_week_to"] <= 53):
        return f"boat details {row}"
    return _point(row, SWEDEN)


def _postcode(row, tables):
    return None if re.fullmatch(r"[1-9][0-9]{4}", row["postcode"]) else f"postcode {row['postcode']!r}"


def _household(row, tables):
    if not _text(row["address"]):
        return f"address {row['address']!r}"
    if row["membership_id"] is None:
        return None
    if not row["takes_part"]:
        return "linked to a member but does not take part"
    member = next((m for m in tables["membership"] if m["id"] == row["membership_id"]), None)
    return None if member and member["group_id"] == row["group_id"] else "linked to another group's member"


def _observation(row, tables):
    # A member's observation belongs to their group; a partner reporter's (or partner system's) to its organisation.
    if row["group_id"] is not None:
        owner = next(g for g in tables["watch_group"] if g["id"] == row["group_id"])
    else:
        owner = next((o for o in tables["partner_organisation"] if o["id"] == row["partner_organisation_id"]), None)
        if owner is None:
            return "neither a group nor a partner organisation"
    if owner["municipality_id"] != row["municipality_id"]:
        return "municipality differs from the group's or the organisation's"
    if row["anonymised_at"] is None:
        if row["observed_week"] != observation_services.iso_week(row["observed_at"]):
            return f"week {row['observed_week']} for {row['observed_at']}"
        if row["observed_at"] > row["created_at"] + observation_services.CLOCK_SKEW:
            return f"observed in the future {row['observed_at']}"
        if row["created_at"] - row["observed_at"] > timedelta(days=current_app.config["OBSERVATION_RETENTION_DAYS"]):
            return f"observed too long ago {row['observed_at']}"
        # A report by SMS has its place in its text, if anywhere.
        placed = row["location"] or row["latitude"] is not None or row["source"] == ObservationSource.SMS
        if row["location"] != row["location"].strip() or not placed:
            return f"location {row['location']!r}"
    if row["postcode"] is not None and not re.fullmatch(r"[0-9]{5}", row["postcode"]):
        return f"postcode {row['postcode']!r}"
    if row["vehicle_registration"] is not None and not re.fullmatch(r"[A-ZÅÄÖ0-9]{2,10}", row["vehicle_registration"]):
        return f"registration {row['vehicle_registration']!r}"
    if row["photo_path"] is not None and {"name": row["photo_path"]} not in tables[PHOTO_FILES]:
        return f"photo {row['photo_path']} is not on disk"
    if row["engine_serial_key"] != (normalise(row["engine_serial"]) or None):
        return f"serial key {row['engine_serial_key']!r} for {row['engine_serial']!r}"
    return _point(row)


def _change(row, tables):
    fields = {name for names in DETAIL_FIELDS.values() for name in names}
    return None if row["field"] in fields else f"field {row['field']!r}"


def _sms_row(row, tables):
    if row["observation_id"] is None:
        return None
    observation = next((o for o in tables["observation"] if o["id"] == row["observation_id"]), None)
    if observation is None or observation["municipality_id"] != row["municipality_id"]:
        return "an inbox other than its observation's municipality"
    return None if observation["source"] == ObservationSource.SMS else "linked to an observation filed on the web"


def _answer_row(row, tables):
    return None if _text(row["body"]) else f"body {row['body']!r}"


def _push_subscription(row, tables):
    """Only https addresses at a browser's push service, and keys of the right size."""
    parts = urllib.parse.urlsplit(row["endpoint"])
    known = any(parts.hostname == host or (parts.hostname or "").endswith("." + host)
                for host in TestingConfig.PUSH_SERVICE_HOSTS)
    if parts.scheme != "https" or not known or parts.username or parts.port not in (None, 443):
        return f"endpoint {row['endpoint'][:80]!r}"
    return None if len(row["p256dh"]) == 87 and len(row["auth"]) == 22 else "keys of the wrong size"


def _marked_item(row, tables):
    if row["serial_key"] != normalise(row["serial"]) or row["mark_key"] != normalise(row["mark"]):
        return f"keys {row['serial_key']!r} {row['mark_key']!r} for {row['serial']!r} {row['mark']!r}"
    if not (row["serial_key"] or row["mark_key"]):
        return "neither serial nor mark"
    if any(row[name] != row[name].strip() for name in ("make", "model", "serial", "mark", "place")):
        return "untrimmed text"
    if row["group_id"] is not None:
        group = next(g for g in tables["watch_group"] if g["id"] == row["group_id"])
        if group["kind"] != GroupKind.BOAT or group["municipality_id"] != row["municipality_id"]:
            return "not its boat group's municipality"
    pieces = {g["gram"] for g in tables["marked_item_gram"] if g["item_id"] == row["id"]}
    if pieces != grams(row["serial_key"]) | grams(row["mark_key"]):
        return "search index out of step"
    if row["photo_path"] is not None and {"name": row["photo_path"]} not in tables[PHOTO_FILES]:
        return f"photo {row['photo_path']} is not on disk"
    return None


ROW_RULES = {"marked_item": _marked_item, "user": _user, "watch_group": _group, "group_postcode": _postcode, "roster_household": _household,
             "observation": _observation, "group_change": _change, "sms_reply": _sms_row, "sms_answer": _answer_row,
             "push_subscription": _push_subscription}


def invalid_rows(before, after) -> list[str]:
    """Problems of the rows the request added or changed."""
    problems = []
    for table in Base.metadata.sorted_tables:
        rule = ROW_RULES.get(table.name)
        for row in (row for row in after[table.name] if row not in before[table.name]):
            for column in table.columns:
                value = row[column.name]
                length = getattr(column.type, "length", None)
                if isinstance(value, str) and ("\x00" in value or (length and len(value) > length)):
                    problems.append(f"{table.name}.{column.name} = {value[:80]!r} (length {len(value)})")
            if rule and (problem := rule(row, after)):
                problems.append(f"{table.name} {row.get('id', '')}: {problem}")
    return problems + groups_left_without_a_contact(before, after)


def groups_left_without_a_contact(before, after) -> list[str]:
    """A live group that had an active contact person still has one, whatever happened to its members."""
    def with_contact(tables) -> set[int]:
        live = {g["id"] for g in tables["watch_group"] if g["status"] in (GroupStatus.PENDING, GroupStatus.APPROVED)}
        return {m["group_id"] for m in tables["membership"] if m["group_id"] in live
                and m["role"] == MembershipRole.CONTACT and m["status"] == MembershipStatus.ACTIVE}

    live_after = {g["id"] for g in after["watch_group"] if g["status"] in (GroupStatus.PENDING, GroupStatus.APPROVED)}
    return [f"group {group_id} lost its last contact person"
            for group_id in sorted((with_contact(before) & live_after) - with_contact(after))]


def check_request(db, client, url, send):
    before = snapshot(db)
    response = send()
    after = snapshot(db)
    assert response.status_code < 500, f"{url}: {response.status_code}"
    problems = invalid_rows(before, after)
    assert not problems, f"{url} stored invalid rows: {problems}"
    return before, after, response


# ---- the tests --------------------------------------------------------------------------------------

def test_every_form_route_has_a_baseline(app):
    missing = sorted(set(form_endpoints(app)) - set(FORMS))
    assert not missing, f"add a valid baseline for these form routes to FORMS in tests/test_fuzz.py: {missing}"
    assert not set(FORMS) - set(form_endpoints(app)), "baselines for routes that no longer exist"


@pytest.fixture
def world(app, db, factory, login):
    return World(app, db, factory, login)


@FUZZ
@given(data=st.data())
def test_hostile_form_input_is_refused_cleanly_or_stored_valid(db, world, form_endpoint, data):
    submission = FORMS.get(form_endpoint, _unknown_form(form_endpoint))(world, data.draw)
    url, kwargs = mutate(data.draw, world, submission)
    before, after, response = check_request(db, submission.client, url,
                                            lambda: submission.client.post(url, **kwargs))
    if refused(submission.client, response):
        changed = changed_tables(before, after) - submission.allowed
        assert not changed, f"{url} was refused ({response.status_code}) but changed {sorted(changed)}"


@settings(FUZZ, max_examples=3)
@given(data=st.data())
def test_the_untouched_baselines_are_accepted(db, world, data):
    """The baselines are valid: without this the fuzz test could pass by being refused every time."""
    refused_baselines = []
    for endpoint, baseline in FORMS.items():
        submission = baseline(world, data.draw)
        url = submission.url.format(**submission.path)
        form = {k: (io.BytesIO(v), "bild.jpg") if isinstance(v, bytes) else v for k, v in submission.data.items()}
        response = submission.client.post(url, data=form, headers=submission.headers)
        if refused(submission.client, response):
            refused_baselines.append((endpoint, url, response.status_code))
    assert not refused_baselines


# Query-string names the list pages and filters read, and a few they do not.
QUERY_NAMES = ["page", "q", "kind", "status", "category", "group", "week", "postcode", "action", "next",
               "municipality", "lang"]


@pytest.fixture
def matrix_world(db, factory, login, app):
    world = build_world(db, factory)
    clients = {role: app.test_client() if role == "anonymous" else login(world.people[role]) for role in MATRIX_ROLES}
    gets = {endpoint: (url(world), [role for role, status in expected.items() if status == 200] or ["anonymous"])
            for (endpoint, method), (url, expected) in MATRIX.items() if method == "GET"}
    return clients, gets


@FUZZ
@given(data=st.data())
def test_every_page_json_and_csv_endpoint_survives_hostile_query_strings(db, matrix_world, data):
    """GETs change nothing but the audit log and a TOTP key being set up, whatever the query says."""
    clients, gets = matrix_world
    for endpoint, (url, roles) in sorted(gets.items()):
        client = clients[data.draw(st.sampled_from(roles), label=endpoint)]
        query = data.draw(st.lists(st.tuples(st.one_of(st.sampled_from(QUERY_NAMES), st.text(max_size=8)),
                                             hostile_text()), max_size=4), label="query")
        headers = {"HX-Request": "true"} if data.draw(st.booleans()) else {}
        target = url + "?" + urllib.parse.urlencode(query)
        before, after, _ = check_request(db, client, target, lambda: client.get(target, headers=headers))
        assert changed_tables(before, after) <= {"audit_event", "user"}, target


def stored_text(max_size: int) -> st.SearchStrategy[str]:
    """What a form accepts and stores: stripped, not empty, no NUL."""
    return st.one_of(st.text(min_size=1, max_size=max_size), st.sampled_from(HOSTILE)) \
        .map(lambda s: s.replace("\x00", "").strip()[:max_size]).filter(bool)


@FUZZ
@given(name=stored_text(100), group_name=stored_text(120), text=stored_text(2000))
def test_json_and_csv_exports_carry_hostile_text_exactly_and_never_as_a_formula(
        db, world, login, name, group_name, text):
    person = world.factory.user(Role.RESIDENT, world.own, name=name, phone="+46701234599")
    group = make_group(person, name=group_name, postcodes=["61339"])
    file_observation(db, person, group, description=text, location=text[:300].strip() or "Hamnen")
    client = login(person)

    exported = client.get("/my-data/export.json")
    assert exported.status_code == 200
    data = json.loads(exported.get_data(as_text=True))
    assert data["account"][0]["name"] == name
    assert [g["group"] for g in data["memberships"]] == [group_name]
    assert text in [o["description"] for o in data["observations"]]

    for response, delimiter in ((client.get("/my-data/export.csv"), ","),
                                (world.client("coordinator").get("/coordinator/groups/contacts.csv"), ";")):
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=delimiter))
        cells = [cell for row in rows for cell in row]
        assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
        assert any(name in cell for cell in cells)
