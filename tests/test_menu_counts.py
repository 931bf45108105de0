"""The menu's badges: groups waiting, new observations and new SMS, counted in one query for the page."""
import re

from tests.observation_support import file_observation, make_group
from tests.querycount import count_queries
from watch.models import GroupStatus, Role, SmsReply, SmsReplyKind


def badges(page: str) -> dict[str, str]:
    """Each badge in the menu and its number ("" when none is waiting)."""
    groups = re.search(r'/coordinator/">Samordning\s*<span class="badge">(\d+)', page)
    observations = re.search(r'<span id="new-observations-badge"[^>]*>(\d*)', page)
    sms = re.search(r'<span id="new-sms-badge"[^>]*>(\d*)', page)
    return {"groups": groups[1] if groups else "", "observations": observations[1] if observations else None,
            "sms": sms[1] if sms else None}


def sms_from(db, user, municipality, n):
    for i in range(n):
        db.session.add(SmsReply(provider_sid=f"SM{user.id:08d}{i:024d}", phone=user.phone, body=f"Hej {i}",
                                kind=SmsReplyKind.MESSAGE, user_id=user.id, municipality_id=municipality.id))
    db.session.commit()


def test_each_person_sees_their_own_municipalitys_counts_from_one_query(db, factory, login):
    oxelosund, nykoping = factory.municipality(), factory.municipality("Nyköping", "0480")
    eva = factory.user(municipality=oxelosund, name="Eva Sjöberg", phone="+46701234505")
    gunnar = factory.user(municipality=nykoping, name="Gunnar Åberg", phone="+46701234509")
    group = make_group(db, oxelosund, members=[eva])
    make_group(db, oxelosund, name="Ramdalen norra", status=GroupStatus.PENDING)
    other_group = make_group(db, nykoping, name="Brandholmen", members=[gunnar], status=GroupStatus.APPROVED)
    make_group(db, nykoping, name="Stensötorp", status=GroupStatus.PENDING)
    make_group(db, nykoping, name="Ryssbergen", status=GroupStatus.PENDING)
    for _ in range(2):
        file_observation(db, eva, group)
    file_observation(db, gunnar, other_group)
    sms_from(db, eva, oxelosund, 3)
    sms_from(db, gunnar, nykoping, 1)

    coordinator = login(factory.user(Role.COORDINATOR, oxelosund))
    with count_queries(db.engine) as queries:
        page = coordinator.get("/profile").get_data(as_text=True)
    assert badges(page) == {"groups": "1", "observations": "2", "sms": "3"}
    assert sum("count(" in statement.lower() for statement in queries.statements) == 1, queries.statements

    police = login(factory.user(Role.POLICE, nykoping))
    page = police.get("/profile").get_data(as_text=True)
    assert badges(page) == {"groups": "", "observations": None, "sms": "1"}

    resident = login(eva)
    with count_queries(db.engine) as queries:
        page = resident.get("/profile").get_data(as_text=True)
    assert badges(page) == {"groups": "", "observations": None, "sms": None}
    assert not any("count(" in statement.lower() for statement in queries.statements)
