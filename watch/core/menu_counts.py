"""The menu's counts (groups waiting for a decision, new observations, new SMS) in one query per request.

Each feature registers, under a name, a function that gives the count select for the person logged in, or
None where that count is not theirs to see. The first count a page shows runs every one that applies to
this person as one SELECT of scalar subqueries; the rest of the request reads them from `g`.
"""
from collections.abc import Callable

from flask import g
from flask_login import current_user
from sqlalchemy import Select, select

from watch.extensions import db

_COUNTS: dict[str, Callable[..., Select | None]] = {}


def register(name: str, count_select: Callable[..., Select | None]) -> None:
    _COUNTS[name] = count_select


def menu_count(name: str) -> int:
    if "menu_counts" not in g:
        g.menu_counts = _count_all()
    return g.menu_counts.get(name, 0)


def _count_all() -> dict[str, int]:
    if not current_user.is_authenticated:
        return {}
    selects = {name: count(current_user) for name, count in _COUNTS.items()}
    columns = [query.scalar_subquery().label(name) for name, query in selects.items() if query is not None]
    if not columns:
        return {}
    return {name: value or 0 for name, value in db.session.execute(select(*columns)).one()._mapping.items()}
