"""How each feature takes part in "Mina uppgifter" (my data): export, and deleting an account.

Connect a receiver in a module the feature's routes import (connected when its blueprint is registered):

    from watch.privacy.signals import account_deleting, account_deletion_blockers, personal_data_export

    @personal_data_export.connect
    def export_observations(user, **extra) -> dict[str, list[dict]]:
        return {"observations": [{"filed_at": o.created_at, "text": o.text} for o in ...]}

    @account_deletion_blockers.connect
    def ... (user, **extra) -> list[str]:      # translated reasons to refuse; [] when none

    @account_deleting.connect
    def anonymise_observations(user, **extra) -> None:
        # in the same transaction: flush, never commit; delete or anonymise every row pointing at user
        ...

Receivers get the User as sender. Export rows are flat dicts of JSON-friendly values (datetimes
are fine); sections are named in English, like the fields.
"""
from blinker import Namespace

_signals = Namespace()

personal_data_export = _signals.signal("personal-data-export")
account_deletion_blockers = _signals.signal("account-deletion-blockers")
account_deleting = _signals.signal("account-deleting")
