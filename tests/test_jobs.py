import logging.config

from flask import g

from watch.extensions import db as _db
from watch.jobs import app_task, huey
from watch.models import Municipality


@app_task()
def rename_municipality(municipality_id: int, name: str) -> None:
    g.touched_by_job = True
    _db.session.get(Municipality, municipality_id).name = name
    _db.session.commit()


def test_jobs_run_in_their_own_app_context_and_session(db, factory):
    assert huey.immediate, "unit tests run jobs inline"
    municipality = factory.municipality("Oxelösund", "0481")
    rename_municipality(municipality.id, "Oxelösunds kommun")
    assert not hasattr(g, "touched_by_job")  # the job's context was its own
    db.session.refresh(municipality)
    assert municipality.name == "Oxelösunds kommun"


def test_an_idle_worker_looks_for_new_jobs_every_second(app, monkeypatch):
    """Huey's default backs off to 10 s between looks at an empty SQLite queue: an alert sent in the demo
    would sit that long before its first SMS."""
    started = {}

    class Consumer:
        def run(self):
            started["ran"] = True

    def create_consumer(**options):
        started.update(options)
        return Consumer()

    monkeypatch.setattr(huey, "create_consumer", create_consumer)
    monkeypatch.setattr(logging.config, "dictConfig", lambda config: None)  # keep the test run's logging
    result = app.test_cli_runner().invoke(args=["jobs", "worker", "--workers", "2"])

    assert result.exit_code == 0, result.output
    assert started["ran"] and started["workers"] == 2 and started["max_delay"] == 1.0
    assert started["graceful_signal"] == "TERM"  # SIGTERM lets running sends finish
