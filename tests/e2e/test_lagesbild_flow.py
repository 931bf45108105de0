"""Done when: on a phone, the coordinator opens this week's lägesbild with demo data, sees the chart and the
table and publishes a summary; a visitor then sees the public summary and the current medborgarlöfte."""
import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import log_in
from tests.lagesbild_support import observe
from watch.demo import DEMO_PASSWORD, seed_demo
from watch.lagesbild import services
from watch.lagesbild.demo import PROMISES, promise_periods
from watch.core.weeks import day_start
from watch.models import Group, Municipality, ObservationCategory as C, User


def seed_demo_with_this_weeks_observations(db):
    """The demo, plus a few observations this week so the page has bars even early on a Monday.

    Returns this week's numbers as the page should show them (the demo may hold observations too).
    """
    for _ in seed_demo():
        pass
    db.session.commit()
    reporter = db.session.scalar(select(User).where(User.email == "boende@oxelosund.demo"))
    groups = {g.name: g for g in db.session.scalars(select(Group))}
    week = services.this_week()
    # Monday 07:00 of this week is never in the future, whatever day the test runs.
    for group, category, count in (("Västra vägen", C.BURGLARY, 2), ("Västra vägen", C.SUSPICIOUS_VEHICLE, 3),
                                   ("Jogersö båtklubb", C.BOAT_THEFT, 1)):
        observe(db, reporter, groups[group], week.key, category, count,
                observed_at=day_start(week.monday) + timedelta(hours=7))
    observe(db, reporter, groups["Västra vägen"], week.shift(-1).key, C.BURGLARY, 2)
    oxelosund = db.session.scalar(select(Municipality).where(Municipality.slug == "oxelosund"))
    counts = services.counts(oxelosund.id, services.this_week_period())
    return week, {row["key"]: row["count"] for row in counts["categories"]}, \
        {row["name"]: row["count"] for row in counts["groups"]}


def log_in_as(page, audit, db, email):
    log_in(page, audit, db, db.session.scalar(select(User).where(User.email == email)), DEMO_PASSWORD)


def test_coordinator_publishes_this_weeks_lagesbild_and_a_visitor_sees_the_public_summary(page, audit, db):
    week, categories, groups = seed_demo_with_this_weeks_observations(db)
    label = f"vecka {week.number}, {week.year}"
    vehicles, total = categories["suspicious_vehicle"], sum(categories.values())

    log_in_as(page, audit, db, "samordnare@oxelosund.demo")
    page.get_by_role("link", name="Lägesbild", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(label.capitalize())
    audit(page)
    chart = page.get_by_role("img", name=f"Iakttagelser per kategori, {label}")
    expect(chart).to_be_visible()
    expect(chart.locator("text").filter(has_text="Misstänkt fordon")).to_have_count(1)
    table = page.get_by_role("table", name="Iakttagelser per kategori jämfört med tidigare perioder")
    expect(table).to_be_visible()
    expect(table.get_by_role("row", name=re.compile(f"^Misstänkt fordon {vehicles} "))).to_be_visible()
    expect(page.get_by_text(f"{total} iakttagelser under perioden.")).to_be_visible()

    # The A4 print shows the numbers, not the controls.
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Publicera lägesbilden")).to_be_hidden()
    expect(chart).to_be_visible()
    page.emulate_media(media="screen")

    page.get_by_role("button", name="Publicera lägesbilden").click()
    expect(page.get_by_text("Skriv en kort sammanfattning innan du publicerar.").first).to_be_visible()
    audit(page)
    page.get_by_label("Sammanfattning", exact=True).fill(
        "Fler misstänkta fordon kring Västra vägen. Förslag till EST: kvällsnärvaro vid Tallvägen.")
    page.get_by_role("button", name="Publicera lägesbilden").click()
    expect(page.get_by_text(f"Lägesbilden för {label} är publicerad.")).to_be_visible()
    audit(page)
    published = page.locator("#published")
    expect(published.get_by_text("Förslag till EST: kvällsnärvaro vid Tallvägen.")).to_be_visible()
    page.emulate_media(media="print")  # the A4 for the EST meeting now leads with the summary
    expect(page.get_by_role("region", name="Sammanfattning", exact=True)
           .get_by_text("Förslag till EST: kvällsnärvaro vid Tallvägen.")).to_be_visible()
    expect(published).to_be_hidden()
    page.emulate_media(media="screen")
    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_text("Du är utloggad.")).to_be_visible()  # logging out first checks the phone's queue
    audit(page)

    page.goto("/m/oxelosund")
    audit(page)
    summary = page.locator(".public-lagesbild")
    expect(summary.get_by_text(f"Iakttagelser som grupperna har rapporterat, {label}.")).to_be_visible()
    expect(summary.get_by_role("row", name=f"Misstänkt fordon {vehicles}", exact=True)).to_be_visible()
    expect(summary.get_by_role("row", name=f"Västra vägen {groups['Västra vägen']}", exact=True)).to_be_visible()
    expect(summary.get_by_text("Förslag till EST")).to_have_count(0)
    current_title = PROMISES[promise_periods(services.today())[0][0].month][0]
    expect(page.locator(".public-promise").get_by_role("heading", level=3)).to_have_text([current_title])
    page.get_by_role("link", name="Tidigare medborgarlöften").click()
    expect(page.get_by_role("heading", name="Tidigare medborgarlöften i Oxelösund")).to_be_visible()
    expect(page.get_by_role("heading", name="Uppföljning").first).to_be_visible()
    audit(page)


def test_police_read_the_lagesbild_and_follow_up_the_medborgarlofte(page, audit, db):
    seed_demo_with_this_weeks_observations(db)
    log_in_as(page, audit, db, "polis@oxelosund.demo")
    page.get_by_role("link", name="Lägesbild", exact=True).click()
    expect(page.get_by_role("img", name=re.compile("^Iakttagelser per kategori"))).to_be_visible()
    expect(page.get_by_role("button", name="Publicera lägesbilden")).to_have_count(0)
    audit(page)
    page.get_by_text("Välj veckor").click()
    page.get_by_label("Från vecka").fill("2026-W10")
    page.get_by_label("Till vecka").fill("2026-W02")
    page.get_by_role("button", name="Visa").click()
    expect(page.get_by_text("Sista veckan kan inte vara före den första.").first).to_be_visible()
    audit(page)

    page.get_by_role("link", name="Medborgarlöften").click()
    expect(page.get_by_text("Gäller nu", exact=True)).to_be_visible()
    audit(page)
    page.get_by_role("link", name=re.compile("^Ändra")).first.click()
    audit(page)
    page.get_by_label("Gäller till och med").fill("")
    page.get_by_role("button", name="Spara löftet").click()
    expect(page.get_by_text("Skriv periodens sista dag.").first).to_be_visible()
    audit(page)
    page.get_by_label("Gäller till och med").fill(services.today().replace(month=12, day=31).isoformat())
    page.get_by_label("Uppföljning (frivilligt)").fill("Polis fanns i gästhamnen 6 av 8 helgkvällar hittills.")
    page.get_by_role("button", name="Spara löftet").click()
    expect(page.get_by_text("Medborgarlöftet är sparat.")).to_be_visible()
    audit(page)
    page.get_by_role("link", name="Se kommunens sida så som de boende ser den").click()
    expect(page.get_by_text("Polis fanns i gästhamnen 6 av 8 helgkvällar hittills.")).to_be_visible()
    audit(page)
