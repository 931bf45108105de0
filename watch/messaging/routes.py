from flask import Blueprint, abort, current_app, render_template

from watch.messaging import services

bp = Blueprint("messaging", __name__)


@bp.get("/dev/outbox")
def outbox():
    """Development only: every SMS and email the portal 'sent', none of them really delivered."""
    if not current_app.config.get("SHOW_DEMO_OUTBOX"):
        abort(404)
    return render_template("messaging/outbox.html", messages=services.outbox_messages())
