"""Alerts: whom an alert reaches, writing it with its deliveries, and what the pages show.

Recipients are worked out by the database in one statement, so composing takes the same
short time for ten contact persons or ten thousand members; the SMS themselves are sent by
background jobs (watch.alerts.sending).
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Select, String, and_, case, cast, delete, exists, false, func, insert, literal, not_, or_, select, true, union_all,
    update,
)
from sqlalchemy.orm import joinedload

from watch.audit import actions
from watch.audit.services import record
from watch.core.languages import LANGUAGE_NAMES
from watch.core.postcodes import format_postcode
from watch.extensions import db
from watch.groups import labels
from watch.messaging import push
from watch.messaging.signals import sms_opted_out, sms_received
from watch.messaging.sms_backends import TEMPORARY_ERROR_CODES
from watch.messaging.sms_encoding import SmsCount
from watch.messaging.sms_encoding import count as count_sms
from watch.models import (
    PENDING_STATUSES, Alert, AlertAudience, AlertChannel, AlertStatus, AlertTarget, AlertVersion, Delivery,
    DeliveryChannel, DeliveryStatus, Group, GroupKind, GroupPostcode, GroupStatus, Membership, MembershipRole,
    MembershipStatus, PhoneVerification, PushMessage, PushStatus, SkipReason, SmsOptOut, SmsReply, User, alert_group,
    utcnow,
)
from watch.models.base import UTCDateTime
from watch.privacy.signals import account_deleting, personal_data_export

PAGE_SIZE = 25
RECIPIENTS_PAGE_SIZE = 50
VALIDITY_HOURS = (1, 4, 10)  # Twilio keeps a message queued for at most 10 hours
PUSH_TITLE = _l("Warning from the police or municipality")
FEED_PATH = "/alerts/feed"  # where residents read their warnings (a push message opens it)
ALERT_LANGUAGE = "sv"  # the author writes the alert in Swedish; other languages are versions of it
VERSION_LANGUAGES = tuple(code for code in LANGUAGE_NAMES if code != ALERT_LANGUAGE)

SKIP_TEXTS = {
    SkipReason.NO_VERIFIED_PHONE: _l("No verified mobile number"),
    SkipReason.OPTED_OUT: _l("Has stopped SMS (STOP)"),
    SkipReason.NO_CHANNEL: _l("Reads warnings in the portal only"),
}
ERROR_TEXTS = {
    "21610": _l("Has stopped SMS from us (STOP)"),
    "21211": _l("Not a valid phone number"),
    "21614": _l("Not a mobile number"),
    "30003": _l("Phone off or out of coverage"),
    "30005": _l("Unknown number, or no longer in use"),
    "30006": _l("Cannot receive SMS (landline or blocked)"),
    "30007": _l("Stopped by the operator's spam filter"),
    "30008": _l("Unknown error at the operator"),
    "20429": _l("The SMS service was busy"),
    "timeout": _l("The SMS service did not answer in time"),
    "connection": _l("Could not reach the SMS service"),
    "expired": _l("Not sent before the alert's time ran out"),
}


def delivery_details(delivery: Delivery) -> str:
    """What to tell the sender about one recipient: why skipped, or what went wrong (with the code)."""
    if delivery.skip_reason:
        return str(SKIP_TEXTS[delivery.skip_reason])
    if delivery.error_code and delivery.status in (DeliveryStatus.FAILED, DeliveryStatus.UNDELIVERED,
                                                   DeliveryStatus.QUEUED):
        text = ERROR_TEXTS.get(delivery.error_code) or (
            _l("The SMS service had a fault") if delivery.error_code.startswith("http_") else _l("Error"))
        return f"{text} ({delivery.error_code})"
    return ""


@dataclass
class Targeting:
    """Whom an alert is for: one municipality, then all of it, one kind, chosen groups or postcodes."""

    municipality_id: int
    target: AlertTarget
    audience: AlertAudience = AlertAudience.CONTACTS
    kind: GroupKind | None = None
    group_ids: list[int] = field(default_factory=list)
    postcodes: list[str] = field(default_factory=list)


def approved_groups(municipality_ids, among: list[int] | None = None) -> list[Group]:
    """The approved groups of these municipalities; only those `among` these ids when given."""
    query = select(Group).where(Group.municipality_id.in_(municipality_ids), Group.status == GroupStatus.APPROVED)
    if among is not None:
        query = query.where(Group.id.in_(among))
    return list(db.session.scalars(query.order_by(Group.name)))


def target_group_ids(targeting: Targeting) -> Select:
    """Approved groups of the chosen municipality that the targeting covers."""
    query = select(Group.id).where(
        Group.municipality_id == targeting.municipality_id, Group.status == GroupStatus.APPROVED
    )
    if targeting.target == AlertTarget.KIND:
        query = query.where(Group.kind == targeting.kind)
    elif targeting.target == AlertTarget.GROUPS:
        query = query.where(Group.id.in_(targeting.group_ids or [-1]))
    elif targeting.target == AlertTarget.POSTCODES:
        query = query.where(Group.id.in_(
            select(GroupPostcode.group_id).where(GroupPostcode.postcode.in_(targeting.postcodes or [""]))
        ))
    return query


def _recipient_user_ids(targeting: Targeting, group_ids: Select) -> Select:
    wanted = Membership.role == MembershipRole.CONTACT
    if targeting.audience == AlertAudience.MEMBERS:
        wanted = or_(wanted, and_(Membership.role == MembershipRole.MEMBER, User.member_alerts == true()))
    return (
        select(Membership.user_id).join(User, User.id == Membership.user_id)
        .where(Membership.group_id.in_(group_ids),
               Membership.status == MembershipStatus.ACTIVE, wanted)
    )


def _verified_phone():
    # Spelled out so no NULL leaks into a CASE (NOT NULL is NULL, not true).
    return and_(User.phone.is_not(None), User.verified_phone.is_not(None), User.verified_phone == User.phone)


def _skip_reason():
    """Why a person in the audience gets nothing, or NULL when they get the alert."""
    opted_out = exists(select(SmsOptOut.phone).where(SmsOptOut.phone == User.phone))
    wants = User.alert_channel
    return case(
        (wants == AlertChannel.NONE, literal(SkipReason.NO_CHANNEL.value)),
        (wants == AlertChannel.EMAIL, literal(None)),
        (not_(_verified_phone()), literal(SkipReason.NO_VERIFIED_PHONE.value)),
        (opted_out, literal(SkipReason.OPTED_OUT.value)),
        else_=literal(None),
    )


def _push_only():
    """People who chose push instead of SMS and have a device with push on: no Delivery row, only push."""
    return and_(User.push_instead_of_sms == true(), push.has_push(User.id))


def recipient_rows(targeting: Targeting, group_ids: Select | None = None) -> Select:
    """One row per person reached by SMS or email, in Delivery's columns: how they get it, or why they are skipped;
    and the language they read.

    `group_ids`: the groups to reach, when already chosen (a stored alert's); else the targeting's.
    """
    groups = target_group_ids(targeting) if group_ids is None else group_ids
    verified, skip_reason = _verified_phone(), _skip_reason()
    wants = User.alert_channel
    return select(
        User.id.label("user_id"),
        case((wants == AlertChannel.EMAIL, literal(DeliveryChannel.EMAIL.value)),
             else_=literal(DeliveryChannel.SMS.value)).label("channel"),
        case((and_(wants == AlertChannel.SMS, verified), User.phone), else_=literal(None)).label("phone"),
        case((skip_reason.is_(None), literal(DeliveryStatus.QUEUED.value)),
             else_=literal(DeliveryStatus.SKIPPED.value)).label("status"),
        skip_reason.label("skip_reason"),
        User.locale.label("locale"),
    ).where(User.id.in_(_recipient_user_ids(targeting, groups)), User.active == true(), not_(_push_only()))


@dataclass
class LanguageReach:
    """Those who get the alert and read one language: by SMS, by email, or by push only."""

    sms: int = 0
    email: int = 0
    push_only: int = 0

    @property
    def reached(self) -> int:
        return self.sms + self.email + self.push_only


@dataclass
class Reach:
    """What the confirm step shows: how many get it and how, who is skipped and why, and what they read."""

    sms: int = 0
    email: int = 0
    skipped: dict[SkipReason, int] = field(default_factory=dict)
    groups: int = 0
    push: int = 0  # people with push on a device: they get it by push too
    push_only: int = 0  # of those, who chose push instead of SMS
    sms_saved: int = 0  # of those, who would otherwise have got an SMS
    languages: dict[str, LanguageReach] = field(default_factory=dict)  # those reached, by the language they read

    @property
    def reached(self) -> int:
        return self.sms + self.email + self.push_only

    @property
    def total(self) -> int:
        return self.reached + sum(self.skipped.values())

    @property
    def other_languages(self) -> dict[str, LanguageReach]:
        """The languages besides Swedish that someone reached reads, in the order of the language list."""
        return {code: self.languages[code] for code in VERSION_LANGUAGES
                if code in self.languages and self.languages[code].reached}


def reach(targeting: Targeting) -> Reach:
    """Three queries whatever the audience: the groups, the recipients by channel, skip and language, and push."""
    rows = recipient_rows(targeting).subquery()
    result = Reach(groups=db.session.scalar(select(func.count()).select_from(target_group_ids(targeting).subquery())))
    for channel, status, reason, locale, number in db.session.execute(
        select(rows.c.channel, rows.c.status, rows.c.skip_reason, rows.c.locale, func.count())
        .group_by(rows.c.channel, rows.c.status, rows.c.skip_reason, rows.c.locale)
    ):
        if status == DeliveryStatus.SKIPPED.value:
            result.skipped[SkipReason(reason)] = result.skipped.get(SkipReason(reason), 0) + number
        elif channel == DeliveryChannel.EMAIL.value:
            result.email += number
            result.languages.setdefault(locale, LanguageReach()).email += number
        else:
            result.sms += number
            result.languages.setdefault(locale, LanguageReach()).sms += number
    push_only = _push_only()
    would_get_sms = and_(push_only, User.alert_channel == AlertChannel.SMS, _skip_reason().is_(None))
    for locale, with_push, only_push, saved in db.session.execute(
        select(User.locale, func.count(case((push.has_push(User.id), 1))), func.count(case((push_only, 1))),
               func.count(case((would_get_sms, 1))))
        .where(User.id.in_(_recipient_user_ids(targeting, target_group_ids(targeting))), User.active == true())
        .group_by(User.locale)
    ):
        result.push += with_push
        result.push_only += only_push
        result.sms_saved += saved
        if only_push:
            result.languages.setdefault(locale, LanguageReach()).push_only += only_push
    return result


@dataclass
class LanguageParts:
    """The SMS of one text of the alert: who gets it by SMS, and its parts (`sms` None: no version in this
    language, so its readers get the Swedish text and are counted there)."""

    language: str
    readers: int
    sms: SmsCount | None

    @property
    def parts(self) -> int:
        return self.readers * self.sms.segments if self.sms else 0


def sms_by_language(reach: Reach, body: str, versions: dict[str, str]) -> list[LanguageParts]:
    """Swedish first, with everyone who has no version in their language; then each other language someone
    reads or a version was written in."""
    others = [code for code in VERSION_LANGUAGES if code in reach.other_languages or code in versions]
    rows = [LanguageParts(code, reach.languages[code].sms if code in reach.languages else 0,
                          count_sms(versions[code]) if code in versions else None) for code in others]
    swedish = reach.sms - sum(row.readers for row in rows if row.sms)
    return [LanguageParts(ALERT_LANGUAGE, swedish, count_sms(body)), *rows]


def languages_read(targeting: Targeting, languages) -> set[str]:
    """Which of these languages someone the alert reaches (by SMS, email or push) reads: one query."""
    reached = and_(User.active == true(), or_(_skip_reason().is_(None), push.has_push(User.id)))
    return set(db.session.scalars(
        select(User.locale).distinct()
        .where(User.id.in_(_recipient_user_ids(targeting, target_group_ids(targeting))), reached,
               User.locale.in_(list(languages)))
    ))


def describe_targeting(targeting: Targeting) -> str:
    """The targeting in words, kept with the alert (group names and postcodes as chosen then)."""
    if targeting.target == AlertTarget.KIND:
        return str(labels.KIND[targeting.kind])
    if targeting.target == AlertTarget.GROUPS:
        names = db.session.scalars(select(Group.name).where(Group.id.in_(targeting.group_ids)).order_by(Group.name))
        return ", ".join(names)[:500]
    if targeting.target == AlertTarget.POSTCODES:
        return ", ".join(map(format_postcode, targeting.postcodes))[:500]
    return ""


def create_alert(author: User, targeting: Targeting, body: str, validity_hours: int,
                 versions: dict[str, str] | None = None) -> Alert:
    """The alert and its targeting, in the caller's transaction: the same few rows for any audience.

    `body` is Swedish; `versions` the same alert in other languages (language code → text), for those who read them.

    The groups it reaches (unless chosen one by one) and its deliveries are written afterwards by the
    dispatch job (`write_deliveries`), in batches.
    """
    now = utcnow()
    alert = Alert(
        municipality_id=targeting.municipality_id, author=author, body=body, target=targeting.target,
        target_kind=targeting.kind, target_postcodes=",".join(targeting.postcodes) or None,
        target_description=describe_targeting(targeting), audience=targeting.audience, status=AlertStatus.DRAFT,
        segments=count_sms(body).segments, validity_seconds=validity_hours * 3600,
        valid_until=now + timedelta(hours=validity_hours), created_at=now,
        versions=[AlertVersion(language=code, body=text) for code, text in sorted((versions or {}).items())],
    )
    db.session.add(alert)
    db.session.flush()
    if targeting.target == AlertTarget.GROUPS:  # as many as the sender ticked
        _write_alert_groups(alert, targeting)
    record(actions.ALERT_SENT, subject=alert, actor=author, target=str(targeting.target),
           audience=str(targeting.audience), groups=alert.target_description,
           **({"versions": ", ".join(v.language for v in alert.versions)} if alert.versions else {}))
    return alert


def anyone_reached(targeting: Targeting) -> bool:
    """Whether anyone would get the alert by SMS, email or push: the first membership found ends the search
    (no de-duplication of people, which would read the whole audience)."""
    first = _recipient_user_ids(targeting, target_group_ids(targeting)).where(
        User.active == true(), or_(_skip_reason().is_(None), push.has_push(User.id))).limit(1)
    return db.session.scalar(first) is not None


def _write_alert_groups(alert: Alert, targeting: Targeting) -> None:
    db.session.execute(insert(alert_group).from_select(
        ["alert_id", "group_id"], select(literal(alert.id), Group.id).where(Group.id.in_(target_group_ids(targeting)))
    ))


def stored_targeting(alert: Alert) -> Targeting:
    """The targeting as the sender chose it (chosen groups are in alert_group already)."""
    return Targeting(alert.municipality_id, alert.target, alert.audience, kind=alert.target_kind,
                     postcodes=alert.target_postcodes.split(",") if alert.target_postcodes else [])


def _reached_groups(alert: Alert) -> tuple[Targeting, Select]:
    groups = select(alert_group.c.group_id).where(alert_group.c.alert_id == alert.id)
    return Targeting(alert.municipality_id, AlertTarget.GROUPS, alert.audience), groups


def _alert_recipients(alert: Alert) -> Select:
    """The recipients of a stored alert by SMS or email: the members of the groups it reached."""
    return recipient_rows(*_reached_groups(alert))


def version_texts(alert: Alert) -> dict[str, str]:
    """The alert's text in each language it has (Swedish, and each version's)."""
    return {ALERT_LANGUAGE: alert.body, **{version.language: version.body for version in alert.versions}}


def _queue_push(alert: Alert) -> None:
    """Everyone the alert reaches who has push on a device gets it by push too (their own channel), in their
    language's version, else in Swedish."""
    people = select(User.id).where(User.id.in_(_recipient_user_ids(*_reached_groups(alert))), User.active == true())
    push.queue_for_people(people, title=PUSH_TITLE, body=alert.body, body_by_locale=version_texts(alert),
                          link=f"{FEED_PATH}#alert-{alert.id}", valid_until=alert.valid_until, alert_id=alert.id)


