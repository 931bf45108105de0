"""SMS backends: the development outbox and Twilio. Only background jobs call them.

`SMS_BACKEND=outbox` stores every message for the dev outbox page and lets the caller fake the
delivery receipt; `SMS_BACKEND=twilio` sends with the official client, pointed at
`TWILIO_API_BASE_URL` when set (a local fake Twilio in tests and benchmarks).
"""
import threading
import uuid
from datetime import datetime

import requests
from flask import current_app
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from watch.messaging.outbox import record_in_outbox
from watch.models import Channel

# Worth another try later: rate limits, provider faults, a phone that is off or out of coverage.
TEMPORARY_ERROR_CODES = frozenset({
    "20429",  # too many requests
    "20500", "20503",  # Twilio internal error / service unavailable
    "30001",  # queue overflow
    "30003",  # unreachable destination handset (off, no coverage)
    "30008",  # unknown error from the carrier
    "30017",  # carrier network congestion
    "30022",  # US A2P rate limit exceeded
    "timeout", "connection", "expired",
})
# 21610: the recipient replied STOP to our sender. Twilio refuses until they send START.
PROVIDER_OPT_OUT_CODE = "21610"


def is_temporary(error_code: str | None) -> bool:
    return bool(error_code) and (error_code in TEMPORARY_ERROR_CODES or error_code.startswith("http_5"))


class SmsError(Exception):
    """The provider did not take the message. `outcome_unknown`: it may have, we never heard back."""

    def __init__(self, code: str, message: str = "", *, outcome_unknown: bool = False):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.temporary = is_temporary(code)
        self.outcome_unknown = outcome_unknown


class OutboxBackend:
    """Development: the message is stored and shown on /dev/outbox, never sent."""

    fakes_receipts = True

    def send(self, to: str, body: str, *, status_callback: str | None = None, validity_seconds: int | None = None,
             user_id: int | None = None) -> str:
        record_in_outbox(Channel.SMS, to, body, user_id=user_id)
        return "SM" + uuid.uuid4().hex  # the same shape as a Twilio message SID

    def find_sent(self, to: str, body: str, since: datetime) -> str | None:
        return None  # the outbox row and the delivery's status are saved together: never in doubt


class TwilioBackend:
    fakes_receipts = False
    _local = threading.local()

    def __init__(self, config):
        self.config = config

    @property
    def client(self) -> Client:
        """One client (and HTTP connection pool) per worker thread and configuration."""
        config = self.config
        key = (config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"], config.get("TWILIO_API_BASE_URL"),
               config["TWILIO_HTTP_TIMEOUT_SECONDS"])
        if getattr(self._local, "key", None) != key:
            client = Client(key[0], key[1], http_client=TwilioHttpClient(timeout=key[3]))
            if key[2]:
                client.api.base_url = key[2].rstrip("/")
            self._local.client, self._local.key = client, key
        return self._local.client

    def send(self, to: str, body: str, *, status_callback: str | None = None, validity_seconds: int | None = None,
             user_id: int | None = None) -> str:
        config = self.config
        sender = {"messaging_service_sid": config["TWILIO_MESSAGING_SERVICE_SID"]} \
            if config.get("TWILIO_MESSAGING_SERVICE_SID") else {"from_": config["TWILIO_FROM"]}
        options = {"status_callback": status_callback} if status_callback else {}
        if validity_seconds is not None:
            options["validity_period"] = max(1, min(36000, int(validity_seconds)))
        with _translated_errors():
            return self.client.messages.create(to=to, body=body, **sender, **options).sid

    def find_sent(self, to: str, body: str, since: datetime) -> str | None:
        """The SID of a message with this text to this number created since then, if Twilio has one."""
        with _translated_errors():
            for message in self.client.messages.list(to=to, limit=20):
                if message.body == body and message.date_created and message.date_created >= since:
                    return message.sid
        return None


class _translated_errors:
    """Turn what the twilio client raises into SmsError with a code the delivery report can show."""

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if error is None:
            return False
        if isinstance(error, TwilioRestException):
            code = str(error.code) if error.code else f"http_{error.status}"
            if error.status == 429:
                code = "20429"
            raise SmsError(code, error.msg or "") from error
        if isinstance(error, requests.exceptions.ConnectTimeout):
            raise SmsError("connection", str(error)) from error  # never reached Twilio
        if isinstance(error, requests.exceptions.Timeout):
            raise SmsError("timeout", str(error), outcome_unknown=True) from error
        if isinstance(error, requests.exceptions.ConnectionError):
            raise SmsError("connection", str(error), outcome_unknown=True) from error
        return False


def get_backend():
    config = current_app.config
    if config["SMS_BACKEND"] == "twilio":
        return TwilioBackend(config)
    if config["SMS_BACKEND"] == "outbox":
        return OutboxBackend()
    raise RuntimeError(f"unknown SMS_BACKEND {config['SMS_BACKEND']!r}: use outbox or twilio")
