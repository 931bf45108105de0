"""Geometry of the lägesbild's bar chart, drawn as SVG by templates/lagesbild/_chart.html.

Sized for a 390 px phone: the viewBox is about as wide as the screen, so 14-unit text stays 14 px.
"""
from dataclasses import dataclass
from typing import Any

WIDTH = 340
VALUE_ROOM = 72  # right of the longest bar, for its number or "average 12.5"
ROW_HEIGHT = 62
LABEL_Y = 16
BAR_Y, BAR_HEIGHT = 24, 16
AVERAGE_Y, AVERAGE_HEIGHT = 44, 10


@dataclass(frozen=True)
class Bar:
    key: str
    count: int
    average: float
    top: int
    count_width: float
    average_width: float

    @property
    def label_y(self) -> int:
        return self.top + LABEL_Y

    @property
    def bar_y(self) -> int:
        return self.top + BAR_Y

    @property
    def average_y(self) -> int:
        return self.top + AVERAGE_Y


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int = WIDTH
    bar_height: int = BAR_HEIGHT
    average_height: int = AVERAGE_HEIGHT

    @property
    def height(self) -> int:
        return len(self.bars) * ROW_HEIGHT


def category_chart(rows: list[dict[str, Any]]) -> BarChart:
    """One row per category: a filled bar for the period and a thin outlined one for the earlier average."""
    largest = max([1, *(r["count"] for r in rows), *(r["previous_average"] for r in rows)])
    scale = (WIDTH - VALUE_ROOM) / largest
    return BarChart([
        Bar(key=r["key"], count=r["count"], average=r["previous_average"], top=index * ROW_HEIGHT,
            count_width=round(r["count"] * scale, 1), average_width=round(r["previous_average"] * scale, 1))
        for index, r in enumerate(rows)
    ])