def write_deliveries(alert: Alert, batch_size: int) -> bool:
    """Write the next `batch_size` of the alert's deliveries (in user order); True once all are written.

    Each call continues after the highest person written, so a job that died half-way, or runs
    again, neither skips nor repeats anyone. The first call writes the groups the alert reaches (in the
    same transaction as the count, so a re-run knows) and counts the recipients for the progress bar.
    """
    rows = _alert_recipients(alert).subquery()
    if alert.recipient_count is None:
        if alert.target != AlertTarget.GROUPS:
            _write_alert_groups(alert, stored_targeting(alert))
        _queue_push(alert)  # in the same transaction as the count, so a re-run does not push twice
        alert.recipient_count = db.session.scalar(select(func.count()).select_from(rows))
    written_through = select(func.coalesce(func.max(Delivery.user_id), 0)).where(Delivery.alert_id == alert.id)
    stamp = literal(utcnow(), UTCDateTime)
    # Each recipient gets the version in their language if the alert has one, else the Swedish text.
    has_version = exists(select(AlertVersion.id).where(AlertVersion.alert_id == alert.id,
                                                        AlertVersion.language == rows.c.locale))
    language = case((has_version, rows.c.locale), else_=literal(ALERT_LANGUAGE))
    batch = (
        select(literal(alert.id), rows.c.user_id, rows.c.channel, rows.c.phone, rows.c.status, rows.c.skip_reason,
               language, literal(0), false(), stamp, stamp)
        .where(rows.c.user_id > written_through.scalar_subquery()).order_by(rows.c.user_id).limit(batch_size)
    )
    # preserve_rowcount: without it SQLAlchemy's psycopg dialect reports -1 for an INSERT … SELECT.
    written = db.session.execute(insert(Delivery).from_select(
        ["alert_id", "user_id", "channel", "phone", "status", "skip_reason", "language", "attempts",
         "outcome_unknown", "next_attempt_at", "updated_at"], batch,
    ).execution_options(preserve_rowcount=True)).rowcount
    if written == batch_size:
        return False
    # People who left or joined between the count and the last batch: the list is the truth.
    alert.recipient_count = db.session.scalar(select(func.count()).where(Delivery.alert_id == alert.id))
    alert.deliveries_written = True
    return True


