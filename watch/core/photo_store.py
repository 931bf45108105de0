"""Where uploaded photos are kept, so that every web instance serves the same ones.

One interface for every feature that stores photos (observations, the boat register): `stored_photo` writes one
and yields its name for the owner's row, `read_photo` gives its bytes to a route that has made its
access checks, and `delete_after_commit` removes photos whose rows let go of them. Three stores:

- the database (table `stored_photo`): the default when the database is PostgreSQL; the photo is
  written in the caller's transaction, so a rollback takes it away with the row that named it;
- an S3-compatible bucket (PHOTO_S3_BUCKET, through boto3): for deployments with object storage;
- a folder (UPLOAD_FOLDER/observations): the embedded default with SQLite, one machine only.

PHOTO_STORAGE chooses explicitly ("database", "s3", "folder").
"""
import io
import os
import re
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from flask import abort, current_app, send_file
from sqlalchemy import delete, select

from watch.core.transaction import after_commit, after_rollback
from watch.extensions import db
from watch.models import StoredPhoto

STORED_NAME = re.compile(r"[0-9a-f]{32}\.jpg")


def _checked(name: str) -> str:
    """Names are ours alone (they become paths and keys): anything else is refused."""
    if not STORED_NAME.fullmatch(name):
        raise ValueError(f"not a stored photo name: {name!r}")
    return name


class DatabaseStore:
    in_transaction = True

    def write(self, name: str, data: bytes) -> None:
        db.session.add(StoredPhoto(name=name, content=data))
        db.session.flush()

    def read(self, name: str) -> bytes | None:
        return db.session.scalar(select(StoredPhoto.content).where(StoredPhoto.name == name))

    def remove(self, name: str) -> None:
        db.session.execute(delete(StoredPhoto).where(StoredPhoto.name == name))


class FolderStore:
    in_transaction = False

    def write(self, name: str, data: bytes) -> None:
        path = photo_file(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        partial = path + ".part"
        with open(partial, "wb") as f:
            f.write(data)
        os.replace(partial, path)

    def read(self, name: str) -> bytes | None:
        try:
            with open(photo_file(name), "rb") as f:
                return f.read()
        except FileNotFoundError:
            return None

    def remove(self, name: str) -> None:
        try:
            os.remove(photo_file(name))
        except FileNotFoundError:
            pass


class S3Store:
    in_transaction = False
    _clients: dict[tuple, object] = {}

    def __init__(self, config):
        self.bucket, self.prefix = config["PHOTO_S3_BUCKET"], config["PHOTO_S3_PREFIX"]
        self.endpoint = config.get("PHOTO_S3_ENDPOINT_URL")

    @property
    def client(self):
        """One boto3 client (thread-safe, with its connection pool) per endpoint and process."""
        if self.endpoint not in self._clients:
            import boto3  # only deployments that use S3 need it loaded

            self._clients[self.endpoint] = boto3.client("s3", endpoint_url=self.endpoint)
        return self._clients[self.endpoint]

    def write(self, name: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + name, Body=data, ContentType="image/jpeg")

    def read(self, name: str) -> bytes | None:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.prefix + name)["Body"].read()
        except self.client.exceptions.NoSuchKey:
            return None

    def remove(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + name)


def photo_store():
    config = current_app.config
    kind = config["PHOTO_STORAGE"] or (
        "s3" if config.get("PHOTO_S3_BUCKET") else
        "database" if db.engine.dialect.name == "postgresql" else "folder")
    if kind == "database":
        return DatabaseStore()
    if kind == "s3":
        return S3Store(config)
    if kind == "folder":
        return FolderStore()
    raise RuntimeError(f"unknown PHOTO_STORAGE {kind!r}: use database, s3 or folder")


def photo_folder() -> str:
    base = current_app.config.get("UPLOAD_FOLDER") or os.path.join(current_app.instance_path, "uploads")
    return os.path.join(base, "observations")


def photo_file(name: str) -> str:
    """The path of a photo in the folder store."""
    return os.path.join(photo_folder(), _checked(name))


@contextmanager
def stored_photo(data: bytes | None) -> Iterator[str | None]:
    """Store the photo and give its name; if the caller or its transaction then fails, it goes again."""
    if data is None:
        yield None
        return
    store, name = photo_store(), secrets.token_hex(16) + ".jpg"
    store.write(name, data)
    if store.in_transaction:
        yield name
        return
    try:
        yield name
    except BaseException:
        store.remove(name)
        raise
    after_rollback(store.remove, name)


def read_photo(name: str) -> bytes | None:
    """The photo's bytes, or None if it is gone. The caller has checked that the person may see it."""
    return photo_store().read(_checked(name))


def photo_response(name: str | None):
    """A stored photo as the response to a request the caller has checked access for; 404 if gone."""
    data = read_photo(name) if name else None
    if data is None:
        abort(404)
    return send_file(io.BytesIO(data), mimetype="image/jpeg", max_age=0)


def delete_after_commit(names: Iterable[str | None]) -> None:
    """Remove these photos once the transaction that unlinked them from their rows commits; keep them on rollback."""
    store = photo_store()
    for name in filter(None, names):
        if store.in_transaction:
            store.remove(_checked(name))
        else:
            after_commit(store.remove, _checked(name))
