"""Swedish time and week numbers: ISO weeks, Monday to Sunday, in Swedish time.

Observations store their week as text ("2026-W05", `IsoWeek.key`), which sorts in time order.
"""
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app

_WEEK = re.compile(r"\s*(\d{4})-?W(\d{1,2})\s*", re.IGNORECASE)


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def today() -> date:
    """Today in Swedish time."""
    return datetime.now(local_zone()).date()


def day_start(day: date) -> datetime:
    """Midnight at the start of a day in Swedish time, as UTC."""
    return datetime.combine(day, time.min, tzinfo=local_zone()).astimezone(timezone.utc)


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    number: int

    def __post_init__(self):
        date.fromisocalendar(self.year, self.number, 1)  # ValueError for 2025-W53 and the like

    @classmethod
    def parse(cls, text: str | None) -> "IsoWeek | None":
        """"2026-W05" (or "2026W5") → IsoWeek, anything else → None."""
        match = _WEEK.fullmatch(text or "")
        if not match:
            return None
        try:
            return cls(int(match[1]), int(match[2]))
        except ValueError:
            return None

    @classmethod
    def of(cls, moment: datetime) -> "IsoWeek":
        """The week a moment falls in, in Swedish time (Sunday 23:30 is still that week's Sunday)."""
        return cls.of_day(moment.astimezone(local_zone()).date())

    @classmethod
    def of_day(cls, day: date) -> "IsoWeek":
        year, number, _ = day.isocalendar()
        return cls(year, number)

    @property
    def key(self) -> str:
        """The form stored in Observation.observed_week; sorts in time order as text."""
        return f"{self.year}-W{self.number:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def sunday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 7)

    def shift(self, weeks: int) -> "IsoWeek":
        return IsoWeek.of_day(self.monday + timedelta(weeks=weeks))

    def weeks_until(self, last: "IsoWeek") -> int:
        """How many weeks from this one to `last`, both included."""
        return (last.monday - self.monday).days // 7 + 1

    def same_week_last_year(self) -> "IsoWeek":
        """The same week number a year earlier; week 53 compares with week 52 when that year had no 53rd."""
        return IsoWeek(self.year - 1, min(self.number, weeks_in_year(self.year - 1)))

    def __str__(self) -> str:
        return self.key


def weeks_in_year(year: int) -> int:
    """52 or 53: 28 December is always in the last ISO week of its year."""
    return date(year, 12, 28).isocalendar()[1]


@dataclass(frozen=True)
class Period:
    """A run of whole weeks, both ends included: what one lägesbild covers."""

    first: IsoWeek
    last: IsoWeek

    @property
    def length(self) -> int:
        return self.first.weeks_until(self.last)

    @property
    def is_single_week(self) -> bool:
        return self.first == self.last

    @property
    def starts_at(self) -> datetime:
        return day_start(self.first.monday)

    @property
    def ends_at(self) -> datetime:
        """The first moment after the period (next Monday 00:00 Swedish time)."""
        return day_start(self.last.sunday + timedelta(days=1))

    def weeks(self) -> list[IsoWeek]:
        return [self.first.shift(n) for n in range(self.length)]

    def shift(self, weeks: int) -> "Period":
        return Period(self.first.shift(weeks), self.last.shift(weeks))

    def previous(self, count: int) -> list["Period"]:
        """The `count` periods of the same length just before this one, nearest first."""
        return [self.shift(-self.length * n) for n in range(1, count + 1)]

    def last_year(self) -> "Period":
        return Period(self.first.same_week_last_year(), self.last.same_week_last_year())


# ---- the stored form ("2026-W05"), as observations keep their week ----------------------------------

def iso_week(moment: datetime) -> str:
    """The week a moment falls in, in Swedish time, as stored: "2026-W05"."""
    return IsoWeek.of(moment).key


def parse_iso_week(text: str) -> str | None:
    """A valid "YYYY-Www" week (or "2026W5"), normalised, or None."""
    week = IsoWeek.parse(text)
    return week.key if week else None


def week_start(week: str) -> datetime:
    """Monday 00:00 Swedish time of a stored "YYYY-Www" week, as UTC."""
    return day_start(IsoWeek.parse(week).monday)
