"""Finding a municipality (the tenant) by what people type or what a URL names."""
from flask import abort
from sqlalchemy import or_, select

from watch.extensions import db
from watch.models import Municipality


def find_municipality(key: str) -> Municipality | None:
    """By slug, kommunkod or name, so operators can type what they know."""
    return db.session.scalar(
        select(Municipality).where(
            or_(Municipality.slug == key, Municipality.code == key, Municipality.name == key)
        )
    )


def municipality_or_404(slug: str) -> Municipality:
    """The municipality a public URL names (/m/<slug>/...)."""
    return db.session.scalar(select(Municipality).where(Municipality.slug == slug)) or abort(404)
