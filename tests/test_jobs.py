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