def write_all_deliveries(alert: Alert, batch_size: int = 5000) -> None:
    """Every delivery in the caller's transaction (the demo's sent alert, which no job sends)."""
    while not write_deliveries(alert, batch_size):
        pass


# ---- what the pages show -------------------------------------------------------------------

def alerts_for_staff_query(municipality_ids) -> Select:
    return (
        select(Alert).options(joinedload(Alert.author), joinedload(Alert.municipality))
        .where(Alert.municipality_id.in_(municipality_ids)).order_by(Alert.created_at.desc(), Alert.id.desc())
    )


def alert_feed_query(user: User) -> Select:
    """Alerts that reached any group this person is an active member or contact person of."""
    my_groups = select(Membership.group_id).where(
        Membership.user_id == user.id, Membership.status == MembershipStatus.ACTIVE
    )
    return (
        select(Alert).options(joinedload(Alert.municipality))
        .where(Alert.id.in_(select(alert_group.c.alert_id).where(alert_group.c.group_id.in_(my_groups))))
        .order_by(Alert.created_at.desc(), Alert.id.desc())
    )


def feed_texts(alerts: list[Alert], locale: str) -> dict[int, AlertVersion]:
    """The versions in the reader's language of these alerts, by alert id: one query for a page of the feed."""
    if locale == ALERT_LANGUAGE or not alerts:
        return {}
    return {version.alert_id: version for version in db.session.scalars(
        select(AlertVersion).where(AlertVersion.alert_id.in_([a.id for a in alerts]), AlertVersion.language == locale))}


