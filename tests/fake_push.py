"""A fake Web Push service on 127.0.0.1, and a browser's side of a subscription, for tests.

The service records each request (headers and encrypted body) and answers 201, or what a test planned
(410 for a subscription that is gone, 429 or 503 to be tried again). `FakeBrowser` holds the keys a real
browser makes when it subscribes, and decrypts what arrives with them (RFC 8291, aes128gcm) as the browser
would: proof that a message is a valid Web Push message for that subscription.
"""
import base64
import json
import os
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class PushRequest:
    path: str
    headers: dict  # lower-case names
    body: bytes


@dataclass
class FakePushService:
    requests: list[PushRequest] = field(default_factory=list)

    def __post_init__(self):
        self._plan: deque[int] = deque()
        self._lock = threading.Lock()

    def answer_next(self, *statuses: int) -> None:
        """The next requests get these statuses (then 201 again)."""
        self._plan.extend(statuses)

    def start(self) -> "FakePushService":
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with service._lock:
                    headers = {name.lower(): value for name, value in self.headers.items()}
                    service.requests.append(PushRequest(self.path, headers, body))
                    status = service._plan.popleft() if service._plan else 201
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class FakeBrowser:
    """One browser's subscription: an endpoint at the push service, its P-256 key pair and auth secret."""

    def __init__(self, service: FakePushService, name: str = "telefon"):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth_secret = os.urandom(16)
        self.endpoint = f"{service.url}/wpush/v2/{name}-{b64url(os.urandom(12))}"

    @property
    def keys(self) -> dict:
        public = self.private_key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        return {"p256dh": b64url(public), "auth": b64url(self.auth_secret)}

    def form(self) -> dict:
        """What static/js/device-settings.js posts to /profile/push."""
        return {"endpoint": self.endpoint, **self.keys}

    def decrypt(self, request: PushRequest) -> dict:
        assert request.headers["content-encoding"] == "aes128gcm"
        return json.loads(http_ece.decrypt(request.body, private_key=self.private_key,
                                           auth_secret=self.auth_secret, version="aes128gcm"))
