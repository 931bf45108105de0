"""Phone numbers and email addresses never reach the logs in full."""
import logging

from watch.core import redact


def test_app_logger_masks_phone_numbers_and_emails(app, caplog):
    with caplog.at_level(logging.INFO):
        app.logger.info("SMS to %s failed for %s", "+46701234567", "eva.sjoberg@exempel.se")
        app.logger.warning("typed 070-123 45 67 and +46 70-765 43 21")
    text = caplog.text
    assert "+46701234567" not in text and "eva.sjoberg@exempel.se" not in text and "765 43 21" not in text
    assert "SMS to +46 70 *** ** 67 failed for e***@exempel.se" in text
    assert "typed +46 70 *** ** 67 and +46 70 *** ** 21" in text


def test_other_libraries_logging_through_root_handlers_are_masked_too(app, caplog):
    redact.install(app)  # installs on the root handlers present now, caplog's among them
    with caplog.at_level(logging.INFO):
        logging.getLogger("twilio.http_client").info("POST /Messages To=+46701234567")
    assert "+46701234567" not in caplog.text and "To=+46 70 *** ** 67" in caplog.text


def test_tracebacks_are_masked(app, caplog):
    try:
        raise ValueError("no account for eva.sjoberg@exempel.se")
    except ValueError:
        app.logger.exception("lookup failed")
    assert "eva.sjoberg@exempel.se" not in caplog.text and "e***@exempel.se" in caplog.text


def test_dates_ids_and_ordinary_numbers_are_left_alone():
    line = "job 12345678 ran 2026-11-23 12:00:01, 3 of 10 delivered, postcode 613 31"
    assert redact.redact(line) == line


def test_a_password_reset_link_in_a_log_line_cannot_be_used_by_whoever_reads_it():
    line = 'GET /password/reset/IjEyMyI.aBc-123_x?next=/ HTTP/1.1" from https://portal/password/reset/abc'
    assert redact.redact(line) == 'GET /password/reset/***?next=/ HTTP/1.1" from https://portal/password/reset/***'
