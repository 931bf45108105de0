"""The front page stays light on a phone: its first load transfers at most 50 KB, all from our own server."""
from urllib.parse import urlsplit

from tests.e2e.page_weight import first_load

FRONT_PAGE_BUDGET = 50 * 1024


def test_front_page_first_load_is_at_most_50_kb_and_makes_no_third_party_request(page, audit, factory, live_server):
    factory.municipality("Oxelösund", "0481")
    factory.municipality("Nyköping", "0480")

    transfers = first_load(page, "/")
    audit(page)

    total = sum(size for _, size in transfers)
    listing = "\n".join(f"{size:>7} {url}" for url, size in transfers)
    assert total <= FRONT_PAGE_BUDGET, f"{total} bytes on first load:\n{listing}"
    assert {urlsplit(url).netloc for url, _ in transfers} == {urlsplit(live_server).netloc}, listing
    # What the budget must cover: the page, its style sheet and htmx (compressed).
    paths = {urlsplit(url).path for url, _ in transfers}
    assert {"/static/vendor/htmx.min.js", "/static/css/site.css"} <= paths, listing
