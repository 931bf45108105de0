"""What every group service checks against: which groups are still alive, and the error for a refused step.

The group services are plain functions that flush but never commit. Messages for people are lazy
strings, so they render in whatever language the request (or email) uses.
"""
from watch.core.errors import ExplainedError
from watch.models import GroupStatus

# Groups still alive: they can be edited, a new registration may duplicate them, they keep a contact person.
OPEN_STATUSES = (GroupStatus.PENDING, GroupStatus.APPROVED)


class GroupRuleError(ExplainedError):
    """A step the group rules do not allow."""
