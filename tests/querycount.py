"""Count the SQL statements a block of code sends, so tests can bound them."""
from contextlib import contextmanager

from sqlalchemy import event


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def __repr__(self) -> str:
        return f"{self.count} queries:\n" + "\n".join(s.split("\n")[0][:160] for s in self.statements)


@contextmanager
def count_queries(engine):
    """Usage: `with count_queries(db.engine) as queries: client.get(...)`, then `queries.count`."""
    counter = QueryCounter()

    def record(conn, cursor, statement, parameters, context, executemany):
        counter.statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", record)
