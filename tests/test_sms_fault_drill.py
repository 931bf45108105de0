"""The SMS fault drill (benchmarks/sms_faults.py), small: every phone gets the warning exactly once.

Two real job workers send through the real twilio client to a fake Twilio that fails a fifth of
the requests (503s, and timeouts where half of the messages did go out), and one worker is killed
mid-send. It runs on the suite's database kind and job storage: a fresh PostgreSQL database and
Redis when TEST_DATABASE_URL / TEST_REDIS_URL are set.
"""
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def drill_database_url(tmp_path):
    """A database of its own: the drill drops and creates every table."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path}/drill.db"
        return
    server = TEST_DATABASE_URL.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0]
    name = f"watch_drill_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    yield f"{server}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_every_phone_gets_the_warning_once_despite_provider_faults_and_a_killed_worker(drill_database_url, tmp_path):
    command = [sys.executable, "benchmarks/sms_faults.py", "--recipients", "300", "--rate", "50", "--threads", "6",
               "--claim-timeout", "8", "--database-url", drill_database_url]
    if TEST_REDIS_URL:
        command += ["--redis-url", TEST_REDIS_URL]
    env = {key: value for key, value in os.environ.items() if not key.startswith(("TEST_", "REDIS_URL"))}
    env["HUEY_SQLITE_PATH"] = str(tmp_path / "huey.db")
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert run.stdout.strip(), run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])

    # The drill really was hostile: faults of both kinds happened, and the killed worker held claims.
    assert result["http_503"] > 0 and result["accepted_then_timed_out"] > 0, result
    assert result["requeued_after_kill"] > 0, result
    # And yet: every phone reached, none twice, every delivery recorded as sent.
    assert result["duplicates"] == 0 and result["missed"] == 0, result
    assert result["statuses"] == {"sent": 300}, result
    assert run.returncode == 0, run.stdout
