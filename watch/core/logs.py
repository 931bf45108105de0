"""Production logs: one JSON object per line, each with the request it belongs to, personal data masked.

gunicorn (deploy/gunicorn.conf.py) and `flask jobs worker` set logging up with `dict_config()`.
Every request gets an id: the one a trusted proxy sent in X-Request-ID, or a new one. It is in the
response header, in the access log line and in every log line written while the request runs, so one
request can be followed from the load balancer through the app's log lines.
"""
import json
import logging
import re
import uuid
from collections.abc import Mapping
from datetime import datetime, timezone

from flask import Flask, current_app, g, has_request_context, request

from watch.core.redact import RedactingFilter, redact

REQUEST_ID_HEADER = "X-Request-ID"
# Only ids that cannot smuggle anything into a log line or header are taken from a proxy.
_USABLE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")

# gunicorn's access-log atoms (https://docs.gunicorn.org/en/stable/settings.html#access-log-format)
# written as separate JSON fields.
ACCESS_FIELDS = {
    "remote": "h", "method": "m", "path": "U", "query": "q", "status": "s", "bytes": "B",
    "duration_ms": "M", "user_agent": "a", "request_id": "{x-request-id}o",
}
# The same, readable, as the access record's "message" (and the whole line with LOG_FORMAT=text).
ACCESS_LOG_FORMAT = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms %({x-request-id}o)s'


def init_app(app: Flask) -> None:
    @app.before_request
    def assign_request_id():
        g.request_id = request_id(request.headers.get(REQUEST_ID_HEADER, ""), current_app.config["TRUSTED_PROXY_HOPS"])

    @app.after_request
    def send_request_id(response):
        if "request_id" in g:
            response.headers[REQUEST_ID_HEADER] = g.request_id
        return response


def request_id(offered: str, trusted_proxy_hops: int) -> str:
    """The id offered by a load balancer, which ties its log to ours (from a client directly it would
    only be noise), else a new one."""
    return offered if trusted_proxy_hops and _USABLE_REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex


class JsonLines(logging.Formatter):
    """A record as one line of JSON: time (UTC), level, logger, message, request_id, exception.

    Newlines in messages and tracebacks stay inside JSON strings, so a log collector never splits
    one record in two. gunicorn's access records also get their fields one by one (ACCESS_FIELDS).
    """

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        if record.name == "gunicorn.access" and isinstance(record.args, Mapping):
            entry.update(_access_fields(record.args))
        elif has_request_context() and "request_id" in g:
            entry["request_id"] = g.request_id
        entry["message"] = redact(record.getMessage())
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = redact(record.exc_text)
        return json.dumps(entry, ensure_ascii=False)


def _access_fields(atoms: Mapping) -> dict:
    fields = {name: atoms[atom] for name, atom in ACCESS_FIELDS.items()}
    fields["path"], fields["query"] = redact(fields["path"] or ""), redact(fields["query"] or "")
    fields["user_agent"] = str(fields["user_agent"])[:200]
    for name in ("status", "bytes", "duration_ms"):
        fields[name] = int(fields[name]) if str(fields[name]).isdigit() else None
    if fields["request_id"] == "-":  # gunicorn's word for a header that was not there
        fields["request_id"] = None
    return fields


def dict_config(log_format: str = "json", level: str = "INFO") -> dict:
    """A logging.config.dictConfig for gunicorn and the job workers: everything to stderr, access lines
    to stdout, in `log_format` "json" (JsonLines) or "text"; phone numbers and emails masked either way."""
    formatter = {"()": JsonLines} if log_format == "json" else {
        "format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    handler = {"class": "logging.StreamHandler", "formatter": "main", "filters": ["redact"]}
    # JsonLines masks access lines itself: the redacting filter would flatten the atoms it reads.
    access_filters = [] if log_format == "json" else ["redact"]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": RedactingFilter}},
        "formatters": {"main": formatter},
        "handlers": {
            "stderr": {**handler, "stream": "ext://sys.stderr"},
            "access": {**handler, "stream": "ext://sys.stdout", "filters": access_filters},
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
            # Configuring it drops the handler Flask adds to the app's logger, which printed every line twice.
            "watch": {"level": level, "handlers": ["stderr"], "propagate": False},
            # The twilio client dumps every request's headers at INFO: a dozen lines per SMS.
            "twilio.http_client": {"level": "WARNING"},
        },
    }
