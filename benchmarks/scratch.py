"""A PostgreSQL database and an app of their own for a benchmark, and the state autovacuum would leave.

Imports `watch` when called, not at import time (see staff_login.py).
"""
import contextlib
import tempfile
from collections.abc import Iterator

from sqlalchemy import create_engine, text


@contextlib.contextmanager
def scratch_app(server: str, database: str, *, reuse: bool = False, **config) -> Iterator[tuple]:
    """Yields (app, reused): the app on `database`, made empty on `server`, with its photos in a temporary
    folder; the database is dropped at the end. With `reuse`, a database an earlier run left is used as it
    is (reused True) and kept afterwards."""
    from watch import create_app
    from watch.config import database_url
    from watch.extensions import db

    admin = create_engine(database_url(f"{server.rstrip('/')}/postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        reused = reuse and connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                              {"name": database}).scalar() is not None
        if not reused:
            connection.execute(text(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
            connection.execute(text(f"CREATE DATABASE {database}"))
    try:
        with tempfile.TemporaryDirectory() as folder:
            app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(f"{server.rstrip('/')}/{database}"),
                              "UPLOAD_FOLDER": folder, **config})
            try:
                yield app, reused
            finally:
                with app.app_context():
                    db.engine.dispose()
    finally:
        if not reuse:
            with admin.connect() as connection:
                connection.execute(text(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
        admin.dispose()


def settle(engine) -> None:
    """What autovacuum does soon after a bulk load on PostgreSQL: statistics for the planner, and the
    visibility map that lets index-only scans read the index alone."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
