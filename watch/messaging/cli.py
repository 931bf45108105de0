"""`flask push keys`: a VAPID key pair for Web Push, to put in the environment."""
import click
from flask.cli import AppGroup

from watch.messaging.push import make_vapid_keys

push_cli = AppGroup("push", help="Web Push (push messages to installed browsers).")


@push_cli.command("keys")
def keys() -> None:
    """Print a new VAPID key pair as environment lines. Keep the private key secret; changing the keys ends
    every device's push subscription (people turn push on again)."""
    private, public = make_vapid_keys()
    click.echo(f"VAPID_PRIVATE_KEY={private}")
    click.echo(f"VAPID_PUBLIC_KEY={public}")
