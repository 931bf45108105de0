"""The administrator's command line: municipalities, staff accounts and the demo seed."""
from pathlib import Path

from sqlalchemy import func, select

from watch.models import Group, Municipality, Role, User


README = Path(__file__).resolve().parent.parent / "README.md"


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_create_municipality_and_refuse_a_duplicate_or_bad_code(app, db):
    result = run(app, "municipalities", "create", "--name", "Oxelösund", "--code", "0481")
    assert result.exit_code == 0, result.output
    assert "/m/oxelosund" in result.output
    assert run(app, "municipalities", "create", "--name", "Oxelösund", "--code", "0482").exit_code != 0
    assert run(app, "municipalities", "create", "--name", "Trosa", "--code", "488").exit_code != 0
    assert db.session.scalar(select(func.count(Municipality.id))) == 1
    assert "0481" in run(app, "municipalities", "list").output


def test_create_staff_including_police_covering_several_municipalities(app, db, factory):
    factory.municipality("Nyköping", "0480")
    factory.municipality("Oxelösund", "0481")
    result = run(app, "users", "create", "--role", "police", "--municipality", "nykoping", "--covers", "0481",
                 "--name", "Lena Ek", "--email", "Lena.Ek@Polisen.se", "--phone", "070-765 43 21",
                 "--password", "Brandholmen-44-vakt")
    assert result.exit_code == 0, result.output
    officer = db.session.scalar(select(User).where(User.email == "lena.ek@polisen.se"))
    assert officer.role == Role.POLICE and officer.phone == "+46707654321"
    assert {m.name for m in officer.covered_municipalities} == {"Oxelösund"}
    assert len(officer.municipality_ids()) == 2


def test_coordinator_needs_a_known_municipality(app, db):
    result = run(app, "users", "create", "--role", "coordinator", "--municipality", "atlantis", "--name", "X",
                 "--email", "x@exempel.se", "--password", "Brandholmen-44-vakt")
    assert result.exit_code != 0 and "no municipality" in result.output
    result = run(app, "users", "create", "--role", "coordinator", "--name", "X", "--email", "x@exempel.se",
                 "--password", "Brandholmen-44-vakt")
    assert result.exit_code != 0
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_demo_seed_is_idempotent_and_has_every_role(app, db):
    first = run(app, "demo", "seed")
    assert first.exit_code == 0, first.output
    counts = (db.session.scalar(select(func.count(User.id))), db.session.scalar(select(func.count(Group.id))))
    second = run(app, "demo", "seed")
    assert second.exit_code == 0 and "created" not in second.output
    assert counts == (db.session.scalar(select(func.count(User.id))), db.session.scalar(select(func.count(Group.id))))
    assert set(db.session.scalars(select(User.role).distinct())) == set(Role)
    assert all(u.phone is None or u.phone.startswith("+46") for u in db.session.scalars(select(User)))


def test_demo_staff_log_in_with_the_documented_totp_key(app, db):
    import pyotp

    from watch.demo import DEMO_TOTP_SECRET

    output = run(app, "demo", "seed").output
    assert "GRAN NSAM VERK ANDE MOTO TP23" in output and DEMO_TOTP_SECRET in README.read_text().replace(" ", "")
    staff = [u for u in db.session.scalars(select(User)) if u.is_staff]
    assert staff and all(u.mfa_enabled and u.totp_secret == DEMO_TOTP_SECRET for u in staff)
    assert not any(u.mfa_enabled for u in db.session.scalars(select(User)) if not u.is_staff)
    client = app.test_client()
    client.post("/login", data={"email": "samordnare@oxelosund.demo", "password": "Demo-losen-2026"})
    assert client.post("/login/code", data={"code": pyotp.TOTP(DEMO_TOTP_SECRET).now()}).status_code == 302
    assert client.get("/audit").status_code == 200


def test_set_a_municipalitys_contacts_change_some_clear_one_and_refuse_a_bad_address(app, db, factory):
    oxelosund = factory.municipality("Oxelösund", "0481")
    result = run(app, "municipalities", "set-contacts", "--municipality", "oxelosund",
                 "--contact-email", " Grannsamverkan@Oxelosund.se ", "--dpo-email", "dataskyddsombud@oxelosund.se",
                 "--accessibility-email", "tillganglighet@oxelosund.se")
    assert result.exit_code == 0, result.output
    assert "dpo_email            dataskyddsombud@oxelosund.se" in result.output
    db.session.refresh(oxelosund)
    assert (oxelosund.contact_email, oxelosund.dpo_email, oxelosund.accessibility_email) == (
        "Grannsamverkan@oxelosund.se", "dataskyddsombud@oxelosund.se", "tillganglighet@oxelosund.se")
    # Left out: unchanged; empty: back to CONTACT_EMAIL.
    result = run(app, "municipalities", "set-contacts", "--municipality", "0481", "--accessibility-email", "")
    assert result.exit_code == 0 and "accessibility_email  (CONTACT_EMAIL)" in result.output
    db.session.refresh(oxelosund)
    assert (oxelosund.dpo_email, oxelosund.accessibility_email) == ("dataskyddsombud@oxelosund.se", None)
    for bad in ("inte en adress", "a@b@c.se", "dpo@oxelosund.se\nBcc: x@evil.example"):
        result = run(app, "municipalities", "set-contacts", "--municipality", "oxelosund", "--dpo-email", bad)
        assert result.exit_code != 0 and "Error" in result.output, (bad, result.output)
    assert run(app, "municipalities", "set-contacts", "--municipality", "atlantis",
               "--dpo-email", "x@y.se").exit_code != 0
    db.session.refresh(oxelosund)
    assert oxelosund.dpo_email == "dataskyddsombud@oxelosund.se"


def test_the_demo_gives_both_municipalities_their_contacts_once(app, db):
    from watch.demo import _seed_municipalities

    assert "contacts for Oxelösund: grannsamverkan@oxelosund.demo" in list(_seed_municipalities())
    db.session.commit()
    assert not [line for line in _seed_municipalities() if "contacts" in line]  # seeding again changes nothing
    contacts = {m.name: (m.contact_email, m.dpo_email, m.accessibility_email)
                for m in db.session.scalars(select(Municipality))}
    assert contacts == {
        "Oxelösund": ("grannsamverkan@oxelosund.demo", "dataskyddsombud@oxelosund.demo",
                      "tillganglighet@oxelosund.demo"),
        "Nyköping": ("trygghet@nykoping.demo", "dataskyddsombud@nykoping.demo", "tillganglighet@nykoping.demo"),
    }
