"""Friendly, translated error pages for every HTTP error and for unexpected exceptions, and the error
whose message people read."""
from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from watch.extensions import db

MESSAGES = {
    400: (_l("Something in the request was wrong"), _l("Go back, reload the page and try again.")),
    403: (_l("You do not have access to this page"), _l("Your account does not have the role this page needs.")),
    404: (_l("Page not found"), _l("The page may have moved, or the address is mistyped.")),
    405: (_l("That does not work here"), _l("Go back and use the buttons on the page.")),
    413: (_l("The file is too large"), _l("Choose a smaller file (at most 8 MB) and try again.")),
    429: (_l("Too many attempts"), _l("Wait a while and try again.")),
    500: (_l("Something went wrong on our side"), _l("Nothing you entered is lost. Try again in a while.")),
}


class ExplainedError(ValueError):
    """Input or a step the rules refuse; `message` tells the person why, in their language."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def render_error(code: int, detail: str | None = None):
    title, hint = MESSAGES.get(code) or MESSAGES[400 if code < 500 else 500]
    return render_template("errors/error.html", code=code, title=title, hint=detail or hint), code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, _l("The form had expired. Reload the page and send it again."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("unhandled error")
        db.session.rollback()
        return render_error(500)
