from flask_login import current_user

from watch import create_app
from watch.extensions import db as _db
from watch.models import Base, Role
from watch.core.security import ensure_municipality, is_safe_redirect, role_required
from tests.conftest import Factory, RequestIsolatedClient, log_in


def test_role_required_gives_403_page_not_a_redirect_loop(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/roles.db"})
    app.test_client_class = RequestIsolatedClient

    @app.get("/__coordinators-only/<int:municipality_id>")
    @role_required(Role.COORDINATOR)
    def coordinators_only(municipality_id):
        ensure_municipality(municipality_id)
        return f"hej {current_user.name}"

    with app.app_context():
        Base.metadata.create_all(_db.engine)
        factory = Factory(_db)
        home = factory.municipality("Oxelösund", "0481")
        other = factory.municipality("Nyköping", "0480")
        resident = factory.user(Role.RESIDENT, home)
        coordinator = factory.user(Role.COORDINATOR, home, name="Karin Lindqvist")
        ids = (home.id, other.id)

        anonymous = app.test_client()
        assert anonymous.get(f"/__coordinators-only/{ids[0]}").status_code == 302

        def logged_in(user):
            client = app.test_client()
            log_in(client, user, _db)
            return client

        forbidden = logged_in(resident).get(f"/__coordinators-only/{ids[0]}")
        assert forbidden.status_code == 403 and "Du har inte tillgång" in forbidden.get_data(as_text=True)
        staff = logged_in(coordinator)
        assert staff.get(f"/__coordinators-only/{ids[0]}").get_data(as_text=True) == "hej Karin Lindqvist"
        assert staff.get(f"/__coordinators-only/{ids[1]}").status_code == 404


def test_safe_redirects_stay_on_this_site():
    assert is_safe_redirect("/groups?page=2")
    for target in (None, "", "//evil.example", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"):
        assert not is_safe_redirect(target)


def test_pages_with_personal_data_are_never_stored_by_browsers_or_proxies(db, factory, login):
    from tests.test_access_matrix import alert_url, build_world, observation_url

    world = build_world(db, factory)
    observation = observation_url()(world)
    alert = alert_url()(world)
    lagesbild = f"/lagesbild/{world.municipality.slug}"
    pages = {
        "member": [observation, f"{observation}/photo", "/observations/mine", "/my-data", "/my-data/export.json",
                   "/my-data/export.csv", "/profile", f"/groups/{world.group.id}", "/alerts/feed",
                   "/alerts/preferences", "/alerts/phone"],
        "contact": [f"/groups/{world.group.id}/roster"],
        "coordinator": [observation, f"{observation}/photo", "/coordinator/", "/coordinator/groups/pending",
                        "/coordinator/groups", f"/coordinator/groups/{world.group.id}", "/coordinator/groups/contacts.csv",
                        "/coordinator/changes", "/coordinator/observations", "/audit", f"{lagesbild}/2026/47",
                        f"{lagesbild}/2026/47/counts.csv"],
        "police": ["/police/observations", f"/coordinator/groups/{world.group.id}", "/alerts", alert,
                   f"{alert}/progress", "/alerts/new"],
    }
    for role, urls in pages.items():
        client = login(world.people[role])
        for url in urls:
            response = client.get(url)
            assert (response.status_code, response.headers.get("Cache-Control")) == (200, "no-store"), (role, url)


def test_the_photo_is_a_jpeg_that_browsers_may_not_sniff_as_anything_else(db, factory, login):
    from tests.test_access_matrix import build_world, observation_url

    world = build_world(db, factory)
    response = login(world.people["coordinator"]).get(observation_url("/photo")(world))
    assert response.status_code == 200 and response.data.startswith(b"\xff\xd8\xff")
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
