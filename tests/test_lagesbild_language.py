"""Issue 17: the lägesbild and its CSV stay in the municipality's language for the EST meeting, whatever language
the reader chose; the page around the document is in the reader's language, and the document says its language."""
import csv
import io
import re

import pytest

from tests.lagesbild_support import observe
from tests.observation_support import make_group
from watch.models import ObservationCategory, Role


@pytest.fixture
def oxelosund(db, factory):
    """Oxelösund (lägesbild in Swedish) with observations in week 10 of 2026, and a coordinator who reads Finnish."""
    municipality = factory.municipality("Oxelösund", "0481")
    reporter = factory.user(Role.RESIDENT, municipality, name="Maria Holm")
    group = make_group(db, municipality, name="Västra vägen", postcodes=("61331",), members=[reporter])
    observe(db, reporter, group, "2026-W10", ObservationCategory.SUSPICIOUS_VEHICLE, 2)
    return municipality


@pytest.fixture
def finnish_coordinator(factory, oxelosund):
    return factory.user(Role.COORDINATOR, oxelosund, name="Aino Virtanen", locale="fi")


def document(page: str, language: str) -> str:
    """What the page shows inside the document's element(s) of that language."""
    parts = re.findall(rf'<div class="lagesbild__document" lang="{language}" dir="\w+">(.*?)\n</div>', page, re.S)
    assert parts, f"no document in {language}"
    return "".join(parts)


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))


def test_a_finnish_reader_gets_the_week_in_swedish_inside_a_finnish_page(finnish_coordinator, login):
    page = login(finnish_coordinator).get("/lagesbild/oxelosund/2026/10").text
    swedish = document(page, "sv")
    assert "Lägesbild för Oxelösund" in swedish and "Vecka 10, 2026" in swedish
    assert "Iakttagelser per kategori" in swedish and "Misstänkt fordon" in swedish
    assert "Språk: svenska" in swedish  # what a printed copy says of its language
    # The page around it is the reader's: the tools to choose weeks, print and export.
    assert "Valitse viikot" in page and "Tulosta ja vie" in page
    assert "Valitse viikot" not in swedish


def test_a_finnish_reader_downloads_the_csv_in_swedish(finnish_coordinator, login):
    rows = csv_rows(login(finnish_coordinator).get("/lagesbild/oxelosund/2026/10/counts.csv"))
    assert rows[0] == ["Första vecka", "Sista vecka", "Indelning", "Värde", "Iakttagelser",
                       "Snitt för de fyra föregående perioderna", "Samma period förra året"]
    assert ["2026-W10", "2026-W10", "Kategori", "Misstänkt fordon", "2", "0", "0"] in rows
    assert ["2026-W10", "2026-W10", "Postnummer", "613 31", "2", "", ""] in rows


def test_the_year_page_and_csv_and_the_published_pictures_are_in_swedish_too(
        factory, oxelosund, finnish_coordinator, login):
    client = login(finnish_coordinator)
    year = client.get("/lagesbild/oxelosund/year/2026").text
    assert "Uppföljning 2026" in document(year, "sv") and "Misstänkt fordon" in document(year, "sv")
    assert "Språk: svenska" in document(year, "sv")
    rows = csv_rows(client.get("/lagesbild/oxelosund/year/2026.csv"))
    assert ["Kategori", "Misstänkt fordon", "2", "0"] in rows and rows[0][:2] == ["Indelning", "Värde"]

    response = client.post("/lagesbild/oxelosund/publish", data={
        "first_week": "2026-W10", "last_week": "2026-W10", "summary": "Fler misstänkta fordon kring Västra vägen."})
    assert response.status_code == 302
    published = client.get("/lagesbild/oxelosund/published").text
    assert "Siffrorna som de publicerades" in published and "Vecka 10, 2026" in published
    # The reader is told in their own language which language the documents are in.
    assert re.search(r"<p>[^<]*ruotsi[^<]*</p>", published)


def test_a_municipality_can_keep_its_lagesbild_in_finnish_and_the_document_says_so(
        app, db, oxelosund, factory, login):
    result = app.test_cli_runner().invoke(args=["municipalities", "set-language", "--municipality", "0481",
                                                "--language", "fi"])
    assert result.exit_code == 0, result.output
    swedish_reader = factory.user(Role.COORDINATOR, oxelosund, name="Karin Lindqvist")
    page = login(swedish_reader).get("/lagesbild/oxelosund/2026/10").text
    assert "Kieli: suomi" in document(page, "fi") and "Välj veckor" in page  # the page itself stays Swedish
    assert app.test_cli_runner().invoke(args=["municipalities", "set-language", "--municipality", "0481",
                                              "--language", "de"]).exit_code != 0
