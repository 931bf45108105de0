"""Create the PostgreSQL database named in a URL if it does not exist yet (make prod-local, benchmarks).

    python deploy/create_database.py postgresql://postgres@127.0.0.1:5432/watch_local
"""
import sys

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url


def create_database(url: str) -> bool:
    """True when the database was created, False when it was there already."""
    target = make_url(url)
    server = target.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(server, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (target.database,)).fetchone():
            return False
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.database)))
        return True


if __name__ == "__main__":
    created = create_database(sys.argv[1])
    print(f"created database {make_url(sys.argv[1]).database}" if created else "database exists")
