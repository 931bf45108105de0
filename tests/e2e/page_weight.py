"""What a page costs to load: bytes on the wire per request, as Chromium's network panel counts them.

Used by tests/e2e/test_page_weight.py and benchmarks/lighthouse.py.
"""


def first_load(page, url: str) -> list[tuple[str, int]]:
    """Load `url` in a page with an empty cache; returns (request url, bytes transferred) per request.

    Every request counts, from our server or any other, including the favicon and failed ones.
    """
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    urls: dict[str, str] = {}
    transferred: dict[str, int] = {}
    cdp.on("Network.requestWillBeSent", lambda event: urls.__setitem__(event["requestId"], event["request"]["url"]))
    cdp.on("Network.loadingFinished",
           lambda event: transferred.__setitem__(event["requestId"], int(event["encodedDataLength"])))
    cdp.on("Network.loadingFailed", lambda event: transferred.setdefault(event["requestId"], 0))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    cdp.detach()
    return [(urls[request_id], size) for request_id, size in transferred.items() if request_id in urls]
