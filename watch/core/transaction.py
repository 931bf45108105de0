"""One commit per request, and side effects only after it.

Routes and services change the session and flush; `init_app` commits once when the view has
returned a response below 400, and rolls back otherwise (an error page, an abort, an exception).
Whatever must not happen unless that commit succeeds (an email, an SMS, a job, deleting a file)
is handed to `after_commit`: it runs after the outermost commit of the session's transaction
and is dropped if the transaction rolls back (`after_rollback` undoes what the database cannot).
Jobs and CLI commands own their transactions and commit themselves.
"""
from collections.abc import Callable

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from watch.extensions import db

_ON_COMMIT = "after_commit_callbacks"
_ON_ROLLBACK = "after_rollback_callbacks"
_WROTE = "transaction_wrote"


def after_commit(callback: Callable, *args, **kwargs) -> None:
    """Run callback(*args, **kwargs) once the current transaction commits; never if it rolls back."""
    _defer(_ON_COMMIT, callback, args, kwargs)


def after_rollback(callback: Callable, *args, **kwargs) -> None:
    """Run callback(*args, **kwargs) if the current transaction rolls back: undo what the database cannot."""
    _defer(_ON_ROLLBACK, callback, args, kwargs)


def _defer(key: str, callback: Callable, args, kwargs) -> None:
    session = db.session()
    session.connection()  # a transaction is open, so its commit or rollback settles the callbacks
    session.info.setdefault(key, []).append((callback, args, kwargs))


def has_written(session: Session) -> bool:
    """Whether this transaction has changed anything yet (ORM changes, flushed or not, or DML)."""
    return bool(session.info.get(_WROTE) or session.new or session.dirty or session.deleted)


def _run(session: Session, key: str) -> None:
    for callback, args, kwargs in session.info.pop(key, []):
        callback(*args, **kwargs)


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, flush_context) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(orm_execute_state) -> None:
    if orm_execute_state.is_insert or orm_execute_state.is_update or orm_execute_state.is_delete:
        orm_execute_state.session.info[_WROTE] = True


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released; the outer transaction may still roll back
    session.info.pop(_ON_ROLLBACK, None)
    session.info.pop(_WROTE, None)
    _run(session, _ON_COMMIT)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, previous_transaction) -> None:
    if previous_transaction.nested:
        return  # only a savepoint: the outer transaction goes on
    session.info.pop(_ON_COMMIT, None)
    session.info.pop(_WROTE, None)
    _run(session, _ON_ROLLBACK)


def init_app(app: Flask) -> None:
    @app.after_request
    def commit_request(response):
        if not db.session().in_transaction():
            return response  # nothing was read or written (a cached page): nothing to settle
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response
