"""A fake Twilio REST API on 127.0.0.1 for tests and benchmarks, driven by the real `twilio` client.

Point the app at it with TWILIO_API_BASE_URL. It accepts Messages.json creates and lists like
Twilio does, and can be told to be slow, to fail with HTTP 5xx (a share of requests or one number's next
ones), to time out (optionally after
accepting the message, as when a response is lost on the way back) or to refuse a number with
an error code. `status_callback()` builds a receipt signed as Twilio signs it.
"""
import base64
import json
import random
import threading
import time
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from twilio.request_validator import RequestValidator


@dataclass
class Behaviour:
    status: int = 201
    code: int | None = None
    message: str = ""
    hang_seconds: float = 0.0  # sleep this long before answering (longer than the client's timeout)
    accept: bool = True  # whether the message counts as sent (a 201, or a timeout after accepting)


@dataclass
class Attempt:
    at: float
    to: str
    outcome: int
    hung: bool = False  # answered after the client's timeout, if at all
    accepted: bool = False


@dataclass
class FakeTwilio:
    account_sid: str
    auth_token: str
    latency: float = 0.0
    temporary_failure_rate: float = 0.0
    # Share of requests that hang past the client's timeout; half of those were accepted before hanging.
    timeout_rate: float = 0.0
    timeout_seconds: float = 0.0
    seed: int = 5
    messages: list[dict] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)

    def __post_init__(self):
        self._lock = threading.Lock()
        self._plans: dict[str, deque[Behaviour]] = defaultdict(deque)
        self._refusals: dict[str, Behaviour] = {}
        self._random = random.Random(self.seed)
        self._server = None

    # ---- scripting ----
    def fail_next(self, to: str, *, times: int = 1, status: int = 503, code: int = 20503) -> None:
        for _ in range(times):
            self._plans[to].append(Behaviour(status=status, code=code, message="Service unavailable", accept=False))

    def time_out_next(self, to: str, *, seconds: float, accept: bool) -> None:
        self._plans[to].append(Behaviour(hang_seconds=seconds, accept=accept))

    def refuse(self, to: str, *, code: int, status: int = 400, message: str = "refused") -> None:
        self._refusals[to] = Behaviour(status=status, code=code, message=message, accept=False)

    def messages_to(self, to: str) -> list[dict]:
        with self._lock:
            return [m for m in self.messages if m["To"] == to]

    def status_callback(self, message: dict, status: str, error_code: int | None = None):
        """(path with query, form fields, headers) of the receipt Twilio would post for this message."""
        params = {"MessageSid": message["sid"], "MessageStatus": status, "AccountSid": self.account_sid,
                  "To": message["To"], "From": message.get("From", "")}
        if error_code is not None:
            params["ErrorCode"] = str(error_code)
        url = message["StatusCallback"]
        parts = urlsplit(url)
        return f"{parts.path}?{parts.query}", params, {"X-Twilio-Signature": sign(self.auth_token, url, params)}

    # ---- serving ----
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> "FakeTwilio":
        fake = self

        class Handler(_Handler):
            twilio = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _behaviour_for(self, to: str) -> Behaviour:
        with self._lock:
            if to in self._refusals:
                return self._refusals[to]
            if self._plans[to]:
                return self._plans[to].popleft()
            roll = self._random.random()
            if roll < self.temporary_failure_rate:
                return Behaviour(status=503, code=20503, message="Service unavailable", accept=False)
            if roll < self.temporary_failure_rate + self.timeout_rate:
                return Behaviour(hang_seconds=self.timeout_seconds, accept=self._random.random() < 0.5)
        return Behaviour()

    def _create(self, form: dict) -> tuple[int, dict, float]:
        to = form.get("To", "")
        behaviour = self._behaviour_for(to)
        with self._lock:
            self.attempts.append(Attempt(time.time(), to, behaviour.status, hung=behaviour.hang_seconds > 0,
                                         accepted=behaviour.accept))
        if not behaviour.accept:
            return behaviour.status, {"code": behaviour.code, "message": behaviour.message,
                                      "more_info": f"https://www.twilio.com/docs/errors/{behaviour.code}",
                                      "status": behaviour.status}, behaviour.hang_seconds
        message = {**form, "sid": "SM" + uuid.uuid4().hex, "date_created": formatdate(usegmt=True)}
        with self._lock:
            self.messages.append(message)
        return 201, self._resource(message), behaviour.hang_seconds

    def _resource(self, message: dict) -> dict:
        return {
            "sid": message["sid"], "account_sid": self.account_sid, "to": message["To"],
            "from": message.get("From"), "messaging_service_sid": message.get("MessagingServiceSid"),
            "body": message.get("Body"), "status": "queued", "direction": "outbound-api", "num_segments": "1",
            "date_created": message["date_created"], "date_updated": message["date_created"], "date_sent": None,
            "api_version": "2010-04-01", "error_code": None, "error_message": None, "price": None,
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{message['sid']}.json",
        }

    def _list(self, query: dict) -> dict:
        to = (query.get("To") or [None])[0]
        with self._lock:
            found = [self._resource(m) for m in reversed(self.messages) if to is None or m["To"] == to]
        return {"messages": found[:50], "page": 0, "page_size": 50, "start": 0, "end": len(found[:50]),
                "first_page_uri": None, "next_page_uri": None, "previous_page_uri": None,
                "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"}


def sign(auth_token: str, url: str, params: dict) -> str:
    return RequestValidator(auth_token).compute_signature(url, params)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    twilio: FakeTwilio

    def log_message(self, *args):  # quiet
        pass

    def _authorised(self) -> bool:
        expected = base64.b64encode(f"{self.twilio.account_sid}:{self.twilio.auth_token}".encode()).decode()
        return self.headers.get("Authorization") == f"Basic {expected}"

    def _messages_path(self) -> bool:
        return urlsplit(self.path).path == f"/2010-04-01/Accounts/{self.twilio.account_sid}/Messages.json"

    def _answer(self, status: int, payload: dict, hang: float = 0.0) -> None:
        time.sleep(self.twilio.latency + hang)
        body = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting: a timeout, as intended

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode(), keep_blank_values=True).items()}
        if not self._authorised():
            return self._answer(401, {"code": 20003, "message": "Authenticate", "status": 401})
        if not self._messages_path():
            return self._answer(404, {"code": 20404, "message": "Not found", "status": 404})
        status, payload, hang = self.twilio._create(form)
        self._answer(status, payload, hang)

    def do_GET(self):
        if not self._authorised():
            return self._answer(401, {"code": 20003, "message": "Authenticate", "status": 401})
        if not self._messages_path():
            return self._answer(404, {"code": 20404, "message": "Not found", "status": 404})
        self._answer(200, self.twilio._list(parse_qs(urlsplit(self.path).query)))
