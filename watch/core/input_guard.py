"""Input that no form here can make sense of is refused before any view runs: a 400 page, never a 500.

- NUL characters in the path, the query or a form: no keyboard types them and PostgreSQL cannot store them.
- JSON bodies: every POST here is an HTML form, and Flask-WTF would read a JSON body's numbers,
  lists and nulls into fields that expect text.
- Uploaded files, except in the fields a view declares with `@accepts_files("photo")`: a file sent
  in a text field would reach the form as an object that is not text.
- A view that takes text no person typed and cleans it itself (Twilio's inbound SMS, `@cleans_own_text`)
  gets NUL characters in its form's values rather than a 400: an odd SMS is still kept.
- `<int:...>` in URLs stops at PostgreSQL's integer range: a larger id names no row (and overflows SQLite).
"""
from flask import Flask, abort, current_app, request
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter

DATABASE_INT_MAX = 2**31 - 1


class DatabaseIdConverter(IntegerConverter):
    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", DATABASE_INT_MAX)
        super().__init__(map, *args, **kwargs)


def accepts_files(*fields: str):
    """Put under the route decorator of a view that takes uploads in these form fields."""

    def decorator(view):
        view.accepted_files = frozenset(fields)
        return view

    return decorator


def cleans_own_text(view):
    """Put under the route decorator of a view that strips control characters from its form itself."""
    view.cleans_own_text = True
    return view


def id_arg(name: str) -> int | None:
    """A row id from the query string: None when not given, a 404 when it cannot name a row."""
    value = request.args.get(name, "")
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and int(value) <= DATABASE_INT_MAX):
        abort(404)
    return int(value)


def _malformed(values: MultiDict, *, nul_in_values: bool = False) -> bool:
    """A NUL anywhere (in values only if they may have one), or a part whose name could not be read
    (multipart headers with line breaks)."""
    return any(key is None or "\x00" in key or (not nul_in_values and "\x00" in (value or ""))
               for key, value in values.items(multi=True))


def refuse_malformed_input() -> None:
    posted = request.method == "POST"
    if posted and request.is_json:
        abort(400)
    view = current_app.view_functions.get(request.endpoint)
    own_text = getattr(view, "cleans_own_text", False)
    if "\x00" in request.path or _malformed(request.args) or (
            posted and _malformed(request.form, nul_in_values=own_text)):
        abort(400)
    if posted and request.files:
        if set(request.files) - getattr(view, "accepted_files", frozenset()):
            abort(400)


def init_app(app: Flask) -> None:
    """Before the blueprints register: their rules are compiled with the converter in place."""
    app.url_map.converters["int"] = DatabaseIdConverter
    app.before_request(refuse_malformed_input)
