"""Staff log in with a second factor: benchmark staff share one known TOTP key, only here.

Imports nothing of `watch` at import time: the fan-out benchmarks choose Huey's storage through the
environment before `watch` is first imported.
"""
import pyotp

BENCH_TOTP_SECRET = "BENCHMARKTOTPSECRET23456"


def enrol(user) -> None:
    from watch.auth.mfa import enrol_with_known_secret

    enrol_with_known_secret(user, BENCH_TOTP_SECRET)


def log_in(client, email: str, password: str) -> None:
    """Password, then the current code, through the real login pages; fails loudly if refused."""
    client.post("/login", data={"email": email, "password": password})
    response = client.post("/login/code", data={"code": pyotp.TOTP(BENCH_TOTP_SECRET).now()})
    assert response.status_code == 302 and not response.location.startswith("/login"), "benchmark login failed"
