"""Production log lines: one JSON object per line, with the request's id, personal data masked."""
import io
import json
import logging
import logging.config

import pytest
from flask import g
from flask.logging import default_handler

from watch.core.logs import JsonLines, dict_config


def test_every_response_carries_its_own_request_id(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert len(first.headers["X-Request-ID"]) == 32
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


def test_a_trusted_load_balancers_request_id_is_kept_a_clients_is_not(app, client, monkeypatch):
    offered = {"X-Request-ID": "lb-7f3a9c21e5"}
    assert client.get("/healthz", headers=offered).headers["X-Request-ID"] != "lb-7f3a9c21e5"

    monkeypatch.setitem(app.config, "TRUSTED_PROXY_HOPS", 1)
    assert client.get("/healthz", headers=offered).headers["X-Request-ID"] == "lb-7f3a9c21e5"
    injected = client.get("/healthz", headers={"X-Request-ID": "x\" level=ERROR forged"})
    assert "forged" not in injected.headers["X-Request-ID"]


def _json_lines(logger: logging.Logger):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLines())
    logger.addHandler(handler)
    return stream, handler


def test_a_record_with_a_traceback_is_one_line_of_json_with_the_request_id_and_masked_data(app):
    stream, handler = _json_lines(app.logger)
    try:
        with app.test_request_context("/observations/new"):
            app.preprocess_request()  # what a real request runs first: assigns the id
            try:
                raise ValueError("no account for eva.sjoberg@exempel.se\nsecond line")
            except ValueError:
                app.logger.exception("SMS to %s failed", "+46701234567")
            request_id = g.request_id
    finally:
        app.logger.removeHandler(handler)

    lines = stream.getvalue().splitlines()
    assert len(lines) == 1, lines
    entry = json.loads(lines[0])
    assert entry["level"] == "ERROR" and entry["logger"] == app.logger.name
    assert entry["request_id"] == request_id
    assert entry["message"] == "SMS to +46 70 *** ** 67 failed"
    assert "ValueError" in entry["exception"] and "second line" in entry["exception"]
    assert "eva.sjoberg@exempel.se" not in lines[0] and "e***@exempel.se" in entry["exception"]
    assert entry["time"].endswith("+00:00")


def test_outside_a_request_there_is_no_request_id(app):
    stream, handler = _json_lines(app.logger)
    try:
        app.logger.warning("retention job ran")
    finally:
        app.logger.removeHandler(handler)
    entry = json.loads(stream.getvalue())
    assert entry["message"] == "retention job ran" and "request_id" not in entry


@pytest.fixture
def restored_logging():
    """dict_config() changes the process's logging: put it back for the tests that follow."""
    loggers = [logging.root, *(logging.getLogger(name) for name in ("watch", "twilio.http_client"))]
    saved = [(logger, logger.handlers[:], logger.level, logger.propagate) for logger in loggers]
    yield
    for logger, handlers, level, propagate in saved:
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate


def test_a_worker_writes_each_line_once_without_the_twilio_clients_request_dumps(app, capsys, restored_logging):
    # What a worker's logger has before dict_config(): the handler Flask adds when the app first logs.
    logging.getLogger("watch").addHandler(default_handler)
    logging.config.dictConfig(dict_config("text"))
    logging.getLogger("watch.alerts.sending").warning("requeued 16 deliveries left claimed by a stopped worker")
    logging.getLogger("twilio.http_client").info("-- BEGIN Twilio API Request --")
    logging.getLogger("twilio.http_client").warning("Twilio answered 503")

    written = capsys.readouterr().err
    assert written.count("requeued 16 deliveries") == 1, written
    assert "BEGIN Twilio API Request" not in written and "Twilio answered 503" in written