def alert_with_context(alert_id: int) -> Alert | None:
    return db.session.scalars(
        select(Alert).options(joinedload(Alert.author), joinedload(Alert.municipality), joinedload(Alert.versions))
        .where(Alert.id == alert_id)
    ).unique().first()


RECEIPT_WAIT = timedelta(minutes=15)  # after this, a missing delivery receipt is not worth waiting for


@dataclass
class LanguageReport:
    """An alert's deliveries in one language: how many were for people it reached, and how many got there."""

    language: str
    reached: int = 0  # not skipped
    delivered: int = 0  # delivered, or sent by email
    failed: int = 0


@dataclass
class Progress:
    counts: dict[DeliveryStatus, int]
    alert_status: AlertStatus
    sent_at: datetime | None = None
    awaiting_receipts: int = 0  # SMS the provider took whose delivery receipt has not come yet
    unwritten: int = 0  # recipients counted whose delivery the dispatch job has not written yet
    push: dict[PushStatus, int] = field(default_factory=dict)  # push messages by status (not in the counts above)
    by_language: list[LanguageReport] = field(default_factory=list)  # the deliveries, by the language sent in

    @property
    def total(self) -> int:
        return sum(self.counts.values()) + self.unwritten

    @property
    def pending(self) -> int:
        return sum(self.counts.get(s, 0) for s in PENDING_STATUSES) + self.unwritten

    @property
    def handled(self) -> int:
        return self.total - self.pending

    @property
    def percent(self) -> int:
        return 100 if not self.total else (100 * self.handled) // self.total

    @property
    def done(self) -> bool:
        return self.alert_status != AlertStatus.DRAFT and self.pending == 0

    @property
    def keep_polling(self) -> bool:
        """Still sending, or sent a short while ago and delivery receipts are still coming in."""
        if not self.done:
            return True
        return bool(self.awaiting_receipts) and self.sent_at is not None and utcnow() - self.sent_at < RECEIPT_WAIT


