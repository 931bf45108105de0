"""The installable portal: manifest, service worker, offline page, push settings on the profile, VAPID keys."""
import io
import json
import re

from flask import Flask
from PIL import Image
from sqlalchemy import select

from tests.conftest import PASSWORD
from watch.messaging import push
from watch.models import PushSubscription, Role

SUBSCRIPTION = {
    "endpoint": "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABnYk1u0x",
    "p256dh": "BNLSOt_QwvuQMtCBYi5FSAcBCXpVIJhn0SuJEZ4UrRiVxUXkIM0Jv5735vbOzOHmAXBGIODFJsOZZ6sd9cB8lSM",
    "auth": "tBHItJI5svbpez7KI4CCXg",
}


def test_the_manifest_is_in_the_persons_language_and_opens_at_their_municipality(client, db, factory, login):
    oxelosund = factory.municipality("Oxelösund", "0481")
    anonymous = client.get("/manifest.webmanifest")
    assert anonymous.mimetype == "application/manifest+json"
    assert "Cookie" in anonymous.headers["Vary"] and "private" in anonymous.headers["Cache-Control"]
    manifest = anonymous.get_json()
    assert manifest["start_url"] == "/" and manifest["scope"] == "/" and manifest["display"] == "standalone"
    assert manifest["short_name"] == "Grannsamverkan" and manifest["lang"] == "sv"
    assert manifest["theme_color"] == "#0b4f8a"

    english = factory.user(Role.RESIDENT, oxelosund, locale="en")
    manifest = login(english).get("/manifest.webmanifest").get_json()
    assert manifest["start_url"] == f"/m/{oxelosund.slug}"
    assert manifest["name"] == "Grannsamverkan – neighbourhood and boat-club watch" and manifest["lang"] == "en"


def test_the_manifests_icons_are_pngs_of_the_sizes_it_names(client):
    for icon in client.get("/manifest.webmanifest").get_json()["icons"]:
        response = client.get(icon["src"])
        assert response.status_code == 200 and response.mimetype == "image/png"
        with Image.open(io.BytesIO(response.data)) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]
    assert {icon["purpose"] for icon in client.get("/manifest.webmanifest").get_json()["icons"]} == {"any", "maskable"}


def service_worker_constants(script: str) -> dict:
    return {name: json.loads(value) for name, value in re.findall(r"^const (\w+) = (.+);$", script, re.M)
            if value.startswith(("[", '"'))}


def test_the_service_worker_keeps_only_our_own_versioned_files_and_asks_no_third_party(client):
    response = client.get("/service-worker.js")
    assert response.mimetype == "text/javascript" and "no-cache" in response.headers["Cache-Control"]
    script = response.get_data(as_text=True)
    constants = service_worker_constants(script)
    assets = constants["ASSETS"]
    assert {"css/site.css", "vendor/idb-keyval.js", "js/offline-queue.js", "js/observation-form.js"} <= \
        {re.sub(r"^/static/|\?v=\w+$", "", url) for url in assets}
    for url in assets + [constants["OFFLINE_URL"]]:
        assert url.startswith("/") and not url.startswith("//"), url
        assert client.get(url).status_code == 200, url
    assert all(re.search(r"\?v=[0-9a-f]{12}$", url) for url in assets)
    # No address of anyone else anywhere in the worker.
    assert not re.search(r"https?://", script)


