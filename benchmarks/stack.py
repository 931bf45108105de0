"""Start the production stack for a benchmark: gunicorn with deploy/gunicorn.conf.py and Huey consumers.

Used by benchmarks/load.py and benchmarks/lighthouse.py. Everything listens on 127.0.0.1 only.
"""
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
GUNICORN_CONF = str(ROOT / "deploy" / "gunicorn.conf.py")
PORTAL_APP = "watch:create_app()"


BENCHMARK_TOTP_KEY = "YmVuY2htYXJrLW9ubHktdG90cC1rZXktMzItYnl0ZXM="


def production_env(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """The environment of a production instance behind one load balancer (which the benchmark plays)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("TEST_", "SECURE_"))}
    env.update(
        WATCH_ENV="production", FLASK_APP="watch", SECRET_KEY=secrets.token_urlsafe(48),
        DATABASE_URL=database_url, REDIS_URL=redis_url, TRUSTED_PROXY_HOPS="1",
        PUBLIC_URL="https://grannsamverkan.example", MAIL_BACKEND="outbox", SMS_BACKEND="outbox",
        LOG_FORMAT="json",
        # Fixed, so a database seeded by one run (load.py) is readable by the next (request_cpu.py).
        TOTP_ENCRYPTION_KEYS=BENCHMARK_TOTP_KEY,
    )
    env.update(extra)
    return env


def flask(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(BIN / "flask"), *args], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


@contextlib.contextmanager
def serving(env: dict[str, str], port: int, log_dir: Path, *, app: str = PORTAL_APP, job_workers: int = 0):
    """gunicorn on 127.0.0.1:port (plus `job_workers` Huey consumers) until the block ends; logs in log_dir."""
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
    name = "hello" if app != PORTAL_APP else "portal"
    commands = [[str(BIN / "gunicorn"), "-c", GUNICORN_CONF, "--pythonpath", str(ROOT / "benchmarks"), app]]
    commands += [[str(BIN / "flask"), "jobs", "worker", "--workers", "2", *(["--no-periodic"] if n else [])]
                 for n in range(job_workers)]
    processes, logs = [], []
    try:
        for n, command in enumerate(commands):
            label = name if n == 0 else f"{name}-jobs-{n}"
            logs += [open(log_dir / f"{label}.out", "w"), open(log_dir / f"{label}.err", "w")]
            processes.append(subprocess.Popen(command, env=env, cwd=ROOT, stdout=logs[-2], stderr=logs[-1]))
        wait_until_healthy(f"http://127.0.0.1:{port}/" + ("healthz" if app == PORTAL_APP else ""))
        yield f"http://127.0.0.1:{port}"
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=45)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs:
            log.close()


def wait_until_healthy(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer within {seconds:.0f} s") from None
        time.sleep(0.2)
