"""Who hears what happens to observations: through messaging's `notify`, in each person's language and channel.

- The reporter, when their observation changes state or gets a note: what happened and a link, never its text.
- The police of the municipality, when observations are forwarded. A forward schedules a job a few minutes
  ahead; the job claims every forward not yet announced (`Observation.police_notified_at`) and tells each
  officer once, with the count. Ten forwards in a few minutes make one message; the jobs of the other nine
  find nothing left to claim, on any number of workers. A periodic sweep catches forwards whose job was lost.
- Coordinators, of new observations and new SMS in the inbox, as they chose on the inbox page
  (`User.coordinator_notices`): each one, one summary every morning, or nothing.

Links are paths built without a request (jobs have none); `notify` puts PUBLIC_URL in front.
"""
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from huey import crontab
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import selectinload

from watch.auth.services import active_coordinators
from watch.extensions import db
from watch.jobs import app_periodic_task, app_task
from watch.messaging.notify import notify
from watch.models import (
    Municipality, NoticeChoice, Observation, ObservationStatus, Role, SummaryItem, SummaryItemKind, User, utcnow,
)

# Inbox SMS counted by the daily summary are kept this long, then deleted.
SUMMARY_ITEM_DAYS = 2


def link_to(endpoint: str, **values) -> str:
    """The path of a page, for a message: built from the URL map, so it works in a job as in a request."""
    adapter = current_app.url_map.bind("localhost", script_name=current_app.config["APPLICATION_ROOT"])
    return adapter.build(endpoint, values)


# ---- the reporter -------------------------------------------------------------------------------------

def tell_reporter(observation: Observation, *, status_changed: bool, note_added: bool, by: User) -> None:
    """The coordinator moved the observation on or wrote the reporter a note: tell the reporter, once."""
    reporter = observation.reporter
    if reporter is None or not reporter.active or reporter.id == by.id or not (status_changed or note_added):
        return
    notify(reporter, "observations/email/reporter_update.txt",
           link_to("observations.detail", observation_id=observation.id),
           observation=observation, status_changed=status_changed, note_added=note_added)


# ---- the police ---------------------------------------------------------------------------------------

def forwarded(observation: Observation) -> None:
    """Announce this forward to the police in a few minutes, with whatever else was forwarded meanwhile."""
    announce_forwards.schedule(delay=current_app.config["POLICE_NOTICE_DELAY_SECONDS"])


def police_of(municipality_ids: set[int]) -> list[User]:
    """Active police whose municipality_ids() meet these: their home municipality, or one they cover."""
    municipality_ids = sorted(municipality_ids)
    return list(db.session.scalars(
        select(User)
        .where(User.role == Role.POLICE, User.active.is_(True),
               or_(User.municipality_id.in_(municipality_ids),
                   User.covered_municipalities.any(Municipality.id.in_(municipality_ids))))
        .options(selectinload(User.covered_municipalities))
        .order_by(User.id)
    ))


def tell_police_of_forwards(now: datetime, *, forwarded_before: datetime | None = None) -> int:
    """Claim the forwards nobody announced yet and tell each officer concerned in one message.

    The claim is one UPDATE ... RETURNING: of two jobs at the same moment, the second waits for the first's
    rows and then finds them claimed. Returns how many forwards were announced.
    """
    claim = (update(Observation)
             .where(Observation.status == ObservationStatus.FORWARDED, Observation.police_notified_at.is_(None))
             .values(police_notified_at=now)
             .returning(Observation.municipality_id)
             .execution_options(synchronize_session=False))
    if forwarded_before is not None:
        claim = claim.where(Observation.status_changed_at <= forwarded_before)
    counts = Counter(db.session.scalars(claim).all())
    if not counts:
        return 0
    names = dict(db.session.execute(
        select(Municipality.id, Municipality.name).where(Municipality.id.in_(list(counts)))).all())
    link = link_to("observations.police_inbox")
    for officer in police_of(set(counts)):
        theirs = sorted((names[m], n) for m, n in counts.items() if m in officer.municipality_ids())
        notify(officer, "observations/email/forwarded_to_police.txt", link,
               total=sum(n for _, n in theirs), municipalities=theirs)
    return sum(counts.values())


@app_task(retries=3, retry_delay=60)
def announce_forwards() -> None:
    tell_police_of_forwards(utcnow())


@app_periodic_task(crontab(minute="*/10"))
def announce_forgotten_forwards() -> None:
    """A safety net: a forward whose job was lost (a wiped queue) is announced at most ten minutes late."""
    now = utcnow()
    delay = timedelta(seconds=current_app.config["POLICE_NOTICE_DELAY_SECONDS"])
    tell_police_of_forwards(now, forwarded_before=now - delay)


