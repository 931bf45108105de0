from flask import Blueprint, render_template, request
from flask_login import current_user

from watch.audit import actions, services
from watch.models import Role
from watch.core.pagination import paginate
from watch.core.security import role_required

bp = Blueprint("audit", __name__)


@bp.get("/audit")
@role_required(Role.COORDINATOR, Role.ADMIN)
def log():
    """The audit log: coordinators read their municipality's, administrators everyone's."""
    action = request.args.get("action")
    if action not in actions.LABELS:
        action = None
    page = paginate(services.visible_events(current_user, action), per_page=50)
    return render_template(
        "audit/log.html", page=page, action=action, labels=actions.LABELS, roles=actions.ROLE_LABELS,
        subjects=actions.SUBJECT_LABELS,
    )
