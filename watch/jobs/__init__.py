"""Background jobs with Huey: SQLite by default, Redis when REDIS_URL is set, immediate in unit tests.

Feature packages declare jobs with `@app_task()` / `@app_periodic_task(...)`; each run gets a
fresh Flask app context (and so its own database session), commits once at its end if it
succeeded and rolls back if it raised. A job enqueued inside a transaction (a request's, or
another job's) leaves only when that transaction commits: a failed request sends nothing.
Start workers with `flask jobs worker` (several processes or machines may run it against the
same Redis).
"""
import functools
import os

from flask import Flask, current_app, has_app_context, has_request_context
from huey import RedisHuey, SqliteHuey

from watch.config import PROJECT_ROOT
from watch.core.transaction import after_commit, has_written
from watch.extensions import db


class _AfterCommit:
    """Enqueue after the current transaction commits (watch.core.transaction), not before.

    A request always waits for its commit; a job or command only once it has written something,
    since a transaction that only read has nothing for the job to wait for.
    """

    def enqueue(self, task):
        if has_app_context() and (has_request_context() or has_written(db.session())):
            after_commit(super().enqueue, task)
            return None
        return super().enqueue(task)  # e.g. the consumer's scheduler, outside any transaction of ours


class _RedisHuey(_AfterCommit, RedisHuey):
    pass


class _SqliteHuey(_AfterCommit, SqliteHuey):
    pass


def _make_huey():
    if redis_url := os.environ.get("REDIS_URL"):
        return _RedisHuey("watch", url=redis_url, results=False)
    path = os.environ.get("HUEY_SQLITE_PATH") or os.path.join(PROJECT_ROOT, "instance", "huey.db")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return _SqliteHuey("watch", filename=path, results=False)


huey = _make_huey()
_app: Flask | None = None


def init_app(app: Flask) -> None:
    """Remember the app for worker threads; tests and the demo may ask for immediate mode."""
    global _app
    _app = app
    if app.config.get("JOBS_IMMEDIATE"):
        huey.immediate = True


def _in_app_context(fn):
    @functools.wraps(fn)
    def run(*args, **kwargs):
        app = current_app._get_current_object() if has_app_context() else _app
        if app is None:
            raise RuntimeError("watch.jobs.init_app was not called: start workers with `flask jobs worker`")
        with app.app_context():
            try:
                result = fn(*args, **kwargs)
            except BaseException:
                db.session.rollback()
                raise
            db.session.commit()
            return result

    return run


def app_task(**options):
    """A Huey task that runs inside its own app context."""
    return lambda fn: huey.task(**options)(_in_app_context(fn))


def app_periodic_task(validate_datetime, **options):
    return lambda fn: huey.periodic_task(validate_datetime, **options)(_in_app_context(fn))
