"""Paginated lists: every list page shows one page of rows and runs a fixed number of queries."""
from flask import request, url_for
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from watch.extensions import db

PER_PAGE = 20
# No list here is this long; a larger ?page= would overflow the database's OFFSET.
MAX_PAGE = 100_000


def paginate(query: Select, per_page: int = PER_PAGE) -> Pagination:
    """The page the request asks for (?page=n); past the end gives an empty page, not an error."""
    page = min(request.args.get("page", 1, type=int), MAX_PAGE)
    return db.paginate(query, page=page, per_page=per_page, max_per_page=per_page, error_out=False)


def page_url(number: int, **changes) -> str:
    """This page's address with the same filters and another page number; `changes` set other query
    arguments (None leaves one out)."""
    args = {**(request.view_args or {}), **request.args.to_dict(), "page": number, **changes}
    return url_for(request.endpoint, **args)


def enum_arg(enum_class, name: str):
    """A filter from the query string (?kind=boat) as its enum member; unknown or empty means no filter."""
    value = request.args.get(name)
    return enum_class(value) if value in set(enum_class) else None
