from flask_login import current_user, login_required

from watch import create_app
from watch.extensions import db as _db
from watch.models import Base, Role
from watch.security import ensure_municipality, is_safe_redirect, role_required
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
