"""The manifest and service worker at the site's root (so the worker's scope is the whole portal), the page it
shows offline, and turning push on and off for a device."""
import hashlib

from flask import Blueprint, Response, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale, gettext as _
from flask_login import current_user, login_required

from watch.messaging import push
from watch.webapp import services
from watch.webapp.forms import PushInsteadForm, PushOffForm, PushOnForm

bp = Blueprint("webapp", __name__)


def _revalidated(response: Response) -> Response:
    response.cache_control.no_cache = True
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    """In the person's language, opening at their municipality: so it is fetched with their cookie, never shared."""
    response = jsonify(services.manifest(current_user))
    response.mimetype = "application/manifest+json"
    response.vary.add("Cookie")
    response.cache_control.private = True
    return _revalidated(response)


@bp.get("/service-worker.js")
def service_worker():
    """Its cache is named after the versioned assets it keeps: a changed file makes a new worker and cache."""
    assets = services.precached_urls()
    version = hashlib.sha256("\n".join(assets).encode()).hexdigest()[:12]
    # The worker fetches the offline page without cookies: the URL names the person's language, and a
    # change of language changes the worker, which then keeps the page in the new one.
    script = render_template("webapp/service-worker.js", version=version, assets=assets,
                             offline_url=url_for(".offline", lang=str(get_locale())))
    return _revalidated(Response(script, mimetype="text/javascript"))


@bp.get("/offline")
def offline():
    """What the service worker shows for a page it cannot fetch. It keeps the version without a login, in the
    language `lang` names (else as for any visitor)."""
    lang = request.args.get("lang")
    with force_locale(lang if lang in current_app.config["LANGUAGES"] else get_locale()):
        return render_template("webapp/offline.html")


@bp.post("/profile/push")
@login_required
def push_on():
    """static/js/push.js posts this device's subscription; the profile page then shows the result."""
    form = PushOnForm()
    if not push.push_enabled():
        flash(_("Push messages are not set up on this portal."), "error")
    elif not form.validate_on_submit():
        flash(_("This browser gave no address for push messages. Try again, or try another browser."), "error")
    else:
        try:
            push.subscribe(current_user, {"endpoint": form.endpoint.data,
                                          "keys": {"p256dh": form.p256dh.data, "auth": form.auth.data}},
                           services.this_device(request.headers.get("User-Agent", "")))
        except push.SubscriptionError as error:
            flash(str(error), "error")
        else:
            flash(_("Push messages are on in this browser."), "success")
    return redirect(url_for("auth.profile", _anchor="push-heading"))


@bp.post("/profile/push/off")
@login_required
def push_off():
    form = PushOffForm()
    if form.validate_on_submit() and push.unsubscribe(current_user, form.endpoint.data):
        flash(_("Push messages are off for that device."), "success")
    else:
        flash(_("Push messages were already off for that device."), "info")
    return redirect(url_for("auth.profile", _anchor="push-heading"))


@bp.post("/profile/push/instead-of-sms")
@login_required
def push_instead():
    form = PushInsteadForm()
    if form.validate_on_submit():
        services.set_push_instead_of_sms(current_user, form.push_instead_of_sms.data)
        flash(_("Warnings come by push instead of SMS while a device of yours has push on.")
              if form.push_instead_of_sms.data else _("Warnings come by SMS as before."), "success")
    else:
        flash(_("The form had expired. Send it again."), "error")
    return redirect(url_for("auth.profile", _anchor="push-heading"))


@bp.app_template_global()
def device_settings_args() -> dict:
    """What the profile page's device section shows: the devices with push on, the choice, the portal's key."""
    return {"devices": services.devices_with_push(current_user),
            "instead_form": PushInsteadForm(formdata=None, push_instead_of_sms=current_user.push_instead_of_sms),
            "vapid_public_key": current_app.config["VAPID_PUBLIC_KEY"] if push.push_enabled() else None}
