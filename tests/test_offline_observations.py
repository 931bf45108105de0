"""Observations queued on a phone without coverage and sent again: each is filed once, by its writer only."""
import io
import uuid

from sqlalchemy import func, select

from tests.observation_support import file_observation, make_group, photo_with_gps
from tests.test_observations import form_data, stored_photos
from watch.models import Observation, OutboxMessage, Role
from watch.observations import services


def _world(db, factory):
    oxelosund = factory.municipality("Oxelösund", "0481")
    reporter = factory.user(Role.RESIDENT, oxelosund, name="Maria Holm")
    neighbour = factory.user(Role.RESIDENT, oxelosund, name="Tom Wilson")
    group = make_group(db, oxelosund, members=[reporter, neighbour], name="Jogersö gästhamn")
    coordinator = factory.user(Role.COORDINATOR, oxelosund, name="Karin Lindqvist")
    return reporter, neighbour, group, coordinator


def _queued_form(group, client_id):
    return form_data(group, client_id=client_id, photo=(io.BytesIO(photo_with_gps((640, 480))), "brygga.jpg"))


def test_the_same_submission_three_times_files_one_observation(db, factory, login):
    reporter, _, group, coordinator = _world(db, factory)
    client = login(reporter)
    client_id = str(uuid.uuid4())
    photos_before = len(stored_photos())
    answers = [client.post("/observations/new", data=_queued_form(group, client_id),
                           content_type="multipart/form-data") for _ in range(3)]
    observations = db.session.scalars(select(Observation)).all()
    assert len(observations) == 1 and observations[0].client_id == client_id
    # Each answer is the same success, pointing at the one observation; a retry is no new photo either.
    assert {(a.status_code, a.location) for a in answers} == {(302, "/observations/mine")}
    assert {a.headers["X-Observation"] for a in answers} == {f"/observations/{observations[0].id}"}
    assert len(stored_photos()) == photos_before + 1
    # The coordinator hears of it once.
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.recipient == coordinator.email)) == 1


def test_another_person_with_the_same_client_id_files_their_own(db, factory, login):
    reporter, neighbour, group, _ = _world(db, factory)
    client_id = str(uuid.uuid4())
    for person in (reporter, neighbour):
        login(person).post("/observations/new", data=form_data(group, client_id=client_id))
    reporters = db.session.scalars(select(Observation.reporter_id).order_by(Observation.id)).all()
    assert reporters == [reporter.id, neighbour.id]


def test_a_client_id_that_is_no_uuid_is_ignored_and_the_form_still_files(db, factory, login):
    reporter, _, group, _ = _world(db, factory)
    client = login(reporter)
    for _ in range(2):
        answer = client.post("/observations/new", data=form_data(group, client_id="x' OR 1=1 --"))
        assert answer.status_code == 302
    assert db.session.scalars(select(Observation.client_id)).all() == [None, None]


def test_a_race_on_the_same_client_id_is_answered_with_the_first_observation(db, factory):
    reporter, _, group, _ = _world(db, factory)
    client_id = str(uuid.uuid4())
    first = file_observation(db, reporter, group, client_id=client_id)
    try:
        file_observation(db, reporter, group, client_id=client_id)
    except services.AlreadyFiled as filed:
        assert filed.observation.id == first.id
    else:
        raise AssertionError("a second observation with the same client id was filed")
    assert db.session.scalar(select(func.count()).select_from(Observation)) == 1
