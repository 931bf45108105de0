"""Observations placed in chosen Swedish weeks, for the lägesbild tests (unit and browser)."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from tests.observation_support import file_observation
from watch.core.weeks import IsoWeek
from watch.models import ObservationCategory

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def moment_in(week: str, weekday: int = 3, hour: int = 21) -> datetime:
    """A Swedish-time moment on a weekday (1 = Monday) of a "YYYY-Www" week."""
    day = IsoWeek.parse(week).monday + timedelta(days=weekday - 1)
    return datetime.combine(day, time(hour), tzinfo=STOCKHOLM)


def observe(db, reporter, group, week: str, category=ObservationCategory.BURGLARY, count: int = 1, **fields):
    """`count` observations filed through the real service, so observed_week is computed as in production."""
    fields.setdefault("observed_at", moment_in(week))
    return [file_observation(db, reporter, group, category=category, **fields) for _ in range(count)]
