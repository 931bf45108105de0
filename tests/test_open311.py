"""Open311 GeoReport v2: services, observations as anonymised open data, and reports from partner systems.

The reading side is tested with a published client (the `georeport` package) against a live server.
That client has no call for POST requests, so posting follows the specification by hand.
"""
import threading
import xml.etree.ElementTree as ElementTree
from datetime import datetime, timedelta, timezone

import pytest
import requests
from georeport import GeoReport
from sqlalchemy import select
from werkzeug.serving import make_server

from tests.observation_support import file_observation, make_group
from watch.core.weeks import IsoWeek, local_zone
from watch.models import (
    Observation, ObservationCategory as C, ObservationSource, ObservationStatus, PartnerKind, PartnerOrganisation,
    Role, utcnow,
)
from watch.partners import services as partners

PERSONAL = ("Västra vägen", "skåpbil", "ABC123", "ABC 123", "Testperson", "exempel.se", "58.66", "17.10",
            "Karlsson")


@pytest.fixture(scope="module")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/open311/v2"
    server.shutdown()


@pytest.fixture
def world(db, factory):
    oxelosund = factory.municipality()
    nykoping = factory.municipality("Nyköping", "0480")
    member = factory.user(Role.RESIDENT, oxelosund, name="Testperson Karlsson")
    group = make_group(db, oxelosund, members=[member])
    other_member = factory.user(Role.RESIDENT, nykoping)
    other_group = make_group(db, nykoping, name="Brandholmen", members=[other_member], postcodes=("61140",))
    housing = PartnerOrganisation(municipality=oxelosund, name="Oxelösundshem", kind=PartnerKind.HOUSING)
    db.session.add(housing)
    db.session.commit()
    coordinator = factory.user(Role.COORDINATOR, oxelosund)
    key = partners.create_api_key(housing, coordinator)
    db.session.commit()
    return dict(oxelosund=oxelosund, member=member, group=group, other_member=other_member, other_group=other_group,
                housing=housing, key=key, coordinator=coordinator)


def monday_of(moment: datetime) -> str:
    return datetime.combine(IsoWeek.of(moment).monday, datetime.min.time(), tzinfo=local_zone()).isoformat()


def test_a_georeport_client_lists_the_services_in_json_and_xml(world, live_server):
    for fmt in ("json", "xml"):
        services = GeoReport(live_server, jurisdiction="oxelosund", output_format=fmt).get_service_list()
        by_code = {s["service_code"]: s for s in services}
        assert set(by_code) == {c.value for c in C}
        graffiti = by_code["graffiti"]
        assert graffiti["service_name"] == "Klotter och skadegörelse"
        assert graffiti["description"] == "Klotter och skador på offentliga platser."
        assert graffiti["group"] == "Offentliga platser"
        assert graffiti["metadata"] in (False, "false") and graffiti["type"] == "realtime"


def test_requests_are_anonymised_open_data_in_json_and_xml(world, db, live_server):
    seen_at = utcnow() - timedelta(days=3)
    observation = file_observation(db, world["member"], world["group"], observed_at=seen_at,
                                   location="Västra vägen 12, 613 31 Oxelösund", latitude=58.6674, longitude=17.1012)
    observation.status = ObservationStatus.FORWARDED
    uncategorised = file_observation(db, world["member"], world["group"])
    uncategorised.category = None  # an SMS waiting for the coordinator: nothing to publish yet
    nykopings = file_observation(db, world["other_member"], world["other_group"])
    file_observation(db, world["member"], world["group"], observed_at=utcnow() - timedelta(days=200))  # too old
    db.session.commit()

    expected = {"service_request_id": str(observation.id), "status": "closed", "service_code": "suspicious_vehicle",
                "service_name": "Misstänkt fordon", "requested_datetime": monday_of(seen_at), "zipcode": "61331"}
    for fmt in ("json", "xml"):
        client = GeoReport(live_server, jurisdiction="oxelosund", output_format=fmt)
        listed = client.get_service_requests()
        # xmltodict gives a single element as a dict, several as a list
        assert (listed if isinstance(listed, list) else [listed]) == [expected]
        assert client.get_service_request(str(observation.id)) == expected
        raw = requests.get(f"{live_server}/requests.{fmt}", params={"jurisdiction_id": "oxelosund"}).text
        assert not [word for word in PERSONAL if word in raw], raw
    assert GeoReport(live_server, jurisdiction="oxelosund").get_service_requests(status="open") == []
    for hidden in (uncategorised, nykopings):  # not open data yet; another municipality's
        with pytest.raises(requests.HTTPError) as refused:
            GeoReport(live_server, jurisdiction="oxelosund").get_service_request(str(hidden.id))
        assert refused.value.response.status_code == 404


def test_requests_span_at_most_90_days_and_come_in_pages(world, db, client, monkeypatch):
    from watch.open311 import services
    answer = client.get("/open311/v2/requests.json", query_string={
        "jurisdiction_id": "oxelosund", "start_date": "2026-01-01T00:00:00Z", "end_date": "2026-05-01T00:00:00Z"})
    assert answer.status_code == 400
    assert answer.json == [{"code": 400, "description": "start_date to end_date may span at most 90 days"}]

    for _ in range(5):
        file_observation(db, world["member"], world["group"])
    monkeypatch.setattr(services, "PAGE_SIZE", 2)
    seen, url = [], "/open311/v2/requests.json?jurisdiction_id=oxelosund"
    while url:
        answer = client.get(url)
        seen += [row["service_request_id"] for row in answer.json]
        url = answer.headers.get("Link", "").partition(">")[0].removeprefix("<").removeprefix("http://localhost")
    assert len(seen) == len(set(seen)) == 5


