"""`flask jobs worker`: run Huey consumers inside the Flask app."""
import logging.config

import click
from flask import current_app
from flask.cli import AppGroup

from watch.jobs import huey
from watch.core.logs import dict_config

jobs_cli = AppGroup("jobs", help="Background jobs (SMS fan-out, retries, retention).")


@jobs_cli.command("worker")
@click.option("--workers", "-w", default=4, show_default=True, help="threads in this process")
@click.option("--no-periodic", is_flag=True, help="leave periodic jobs to another worker")
@click.option("--shutdown-timeout", default=30, show_default=True,
              help="seconds running jobs get to finish after SIGTERM")
@click.option("--max-delay", default=1.0, show_default=True,
              help="longest pause between looks at an idle queue (SQLite; Redis wakes workers at once)")
def worker(workers: int, no_periodic: bool, shutdown_timeout: int, max_delay: float) -> None:
    """Consume jobs until stopped.

    SIGTERM (systemd, docker stop, `make prod-local`'s Ctrl-C) lets the running jobs finish first;
    SIGINT (Ctrl-C on this command itself) stops at once.
    """
    logging.config.dictConfig(dict_config(current_app.config["LOG_FORMAT"]))
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=not no_periodic,
                                    graceful_signal="TERM", shutdown_timeout=shutdown_timeout,
                                    max_delay=max_delay)
    consumer.run()