PUSH = "push"  # push messages' rows in progress()'s one query, beside the deliveries' channels


def progress(alert: Alert) -> Progress:
    """The deliveries' counts by status (and by language), and the push messages' (their own channel), in one
    query."""
    counts = {status: 0 for status in DeliveryStatus}
    pushes: dict[PushStatus, int] = {}
    languages: dict[str, LanguageReport] = {}
    awaiting = 0
    as_text = String(20)
    for channel, status, language, number in db.session.execute(union_all(
        select(cast(Delivery.channel, as_text), cast(Delivery.status, as_text), Delivery.language, func.count())
        .where(Delivery.alert_id == alert.id).group_by(Delivery.channel, Delivery.status, Delivery.language),
        select(literal(PUSH, as_text), cast(PushMessage.status, as_text), literal(None, String(5)), func.count())
        .where(PushMessage.alert_id == alert.id).group_by(PushMessage.status),
    )):
        if channel == PUSH:
            pushes[PushStatus(status)] = number
            continue
        counts[DeliveryStatus(status)] += number
        if channel == DeliveryChannel.SMS and status == DeliveryStatus.SENT:
            awaiting += number
        if status != DeliveryStatus.SKIPPED:
            report = languages.setdefault(language, LanguageReport(language))
            report.reached += number
            emailed = channel == DeliveryChannel.EMAIL and status == DeliveryStatus.SENT
            if status == DeliveryStatus.DELIVERED or emailed:
                report.delivered += number
            elif status in (DeliveryStatus.FAILED, DeliveryStatus.UNDELIVERED):
                report.failed += number
    unwritten = 0 if alert.deliveries_written else max((alert.recipient_count or 0) - sum(counts.values()), 0)
    order = list(LANGUAGE_NAMES)
    by_language = sorted(languages.values(),
                         key=lambda r: order.index(r.language) if r.language in order else len(order))
    return Progress(counts, alert.status, alert.sent_at, awaiting, unwritten, pushes, by_language)


