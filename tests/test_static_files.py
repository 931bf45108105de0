"""Static files: cached for a year under a URL that changes with the file, and cheap to serve."""
import os
import re

from flask import url_for

from tests.querycount import count_queries


def _static_urls(html: str) -> list[str]:
    return [url.replace("&amp;", "&") for url in re.findall(r'"(/static/[^"]+)"', html)]


def test_pages_link_static_files_by_content_and_those_urls_are_cached_for_a_year(client, db):
    urls = _static_urls(client.get("/").text)
    assert {url.split("?")[0] for url in urls} >= {"/static/css/site.css", "/static/vendor/htmx.min.js"}
    for url in urls:
        assert re.search(r"\?v=[0-9a-f]{12}$", url), url
        cache = client.get(url).headers["Cache-Control"]
        assert "max-age=31536000" in cache and "immutable" in cache and "public" in cache, (url, cache)


def test_an_old_or_unversioned_url_is_revalidated_not_kept(client, db):
    for url in ("/static/css/site.css", "/static/css/site.css?v=000000000000"):
        response = client.get(url)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-cache"


def test_a_changed_file_gets_a_new_url(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    style = tmp_path / "site.css"
    style.write_text("body { color: black; }")
    with app.test_request_context():
        before = url_for("static", filename="site.css")
        style.write_text("body { color: navy; }")
        os.utime(style, (1, 1))  # a new modification time, as any edit or deploy gives
        after = url_for("static", filename="site.css")
    assert before != after and before.startswith("/static/site.css?v=") and after.startswith("/static/site.css?v=")


def test_a_logged_in_persons_static_request_asks_the_database_nothing(factory, login, db):
    client = login(factory.user())
    url = _static_urls(client.get("/").text)[0]
    with count_queries(db.engine) as queries:
        response = client.get(url)
    assert response.status_code == 200 and queries.count == 0, queries
    assert "no-store" not in response.headers["Cache-Control"]
    assert "Accept-Language" not in response.headers.get("Vary", "")
    # The same for everyone: a shared cache (the load balancer) keeps one copy, and no cookie rides along.
    assert "Cookie" not in response.headers.get("Vary", "") and "Set-Cookie" not in response.headers
    assert "Cookie" in client.get("/").headers["Vary"]  # pages still vary by who is logged in
