"""Photos every web instance can serve: two instances of the app on one database, a photo filed through
one and shown by the other with the same access checks; and the database store follows its transaction."""
import io
import os

import pytest
from sqlalchemy import func, select

from tests.conftest import TEST_REDIS_URL, RequestIsolatedClient, log_in
from tests.observation_support import photo_with_gps
from tests.test_observations import file_with_photo, stored_photos, world  # noqa: F401 (fixture)
from watch import create_app
from watch.core import photo_store
from watch.extensions import limiter
from watch.models import StoredPhoto
from watch.observations.photos import clean_photo


@pytest.fixture
def in_database(app, monkeypatch):
    monkeypatch.setitem(app.config, "PHOTO_STORAGE", "database")


@pytest.fixture
def other_instance(app, in_database, tmp_path):
    """A second web instance: the same database, a folder of its own, and photos in the database."""
    config = {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "PHOTO_STORAGE": "database",
              "UPLOAD_FOLDER": str(tmp_path / "other-instance")}
    if TEST_REDIS_URL:
        config["REDIS_URL"] = TEST_REDIS_URL
    other = create_app(config)
    other.test_client_class = RequestIsolatedClient
    try:
        yield other
    finally:
        with other.app_context():
            from watch.extensions import db

            db.engine.dispose()
        limiter.init_app(app)  # one limiter object: give it back the session app's settings


def stored_rows(db) -> int:
    return db.session.scalar(select(func.count()).select_from(StoredPhoto))


def test_a_photo_filed_through_one_instance_is_served_by_the_other_with_the_same_checks(
        world, db, login, other_instance, tmp_path):
    reporter_here = login(world.reporter)
    in_folder = stored_photos()  # the suite's folder store may hold other tests' photos
    observation = file_with_photo(db, reporter_here, world.group, (640, 480))
    assert observation.photo_path and stored_rows(db) == 1
    assert stored_photos() == in_folder and not os.path.exists(tmp_path / "other-instance")  # in no folder
    served_here = reporter_here.get(f"/observations/{observation.id}/photo")
    assert served_here.status_code == 200 and served_here.mimetype == "image/jpeg"

    def there(user):
        client = other_instance.test_client()
        log_in(client, user, db)
        return client.get(f"/observations/{observation.id}/photo")

    for allowed in (world.reporter, world.coordinator):
        response = there(allowed)
        assert response.status_code == 200 and response.get_data() == served_here.get_data(), allowed.name
    # The police see an observation once it is forwarded to them; this one is not.
    for refused in (world.neighbour, world.police, world.other_coordinator, world.other_police):
        assert there(refused).status_code in (403, 404), refused.name
    anonymous = other_instance.test_client().get(f"/observations/{observation.id}/photo")
    assert anonymous.status_code == 302 and "/login" in anonymous.location


def test_a_photo_in_the_database_goes_with_a_rolled_back_transaction_and_with_anonymising(world, db, login,
                                                                                          in_database):
    observation = file_with_photo(db, login(world.reporter), world.group, (400, 300))
    name = observation.photo_path
    with photo_store.stored_photo(clean_photo(io.BytesIO(photo_with_gps((300, 200))))):
        pass
    db.session.rollback()  # the filing it belonged to failed
    assert stored_rows(db) == 1  # only the filed one

    photo_store.delete_after_commit([name])
    db.session.rollback()  # the anonymising failed: the photo stays with its row
    assert photo_store.read_photo(name) is not None
    photo_store.delete_after_commit([name])
    db.session.commit()
    assert photo_store.read_photo(name) is None and stored_rows(db) == 0


def test_the_store_is_chosen_by_the_database_unless_configured(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "PHOTO_STORAGE", "")
    expected = photo_store.DatabaseStore if db.engine.dialect.name == "postgresql" else photo_store.FolderStore
    assert isinstance(photo_store.photo_store(), expected)
    monkeypatch.setitem(app.config, "PHOTO_S3_BUCKET", "grannsamverkan-foton")
    assert isinstance(photo_store.photo_store(), photo_store.S3Store)
    with pytest.raises(ValueError):
        photo_store.read_photo("../../etc/passwd")
