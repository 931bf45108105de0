"""`flask jobs worker`: run Huey consumers inside the Flask app."""
import logging

import click
from flask.cli import AppGroup

from watch.jobs import huey

jobs_cli = AppGroup("jobs", help="Background jobs (SMS fan-out, retries, retention).")


@jobs_cli.command("worker")
@click.option("--workers", "-w", default=4, show_default=True, help="threads in this process")
@click.option("--no-periodic", is_flag=True, help="leave periodic jobs to another worker")
def worker(workers: int, no_periodic: bool) -> None:
    """Consume jobs until stopped (Ctrl-C or SIGTERM finishes the running ones first)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=not no_periodic)
    consumer.run()