# ---- coordinators -------------------------------------------------------------------------------------

def coordinators_choosing(municipality_id: int, choice: NoticeChoice) -> list[User]:
    return list(db.session.scalars(
        active_coordinators(municipality_id).where(User.coordinator_notices == choice).order_by(User.id)))


def notify_coordinators(observation: Observation) -> None:
    """Tell the coordinators who want each one of a new observation: what it is and a link, the details stay in
    the portal. The daily summary counts it from the observation table."""
    link = link_to("observations.detail", observation_id=observation.id)
    for coordinator in coordinators_choosing(observation.municipality_id, NoticeChoice.EACH):
        if coordinator.id != observation.reporter_id:
            notify(coordinator, "observations/email/new_observation.txt", link, observation=observation)


def notify_coordinators_of_inbox_sms(municipality_id: int, link: str) -> None:
    """An SMS has landed in this municipality's inbox (`link`: the inbox page's path).

    Coordinators who want each one hear that an SMS came (never who sent it or what it says); the next
    daily summary counts it. Call it in the transaction that stores the SMS: the messages leave after its commit.
    """
    db.session.add(SummaryItem(municipality_id=municipality_id, kind=SummaryItemKind.INBOX_SMS))
    for coordinator in coordinators_choosing(municipality_id, NoticeChoice.EACH):
        notify(coordinator, "observations/email/new_inbox_sms.txt", link)


def set_notice_choice(user: User, choice: NoticeChoice) -> None:
    if choice == NoticeChoice.DAILY and user.coordinator_notices != NoticeChoice.DAILY:
        user.daily_summary_sent_at = utcnow()  # the first summary is the next morning's, not one at once
    user.coordinator_notices = choice


def summary_due(now: datetime) -> datetime:
    """The latest DAILY_SUMMARY_HOUR o'clock in Swedish time at or before now, as an aware datetime."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    local = now.astimezone(zone)
    due = local.replace(hour=current_app.config["DAILY_SUMMARY_HOUR"], minute=0, second=0, microsecond=0)
    return due if due <= local else due - timedelta(days=1)  # wall-clock days: right across DST changes


def send_daily_summaries(now: datetime) -> int:
    """Send each coordinator who chose the daily summary one message with the counts of the day up to this
    morning's summary hour; nothing on a quiet day. Returns how many summaries went.

    Run every hour: the first run after the summary hour sends (a worker down at 07:00 sends at 08:00).
    Each coordinator is claimed with one UPDATE ... RETURNING on daily_summary_sent_at, so workers that run
    it at the same moment send each summary once.
    """
    due = summary_due(now)
    start = due - timedelta(days=1)
    claimed = db.session.scalars(
        update(User)
        .where(User.role == Role.COORDINATOR, User.active.is_(True), User.coordinator_notices == NoticeChoice.DAILY,
               or_(User.daily_summary_sent_at.is_(None), User.daily_summary_sent_at < due))
        .values(daily_summary_sent_at=now)
        .returning(User.id)
        .execution_options(synchronize_session=False)
    ).all()
    sent = 0
    if claimed:
        by_category: dict[int, Counter] = defaultdict(Counter)
        for municipality_id, category, count in db.session.execute(
                select(Observation.municipality_id, Observation.category, func.count())
                .where(Observation.created_at >= start, Observation.created_at < due)
                .group_by(Observation.municipality_id, Observation.category)):
            by_category[municipality_id][category] += count
        sms = dict(db.session.execute(
            select(SummaryItem.municipality_id, func.count())
            .where(SummaryItem.kind == SummaryItemKind.INBOX_SMS, SummaryItem.created_at >= start,
                   SummaryItem.created_at < due)
            .group_by(SummaryItem.municipality_id)).all())
        link = link_to("observations.inbox")
        for coordinator in db.session.scalars(select(User).where(User.id.in_(claimed)).order_by(User.id)):
            categories = Counter()
            for municipality_id in coordinator.municipality_ids():
                categories.update(by_category.get(municipality_id, {}))
            texts = sum(sms.get(municipality_id, 0) for municipality_id in coordinator.municipality_ids())
            observations = sum(categories.values())
            if observations or texts:
                notify(coordinator, "observations/email/daily_summary.txt", link, start=start, end=due,
                       observations=observations, categories=categories.most_common(), texts=texts)
                sent += 1
    db.session.execute(delete(SummaryItem).where(SummaryItem.created_at < now - timedelta(days=SUMMARY_ITEM_DAYS)))
    return sent


@app_periodic_task(crontab(minute="0"))
def daily_summaries() -> None:
    send_daily_summaries(utcnow())
