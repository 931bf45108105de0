"""What the installed app needs: its manifest in the person's language, and the files the service worker keeps."""
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import delete, select

from watch.auth.sessions import device, device_label
from watch.core.languages import text_direction
from watch.extensions import db
from watch.messaging import push
from watch.models import PushMessage, PushSubscription, User
from watch.privacy.signals import account_deleting, personal_data_export

ICON_SIZES = (192, 512)  # what Chrome, Edge and Firefox ask for; Safari reads the 180 px apple-touch-icon
THEME_COLOUR = "#0b4f8a"  # the favicon's blue
# What the observation form needs offline (besides htmx and the stylesheet every page loads).
OFFLINE_ASSETS = ("css/site.css", "vendor/htmx.min.js", "vendor/idb-keyval.js", "js/htmx-focus.js",
                  "js/offline-queue.js", "js/observation-form.js", "js/locate.js", "favicon.svg")


def start_url(user: User) -> str:
    """Where the installed app opens: the person's municipality, else the front page."""
    if user.is_authenticated and user.municipality is not None:
        return url_for("main.municipality", slug=user.municipality.slug)
    return url_for("main.index")


def manifest(user: User) -> dict:
    return {
        "name": _("Grannsamverkan – neighbourhood and boat-club watch"),
        "short_name": _("Grannsamverkan"),
        "description": _("Warnings from the police and the municipality, and observations from the neighbourhood."),
        "lang": str(get_locale()),
        "dir": text_direction(str(get_locale())),
        "start_url": start_url(user),
        "scope": "/",
        "id": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": [
            *({"src": url_for("static", filename=f"icons/icon-{size}.png"), "sizes": f"{size}x{size}",
               "type": "image/png", "purpose": "any"} for size in ICON_SIZES),
            {"src": url_for("static", filename="icons/icon-maskable-512.png"), "sizes": "512x512",
             "type": "image/png", "purpose": "maskable"},
        ],
    }


def precached_urls() -> list[str]:
    """The versioned URLs of the offline assets: a new version of any of them makes a new cache."""
    return [url_for("static", filename=name) for name in OFFLINE_ASSETS]


def this_device(user_agent: str) -> str:
    return device_label(*device(user_agent))


def devices_with_push(user: User) -> list[PushSubscription]:
    return push.subscriptions_of(user)


def set_push_instead_of_sms(user: User, chosen: bool) -> None:
    """Alerts by push instead of SMS (watch.alerts.services sends no SMS to such a person with push on)."""
    user.push_instead_of_sms = chosen


@personal_data_export.connect
def export_push(user: User, **extra) -> dict[str, list[dict]]:
    """The devices with push on, and the push messages sent to them."""
    messages = db.session.scalars(select(PushMessage).where(PushMessage.user_id == user.id)
                                  .order_by(PushMessage.created_at))
    return {
        "push_devices": [{"device": s.device, "push_on_since": s.created_at} for s in push.subscriptions_of(user)],
        "push_messages": [{"title": m.title, "text": m.body, "status": str(m.status), "sent_at": m.created_at}
                          for m in messages],
    }


@account_deleting.connect
def forget_push(user: User, **extra) -> None:
    """The devices and the messages to them go; an alert's report then counts fewer push messages."""
    db.session.execute(delete(PushMessage).where(PushMessage.user_id == user.id))
    db.session.execute(delete(PushSubscription).where(PushSubscription.user_id == user.id))
