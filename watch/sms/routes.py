"""Twilio's webhooks: delivery receipts and incoming SMS. Both must carry a valid X-Twilio-Signature.

The signature covers the full URL Twilio called and every posted field, keyed with the auth
token, so it is checked against PUBLIC_URL (what Twilio sees, also behind a proxy), not the
address the request arrived at. Replays and Twilio's own retries change nothing: a reply is
stored once per MessageSid, and a delivery's status only ever moves forward.
"""
from flask import Blueprint, Response, abort, current_app, request
from twilio.request_validator import RequestValidator

from watch.alerts.replies import record_inbound
from watch.alerts.sending import apply_status
from watch.extensions import csrf, db

bp = Blueprint("sms", __name__, url_prefix="/sms")
csrf.exempt(bp)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def signed_by_twilio() -> bool:
    token = current_app.config.get("TWILIO_AUTH_TOKEN")
    signature = request.headers.get("X-Twilio-Signature")
    if not token or not signature:
        return False
    url = current_app.config["PUBLIC_URL"].rstrip("/") + request.full_path.rstrip("?")
    return RequestValidator(token).validate(url, request.form, signature)


@bp.post("/status")
def status():
    if not signed_by_twilio():
        abort(403)
    delivery_id = request.args.get("delivery", type=int)
    sid = request.form.get("MessageSid")
    if delivery_id is None or not sid:
        abort(400)
    apply_status(delivery_id, request.args.get("attempt", type=int), sid, request.form.get("MessageStatus", ""),
                 request.form.get("ErrorCode") or None)
    return Response(status=204)


@bp.post("/inbound")
def inbound():
    if not signed_by_twilio():
        abort(403)
    sid, phone = request.form.get("MessageSid"), request.form.get("From")
    if not sid or not phone:
        abort(400)
    record_inbound(sid, phone, request.form.get("Body", ""))
    db.session.commit()
    return Response(EMPTY_TWIML, mimetype="text/xml")
