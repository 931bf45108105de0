"""Server time of one page through the Flask test client (no network), and the SQL statements it sends."""
import statistics
import time

from tests.querycount import count_queries


def measure(client, engine, path: str, runs: int, warm_up: int = 5) -> tuple[float, float, int]:
    """Median and p95 in ms over `runs` requests after `warm_up` (caches, the template compiler)."""
    for _ in range(warm_up):
        assert client.get(path).status_code == 200, path
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        client.get(path)
        timings.append((time.perf_counter() - start) * 1000)
    with count_queries(engine) as queries:
        client.get(path)
    return statistics.median(timings), statistics.quantiles(timings, n=20)[18], queries.count


def print_table(client, engine, pages: list[tuple[str, str]], runs: int, warm_up: int = 5) -> None:
    """A Markdown table of `measure` for each (name, path)."""
    print("| page | median ms | p95 ms | SQL statements |")
    print("| --- | ---: | ---: | ---: |")
    for name, path in pages:
        median, p95, statements = measure(client, engine, path, runs, warm_up)
        print(f"| {name} | {median:.1f} | {p95:.1f} | {statements} |")
