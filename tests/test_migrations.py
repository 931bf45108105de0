"""The Alembic migrations build exactly the schema the models describe."""
import os

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from watch import create_app
from watch.extensions import db
from watch.models import Base
from tests.conftest import TEST_DATABASE_URL


def fresh_database_url(tmp_path) -> tuple[str, callable]:
    if not TEST_DATABASE_URL:
        return f"sqlite:///{tmp_path}/migrations.db", lambda: None
    admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    name = f"watch_migrations_check_{os.getpid()}"
    with admin.connect() as c:
        c.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        c.execute(text(f"CREATE DATABASE {name}"))

    def drop():
        with admin.connect() as c:
            c.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()

    return TEST_DATABASE_URL.rsplit("/", 1)[0] + "/" + name, drop


def test_migrations_match_the_models_and_downgrade_cleanly(tmp_path):
    url, drop = fresh_database_url(tmp_path)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    try:
        with app.app_context():
            upgrade()
            with db.engine.connect() as connection:
                diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                        Base.metadata)
            assert diff == [], f"models and migrations differ; run `flask db migrate`: {diff}"
            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
            db.engine.dispose()
    finally:
        drop()
