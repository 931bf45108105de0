"""The development outbox page, and Twilio's webhooks: delivery receipts and incoming SMS.

Both webhooks must carry a valid X-Twilio-Signature. The signature covers the full URL Twilio
called and every posted field, keyed with the auth token, so it is checked against PUBLIC_URL
(what Twilio sees, also behind a proxy), not the address the request arrived at. Replays and
Twilio's own retries change nothing: an incoming SMS is stored once per MessageSid, and the
features that receive `sms_status_reported` only ever move a delivery forward. Whatever an incoming
SMS holds (nothing, 5,000 characters, NUL and other binary), it is kept and answered with 200.
"""
import uuid

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from twilio.request_validator import RequestValidator

from watch.core.input_guard import cleans_own_text
from watch.extensions import csrf
from watch.messaging import retention  # noqa: F401 - registers the nightly retention jobs
from watch.messaging.forms import SimulatedSmsForm
from watch.messaging.inbound import clean_field, record_inbound, verified_senders
from watch.messaging.outbox import outbox_messages
from watch.messaging.signals import sms_status_reported

bp = Blueprint("messaging", __name__)
sms_bp = Blueprint("sms", __name__, url_prefix="/sms")
csrf.exempt(sms_bp)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _development_only() -> None:
    # Never in production, whatever else is set: the outbox shows password-reset links to anyone.
    if not current_app.config.get("SHOW_DEMO_OUTBOX") or current_app.config["ENV_NAME"] == "production":
        abort(404)


@bp.get("/dev/outbox")
def outbox(form: SimulatedSmsForm | None = None):
    """Development only: every SMS and email the portal 'sent', none of them really delivered."""
    _development_only()
    form = form or SimulatedSmsForm(verified_senders(), formdata=None)
    return render_template("messaging/outbox.html", messages=outbox_messages(), form=form)


@bp.post("/dev/outbox/inbound")
def simulate_inbound():
    """Development only: receive an SMS as Twilio's webhook would, so the demo needs no phone."""
    _development_only()
    form = SimulatedSmsForm(verified_senders())
    if not form.validate_on_submit():
        return outbox(form)
    record_inbound("SMdev" + uuid.uuid4().hex, form.phone.data, form.body.data)
    flash(_("The SMS was received as if it came from that phone."), "success")
    return redirect(url_for("messaging.outbox"))


def signed_by_twilio() -> bool:
    token = current_app.config.get("TWILIO_AUTH_TOKEN")
    signature = request.headers.get("X-Twilio-Signature")
    if not token or not signature:
        return False
    url = current_app.config["PUBLIC_URL"].rstrip("/") + request.full_path.rstrip("?")
    return RequestValidator(token).validate(url, request.form, signature)


@sms_bp.post("/status")
def status():
    if not signed_by_twilio():
        abort(403)
    delivery_id = request.args.get("delivery", type=int)
    sid = request.form.get("MessageSid")
    if delivery_id is None or not sid:
        abort(400)
    sms_status_reported.send(delivery_id, attempt=request.args.get("attempt", type=int), sid=sid,
                             status=request.form.get("MessageStatus", ""),
                             error_code=request.form.get("ErrorCode") or None)
    return Response(status=204)


@sms_bp.post("/inbound")
@cleans_own_text
def inbound():
    if not signed_by_twilio():
        abort(403)
    sid, phone = clean_field(request.form.get("MessageSid"), 64), clean_field(request.form.get("From"), 20)
    if not sid or not phone:
        abort(400)
    record_inbound(sid, phone, request.form.get("Body", ""))
    return Response(EMPTY_TWIML, mimetype="text/xml")
