"""'Mina uppgifter': a person downloads everything stored about them, or deletes their account.

The parts come from every feature through the signals in watch/privacy/signals.py.
"""
import csv
import io
import json
from datetime import date, datetime
from typing import Any

from watch.audit import actions
from watch.audit.services import record
from watch.core.spreadsheet import safe_cell
from watch.extensions import db
from watch.models import User
from watch.privacy import core  # noqa: F401 - connects the account's own receivers
from watch.privacy.signals import account_deleting, account_deletion_blockers, personal_data_export

PersonalData = dict[str, list[dict[str, Any]]]


class AccountDeletionRefused(Exception):
    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(v) for key, v in value.items()}
    return value


def personal_data(user: User, export_format: str) -> PersonalData:
    """Every feature's section for this person; the export itself is audited (not its content)."""
    data: PersonalData = {}
    for _receiver, sections in personal_data_export.send(user):
        for name, rows in (sections or {}).items():
            data.setdefault(name, []).extend({key: _plain(v) for key, v in row.items()} for row in rows)
    record(actions.DATA_EXPORTED, subject=user, actor=user, format=export_format)
    return data


def as_json(data: PersonalData) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def as_csv(data: PersonalData) -> str:
    """One table for all sections (section, row, field, value): opens in any spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "row", "field", "value"])
    for section, rows in data.items():
        for number, row in enumerate(rows, start=1):
            for field, value in row.items():
                writer.writerow([section, number, field, _cell(value)])
    return out.getvalue()


def _cell(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else str(value or "")
    if isinstance(value, bool):
        text = str(value).lower()
    return safe_cell(text)  # phone numbers too: a spreadsheet reads +46... as a formula


def deletion_blockers(user: User) -> list[str]:
    return [reason for _receiver, reasons in account_deletion_blockers.send(user) for reason in reasons or []]


def delete_account(user: User) -> None:
    """Every feature deletes or anonymises its rows, then the account goes. Refused while anything blocks it."""
    if reasons := deletion_blockers(user):
        raise AccountDeletionRefused(reasons)
    record(actions.ACCOUNT_DELETED, subject=user, actor=user)
    account_deleting.send(user)
    db.session.delete(user)
    db.session.flush()
