"""Building blocks for the nightly retention jobs of the features: batches, and deleting rows with what
hangs on them.

A retention job finds the rows past their period with a select of ids, and changes or deletes them
BATCH at a time, committing each batch: a long backlog (the first night after an upgrade) neither
holds one huge transaction nor starts over if the worker stops halfway.
"""
from collections.abc import Callable

from sqlalchemy import ForeignKey, MetaData, Select, Table, delete, select, update

from watch.extensions import db
from watch.models import Base

BATCH = 1000


def in_batches(ids: Select, apply: Callable[[list[int]], object]) -> int:
    """Call `apply` with the ids `ids` selects, BATCH at a time, committing each batch; returns how many.

    `apply` must make the rows stop matching (delete them, or clear what the select looks for), or the
    loop would see them again.
    """
    done = 0
    while batch := list(db.session.scalars(ids.limit(BATCH))):
        apply(batch)
        db.session.commit()
        done += len(batch)
    return done


def delete_with_dependants(table: Table, ids: list[int], metadata: MetaData = Base.metadata) -> None:
    """Delete rows by id, and first what other tables hold about them.

    Any table whose foreign key points at `table` follows its `ondelete`: CASCADE rows are deleted with the
    rows they hang on (and so on down), SET NULL keys are cleared. Done here rather than left to the
    database because SQLite does not enforce foreign keys. A table added later (the answers to an SMS) is
    covered without changing the job, as long as its key says which; a key without a rule stops the job
    (RetentionBlocked) rather than guess whether its rows may go.
    """
    if not ids:
        return
    table = metadata.tables[table.name]
    for other, key in _referencing(table, metadata):
        rule = (key.ondelete or "").upper()
        if rule == "SET NULL":
            db.session.execute(update(other).where(key.parent.in_(ids)).values({key.parent.name: None}))
        elif rule != "CASCADE":
            raise RetentionBlocked(f"{other.name}.{key.parent.name} points at {table.name} with no ondelete rule: "
                                   "declare CASCADE (its rows go with them) or SET NULL")
        elif "id" in other.c and _referencing(other, metadata):
            hanging = list(db.session.scalars(select(other.c.id).where(key.parent.in_(ids))))
            delete_with_dependants(other, hanging, metadata)
        else:
            db.session.execute(delete(other).where(key.parent.in_(ids)))
    db.session.execute(delete(table).where(table.c.id.in_(ids)))


class RetentionBlocked(RuntimeError):
    """A table refers to rows a retention job deletes without saying what should happen to its own rows."""


def _referencing(table: Table, metadata: MetaData) -> list[tuple[Table, ForeignKey]]:
    """(table, key) for every foreign key of another table that points at `table`."""
    return [(other, key) for other in metadata.tables.values() if other is not table
            for key in other.foreign_keys if key.target_fullname.rsplit(".", 1)[0] == table.fullname]
