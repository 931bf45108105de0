"""Oxelösund's medborgarlöften (the current one and earlier ones) and one published lägesbild.

Promises follow the four-month periods (January–April, May–August, September–December) around
today, so the demo always has a current one and an archive. Idempotent: skips what exists.
"""
from collections.abc import Iterator
from datetime import date

from sqlalchemy import select

from watch.core.municipalities import find_municipality
from watch.extensions import db
from watch.lagesbild import services
from watch.core.weeks import Period
from watch.models import CitizenPromise, SituationPicture, User

COORDINATOR = "samordnare@oxelosund.demo"
POLICE = "polis@oxelosund.demo"

# By the first month of the four-month period: (title, promise, follow-up once it has ended).
PROMISES = {
    1: (
        "Båtmotorer i vinterförvaring",
        "Under vintern och våren står många båtar på land med motorerna kvar. Polisen och Oxelösunds kommun lovar "
        "att\n\n• besöka båtuppställningarna vid Jogersö och Femöre minst varannan vecka,\n• tillsammans med "
        "båtklubbarna gå igenom belysning och stängsel före 1 april,\n• märka utombordsmotorer med DNA-märkning på "
        "två märkningsdagar i mars.",
        "Polisen besökte båtuppställningarna 19 gånger. 140 motorer märktes under märkningsdagarna. Två stölder "
        "anmäldes under perioden mot sju samma period året innan. Jogersö båtklubb har satt upp ny belysning vid "
        "uppställningen.",
    ),
    5: (
        "Tryggare sommarhelger i gästhamnen och på Jogersö",
        "Under sommarhelgerna kommer många besökare till gästhamnen och Jogersö. Polisen och Oxelösunds kommun "
        "lovar att\n\n• vara på plats i gästhamnen och vid Jogersö camping fredags- och lördagskvällar i juni, "
        "juli och augusti,\n• följa upp varje anmäld stöld av båtmotor eller bränsle inom en vecka och berätta för "
        "Båtsamverkan vad vi ser,\n• tillsammans med kommunens fältassistenter möta unga på Jogersö under "
        "midsommar och skolavslutning.",
        "Polis fanns i gästhamnen eller på Jogersö 22 av 26 helgkvällar. Tolv stölder av båtmotorer eller bränsle "
        "anmäldes; samtliga följdes upp och två motorer kom tillbaka till ägarna. Båtsamverkan fick fem utskick om "
        "misstänkta fordon vid hamnen.",
    ),
    9: (
        "Mörkare kvällar: inbrott i villor och förråd",
        "När kvällarna blir mörka ökar inbrotten i villor och förråd. Polisen och Oxelösunds kommun lovar att\n\n"
        "• genomföra trygghetsvandringar i Ramdalen, Frösäng och området kring Västra vägen under oktober,\n"
        "• laga trasig gatubelysning som grannsamverkansgrupperna rapporterar inom två veckor,\n• bjuda in till "
        "informationsträffar om Grannsamverkan i Stjärnholmsskolans matsal.",
        "Tre trygghetsvandringar genomfördes med 45 deltagare. 31 trasiga gatlampor lagades, de flesta inom en "
        "vecka. Två nya grannsamverkansgrupper startade. Inbrotten i förråd minskade från 14 till 9 jämfört med "
        "samma period året innan.",
    ),
}

SUMMARY = (
    "Lugn vecka i stort. Iakttagelserna gäller främst misstänkta fordon kring Västra vägen och båtuppställningen "
    "vid Jogersö. Förslag till EST: extra kvällsnärvaro vid Jogersö hamn och påminnelse till Båtsamverkan om att "
    "låsa bränsletankar."
)


def promise_periods(today: date, count: int = 3) -> list[tuple[date, date]]:
    """The four-month period containing today and the ones before it, latest first."""
    start = date(today.year, (today.month - 1) // 4 * 4 + 1, 1)
    periods = []
    for _ in range(count):
        periods.append(services.default_promise_period(start))
        start = services.add_months(start, -4)
    return periods


def seed() -> Iterator[str]:
    municipality = find_municipality("oxelosund")
    people = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_([COORDINATOR, POLICE])))}
    today = services.today()
    for index, (starts_on, ends_on) in enumerate(promise_periods(today)):
        if db.session.scalar(select(CitizenPromise.id).where(CitizenPromise.municipality_id == municipality.id,
                                                             CitizenPromise.starts_on == starts_on)):
            continue
        title, body, follow_up = PROMISES[starts_on.month]
        services.save_promise(None, municipality, people[POLICE if index % 2 else COORDINATOR], title=title,
                              body=body, starts_on=starts_on, ends_on=ends_on,
                              follow_up=follow_up if ends_on < today else "")
        yield f"created medborgarlöfte {title} ({starts_on}–{ends_on})"

    if not db.session.scalar(select(SituationPicture.id).where(SituationPicture.municipality_id == municipality.id)):
        last_week = services.this_week().shift(-1)
        services.publish(municipality, Period(last_week, last_week), SUMMARY, people[COORDINATOR])
        yield f"published lägesbild for {last_week}"
