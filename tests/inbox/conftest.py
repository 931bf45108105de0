import pytest

from tests.alerts.conftest import fake_twilio, town  # noqa: F401 - the same Oxelösund and fake Twilio as alerts
from watch.models import Role


@pytest.fixture
def staff(town, factory):
    """Who reads which inbox: Oxelösund's coordinator and police, a Nyköping officer who also covers
    Oxelösund, and Nyköping's own coordinator and police."""
    return {
        "coordinator": town.coordinator, "police": town.police,
        "covering_police": factory.user(Role.POLICE, town.other, name="Ludvig Hellman", covers=[town.municipality]),
        "other_coordinator": factory.user(Role.COORDINATOR, town.other, name="Sara Nordin"),
        "other_police": town.other_police,
    }