def test_a_partner_system_posts_a_request_with_its_key(world, db, live_server, login):
    data = {"jurisdiction_id": "oxelosund", "api_key": world["key"], "service_code": "graffiti",
            "address_string": "Ramdalsvägen 12, 613 37 Oxelösund", "description": "Nytt klotter på fasaden.",
            "lat": "58.6702", "long": "17.0957", "first_name": "Nadia", "email": "nadia@oxelosundshem.se"}
    answer = requests.post(f"{live_server}/requests.json", data=data)
    assert answer.status_code == 200
    [created] = answer.json()
    observation = db.session.get(Observation, int(created["service_request_id"]))
    assert (observation.category, observation.partner_organisation_id, observation.source, observation.group_id,
            observation.reporter_id, observation.postcode, observation.status) == (
        C.GRAFFITI, world["housing"].id, ObservationSource.OPEN311, None, None, "61337", ObservationStatus.NEW)
    assert observation.description == "Nytt klotter på fasaden." and "Nadia" not in repr(vars(observation))

    xml = requests.post(f"{live_server}/requests.xml", data={**data, "service_code": "littering"})
    request = ElementTree.fromstring(xml.content).find("request")
    assert request.find("service_request_id").text.isdigit() and request.find("service_notice").text

    inbox = login(world["coordinator"]).get("/coordinator/observations").get_data(as_text=True)
    assert "Klotter och skadegörelse" in inbox and "Oxelösundshem (Bostadsbolag)" in inbox


@pytest.mark.parametrize(("change", "status", "description"), [
    ({"api_key": "fel-nyckel"}, 403, "invalid api_key: ask the municipality's coordinator for a key"),
    ({"api_key": ""}, 403, "invalid api_key: ask the municipality's coordinator for a key"),
    ({"jurisdiction_id": "atlantis"}, 404, "unknown jurisdiction_id: atlantis"),
    ({"jurisdiction_id": "nykoping"}, 403, "the api_key is not for this jurisdiction_id"),
    ({"service_code": ""}, 400, "service_code is required"),
    ({"service_code": "pothole"}, 400, "unknown service_code: pothole"),
    ({"address_string": "", "lat": "", "long": ""}, 400, "a location is required: lat and long, or address_string"),
    ({"lat": "NaN", "long": "17"}, 400, "lat must be a decimal number of degrees (WGS84)"),
    ({"description": "x" * 2001}, 400, "description may be at most 2000 characters"),
])
def test_refused_posts_answer_in_the_specifications_error_format(world, db, client, change, status, description):
    data = {"jurisdiction_id": "oxelosund", "api_key": world["key"], "service_code": "graffiti",
            "address_string": "Ramdalsvägen 12", **change}
    answer = client.post("/open311/v2/requests.json", data=data)
    assert (answer.status_code, answer.json) == (status, [{"code": status, "description": description}])
    xml = client.post("/open311/v2/requests.xml", data=data)
    error = ElementTree.fromstring(xml.data).find("error")
    assert (xml.status_code, error.find("code").text, error.find("description").text) == (
        status, str(status), description)
    assert db.session.scalar(select(Observation)) is None


def test_a_revoked_key_or_suspended_organisation_cannot_post(world, db, login, client):
    data = {"jurisdiction_id": "oxelosund", "api_key": world["key"], "service_code": "disorder",
            "address_string": "Danviksvägen"}
    coordinator = login(world["coordinator"])
    coordinator.post(f"/coordinator/partners/{world['housing'].id}/suspend", data={"suspend": "1"})
    assert client.post("/open311/v2/requests.json", data=data).status_code == 403
    coordinator.post(f"/coordinator/partners/{world['housing'].id}/suspend", data={"suspend": "0"})
    assert client.post("/open311/v2/requests.json", data=data).status_code == 200
    key = db.session.scalar(select(partners.PartnerApiKey))
    coordinator.post(f"/coordinator/partners/{world['housing'].id}/keys/{key.id}/revoke")
    assert client.post("/open311/v2/requests.json", data=data).status_code == 403


def test_a_key_is_shown_once_and_stored_hashed(world, db, login):
    coordinator = login(world["coordinator"])
    page = coordinator.post(f"/coordinator/partners/{world['housing'].id}/keys")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    shown = page.get_data(as_text=True).split('<code class="api-key">')[1].split("</code>")[0]
    stored = db.session.scalars(select(partners.PartnerApiKey).order_by(partners.PartnerApiKey.id)).all()[-1]
    assert len(shown) >= 40 and shown not in repr(vars(stored)) and stored.prefix == shown[:8]
    again = coordinator.get(f"/coordinator/partners/{world['housing'].id}").get_data(as_text=True)
    assert shown not in again and f"{shown[:8]}…" in again
    assert partners.organisation_for_key(shown) == world["housing"]


def test_posting_is_rate_limited_per_key(limited_app):
    app, factory = limited_app
    from watch.extensions import db
    municipality = factory.municipality()
    housing = PartnerOrganisation(municipality=municipality, name="Oxelösundshem", kind=PartnerKind.HOUSING)
    db.session.add(housing)
    key = partners.create_api_key(housing, factory.user(Role.COORDINATOR, municipality))
    db.session.commit()
    client = app.test_client()
    data = {"jurisdiction_id": municipality.slug, "api_key": key, "service_code": "disorder",
            "address_string": "Danviksvägen"}
    statuses = [client.post("/open311/v2/requests.json", data=data).status_code for _ in range(21)]
    assert statuses[:20] == [200] * 20
    answer = client.post("/open311/v2/requests.json", data=data)
    assert answer.status_code == 429 and answer.json[0]["code"] == 429
