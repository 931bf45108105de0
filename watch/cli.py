"""Every `flask` command group, registered in one place."""
from flask import Flask


def register_cli(app: Flask) -> None:
    from watch.admin.cli import municipalities_cli, users_cli
    from watch.core.i18n import translate
    from watch.demo import demo_cli
    from watch.jobs.cli import jobs_cli
    from watch.messaging.cli import push_cli

    for group in (municipalities_cli, users_cli, demo_cli, jobs_cli, push_cli, translate):
        app.cli.add_command(group)