def test_a_changed_static_file_makes_a_new_cache(client, app, tmp_path, monkeypatch):
    first = service_worker_constants(client.get("/service-worker.js").get_data(as_text=True))["CACHE"]
    folder = tmp_path / "static"
    folder.mkdir()
    for name in ("css", "js", "vendor", "icons"):
        (folder / name).symlink_to(f"{app.static_folder}/{name}")
    (folder / "favicon.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    monkeypatch.setattr(app, "static_folder", str(folder))
    second = service_worker_constants(client.get("/service-worker.js").get_data(as_text=True))["CACHE"]
    assert first != second and first.startswith("watch-") and second.startswith("watch-")


def test_the_offline_page_says_what_still_works(client):
    page = client.get("/offline").get_data(as_text=True)
    assert "Ingen anslutning" in page and "Ett formulär för iakttagelser som redan är öppet fungerar ändå" in page


def test_only_logged_in_pages_link_the_manifest_and_the_offline_queue(client, db, factory, login):
    front = client.get("/").get_data(as_text=True)
    assert 'rel="manifest"' not in front and "offline-queue.js" not in front
    person = factory.user(Role.RESIDENT, factory.municipality())
    page = login(person).get("/alerts/feed").get_data(as_text=True)
    assert 'rel="manifest"' in page and "offline-queue.js" in page and f'data-person="{person.id}"' in page
    assert "data-offline-status" in page


def test_the_profile_offers_install_and_push_and_lists_the_devices_with_push_on(db, factory, login):
    person = factory.user(Role.RESIDENT, factory.municipality())
    client = login(person)
    page = client.get("/profile").get_data(as_text=True)
    assert "Den här telefonen eller datorn" in page and "Installera portalen" in page
    assert f'data-push-key="{client.application.config["VAPID_PUBLIC_KEY"]}"' in page
    assert "Enheter med push påslaget" not in page

    client.post("/profile/push", data=SUBSCRIPTION, headers={"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 "
                "like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"})
    page = client.get("/profile").get_data(as_text=True)
    assert "Push-meddelanden är påslagna i den här webbläsaren." in page
    assert "Enheter med push påslaget" in page and "Safari på iPhone" in page
    assert "Skicka varningar via push i stället för sms" in page

    client.post("/profile/push/off", data={"endpoint": SUBSCRIPTION["endpoint"]})
    assert db.session.scalar(select(PushSubscription)) is None


def test_a_browser_that_subscribes_again_moves_to_the_person_now_logged_in(db, factory, login):
    municipality = factory.municipality()
    first, second = factory.user(Role.RESIDENT, municipality), factory.user(Role.RESIDENT, municipality)
    login(first).post("/profile/push", data=SUBSCRIPTION)
    login(second).post("/profile/push", data=SUBSCRIPTION)
    assert db.session.scalars(select(PushSubscription.user_id)).all() == [second.id]
    # Nobody turns off someone else's device.
    login(first).post("/profile/push/off", data={"endpoint": SUBSCRIPTION["endpoint"]})
    assert db.session.scalars(select(PushSubscription.user_id)).all() == [second.id]


def test_keys_that_are_no_point_on_the_curve_are_refused(db, factory, login):
    person = factory.user(Role.RESIDENT, factory.municipality())
    client = login(person)
    client.post("/profile/push", data={**SUBSCRIPTION, "p256dh": "B" + "A" * 86})
    assert "Webbläsaren gav nycklar för push-meddelanden som portalen inte kan använda." in \
        client.get("/profile").get_data(as_text=True)
    assert db.session.scalar(select(PushSubscription)) is None


def test_without_vapid_keys_push_is_off_and_says_so(app, db, factory, login, monkeypatch):
    monkeypatch.setitem(app.config, "VAPID_PRIVATE_KEY", None)
    person = factory.user(Role.RESIDENT, factory.municipality())
    client = login(person)
    client.post("/profile/push", data=SUBSCRIPTION)
    page = client.get("/profile").get_data(as_text=True)
    assert "Push-meddelanden är inte inställda i den här portalen." in page and "data-push-button" not in page
    assert db.session.scalar(select(PushSubscription)) is None


def test_my_data_export_holds_my_push_devices_and_deleting_the_account_removes_them(db, factory, login):
    person = factory.user(Role.RESIDENT, factory.municipality())
    client = login(person)
    client.post("/profile/push", data=SUBSCRIPTION, headers={"User-Agent": "Mozilla/5.0 (Android 14) Firefox/133.0"})
    data = client.get("/my-data/export.json").get_json()
    assert [d["device"] for d in data["push_devices"]] == ["Firefox på Android"]
    client.post("/my-data/delete", data={"confirm": "y", "password": PASSWORD})
    db.session.expire_all()
    assert db.session.scalar(select(PushSubscription)) is None


def test_flask_push_keys_makes_a_valid_pair_and_the_demo_makes_its_own_once(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["push", "keys"])
    lines = dict(line.split("=", 1) for line in result.output.split())
    assert len(push._decoded(lines["VAPID_PRIVATE_KEY"], 32)) == 32
    assert push._is_public_key(push._decoded(lines["VAPID_PUBLIC_KEY"], 65))

    development = Flask("demo", instance_path=str(tmp_path))
    development.config.update(ENV_NAME="development", VAPID_PRIVATE_KEY=None, VAPID_PUBLIC_KEY=None)
    with development.app_context():
        assert push.make_demo_keys() is True and push.make_demo_keys() is False
    push.init_app(development)
    assert push._is_public_key(push._decoded(development.config["VAPID_PUBLIC_KEY"], 65))
    assert (tmp_path / push.DEMO_KEYS_FILE).stat().st_mode & 0o077 == 0
