"""Static files cached for a year: every static URL carries a hash of the file (`?v=...`).

A changed file gets a new URL, so browsers and the load balancer may keep the old one as long as
they like: a returning visitor's page costs one request, not one plus a revalidation per file.
Without a matching `v` (an old page's URL, or none) the file is served as before, to be revalidated.
"""
import hashlib
import os

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface

A_YEAR = 365 * 24 * 3600


class SessionInterface(SecureCookieSessionInterface):
    """Flask-Login looks at the session after every request, which would add `Vary: Cookie` to static
    files too, so that a shared cache keeps one copy per visitor. A static file never changes the
    session, so its response leaves the session cookie alone."""

    def save_session(self, app, session, response):
        if not is_static_request():
            super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    hashes: dict[tuple[str, float], str] = {}

    def version(filename: str) -> str | None:
        path = os.path.join(app.static_folder, filename)
        try:
            key = (filename, os.stat(path).st_mtime)  # an edited file gets a new hash at once, also in development
        except OSError:
            return None
        if key not in hashes:
            with open(path, "rb") as file:
                hashes[key] = hashlib.sha256(file.read()).hexdigest()[:12]
        return hashes[key]

    @app.url_defaults
    def add_version(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values and (v := version(values["filename"])):
            values["v"] = v

    @app.after_request
    def cache_versioned(response):
        if (request.endpoint == "static" and response.status_code == 200
                and request.args.get("v") == version(request.view_args["filename"])):
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = A_YEAR
            response.cache_control.immutable = True
        return response


def is_static_request() -> bool:
    """Static files carry no personal data and are the same for everyone: no per-person headers."""
    return request.endpoint == "static"