def recipients_query(alert: Alert) -> Select:
    return select(Delivery).options(joinedload(Delivery.user)).where(Delivery.alert_id == alert.id).order_by(Delivery.id)


RETRYABLE = and_(
    Delivery.status.in_([DeliveryStatus.FAILED, DeliveryStatus.UNDELIVERED]),
    Delivery.channel == DeliveryChannel.SMS,
    Delivery.error_code.in_(sorted(TEMPORARY_ERROR_CODES)) | Delivery.error_code.like("http_5%"),
)


def retryable_count(alert: Alert) -> int:
    return db.session.scalar(select(func.count()).where(Delivery.alert_id == alert.id, RETRYABLE))


def retry_failed(alert: Alert) -> int:
    """Queue again the deliveries that failed for a passing reason, with a fresh validity period."""
    now = utcnow()
    alert.valid_until = now + timedelta(seconds=alert.validity_seconds)
    alert.status = AlertStatus.SENDING
    result = db.session.execute(
        Delivery.__table__.update()
        .where(Delivery.alert_id == alert.id, RETRYABLE)
        .values(status=DeliveryStatus.QUEUED.value, next_attempt_at=now, claimed_at=None, updated_at=now)
    )
    return result.rowcount


def replies_for(alert: Alert) -> list[SmsReply]:
    return list(db.session.scalars(
        select(SmsReply).options(joinedload(SmsReply.user)).where(SmsReply.alert_id == alert.id)
        .order_by(SmsReply.received_at.desc()).limit(100)
    ))


# ---- what the channel layer reports ---------------------------------------------------------------

REPLY_WINDOW = timedelta(hours=24)  # an SMS later than this after an alert is not read as a reply to it


@sms_received.connect
def link_reply_to_alert(reply: SmsReply, **extra) -> bool:
    """An SMS within 24 hours of an alert sent to that number answers it: the alert's page shows it to
    everyone who may see the alert, and the SMS belongs to the inbox of the alert's municipality."""
    latest = db.session.execute(
        select(Delivery.alert_id, Delivery.user_id, Alert.municipality_id).join(Alert, Alert.id == Delivery.alert_id)
        .where(Delivery.phone == reply.phone, Delivery.provider_sid.is_not(None),
               Delivery.sent_at >= reply.received_at - REPLY_WINDOW)
        .order_by(Delivery.sent_at.desc(), Delivery.id.desc()).limit(1)
    ).first()
    if latest is None:
        return False
    reply.alert_id, reply.municipality_id = latest.alert_id, latest.municipality_id
    reply.user_id = reply.user_id or latest.user_id
    return True


@sms_opted_out.connect
def skip_queued_sms(phone: str, **extra) -> None:
    """Queued SMS to a number that opted out are skipped now rather than at send time."""
    db.session.execute(
        update(Delivery)
        .where(Delivery.phone == phone, Delivery.channel == DeliveryChannel.SMS,
               Delivery.status == DeliveryStatus.QUEUED)
        .values(status=DeliveryStatus.SKIPPED, skip_reason=SkipReason.OPTED_OUT, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


# ---- my data ----------------------------------------------------------------------------------------

@personal_data_export.connect
def export_alert_data(user: User, **extra) -> dict[str, list[dict]]:
    """How they get alerts, the alerts that reached them and their SMS replies; nothing of anyone else."""
    opt_out = db.session.get(SmsOptOut, user.phone) if user.phone else None
    received = db.session.execute(
        select(Delivery, Alert, AlertVersion.body).join(Alert, Delivery.alert_id == Alert.id)
        .outerjoin(AlertVersion, and_(AlertVersion.alert_id == Alert.id, AlertVersion.language == Delivery.language))
        .where(Delivery.user_id == user.id).order_by(Alert.created_at))
    replies = db.session.scalars(select(SmsReply).where(SmsReply.user_id == user.id).order_by(SmsReply.received_at))
    return {
        "alert_settings": [{
            "channel": str(user.alert_channel), "also_as_member": user.member_alerts,
            "verified_phone": user.verified_phone, "phone_verified_at": user.phone_verified_at,
            "sms_stopped_at": opt_out.created_at if opt_out else None,
        }],
        "alerts_received": [{
            "alert_at": alert.created_at, "text": version_body or alert.body, "language": delivery.language,
            "channel": str(delivery.channel), "to": delivery.phone, "status": str(delivery.status),
            "sent_at": delivery.sent_at,
        } for delivery, alert, version_body in received],
        "sms_replies": [{"received_at": r.received_at, "from": r.phone, "text": r.body} for r in replies],
    }


@account_deleting.connect
def forget_alert_recipient(user: User, **extra) -> None:
    """Unsent deliveries go; sent ones stay in the alert's counts without name or number; replies and codes go."""
    db.session.execute(delete(Delivery).where(Delivery.user_id == user.id, Delivery.status == DeliveryStatus.QUEUED))
    db.session.execute(update(Delivery).where(Delivery.user_id == user.id).values(user_id=None, phone=None))
    db.session.execute(delete(SmsReply).where(SmsReply.user_id == user.id))
    db.session.execute(delete(PhoneVerification).where(PhoneVerification.user_id == user.id))
