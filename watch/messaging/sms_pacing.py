"""One messages-per-second budget shared by every worker thread, process and machine.

Each send reserves the next free slot (a time), and the slots are 1/rate seconds apart, so
the provider sees an even stream however many workers there are. The reservation is one
atomic step: a Lua script on Redis when REDIS_URL is set, otherwise one conditional UPDATE
in the database. Redis's clock is used there, so workers on machines with skewed clocks agree.
"""
import time

import redis
from flask import current_app
from sqlalchemy import case, insert, update
from sqlalchemy.exc import IntegrityError

from watch.extensions import db
from watch.models import SmsSendSlot

SLOT_NAME = "sms"
REDIS_KEY = "watch:sms:next-slot"
# Returns {slot, now} in seconds: slot = max(now, stored next), and stores slot + interval.
_RESERVE_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local stored = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, stored)
redis.call('SET', KEYS[1], tostring(slot + tonumber(ARGV[1])), 'EX', 3600)
return {tostring(slot), tostring(now)}
"""
_redis_clients: dict[str, redis.Redis] = {}


def wait_for_send_slot() -> float:
    """Block until this caller may send one message; returns the seconds waited."""
    rate = current_app.config["SMS_RATE_PER_SECOND"]
    if not rate or rate <= 0:
        return 0.0
    delay = reserve_slot(1.0 / rate)
    if delay > 0:
        time.sleep(delay)
    return max(delay, 0.0)


def reserve_slot(interval: float) -> float:
    """Reserve the next slot; returns how many seconds from now it starts."""
    if url := current_app.config.get("REDIS_URL"):
        return _reserve_in_redis(url, interval)
    return _reserve_in_database(interval)


def _reserve_in_redis(url: str, interval: float) -> float:
    client = _redis_clients.get(url) or _redis_clients.setdefault(url, redis.Redis.from_url(url))
    slot, now = client.eval(_RESERVE_SCRIPT, 1, REDIS_KEY, repr(interval))
    return float(slot) - float(now)


def _reserve_in_database(interval: float) -> float:
    # Its own short transaction on its own connection: the caller's session stays untouched,
    # and the row lock (SQLite's write lock) is held only for this one statement.
    now = time.time()
    table = SmsSendSlot.__table__
    with db.engine.begin() as connection:
        next_slot = connection.execute(
            update(table).where(table.c.name == SLOT_NAME)
            .values(next_slot=case((table.c.next_slot > now, table.c.next_slot), else_=now) + interval)
            .returning(table.c.next_slot)
        ).scalar()
    if next_slot is None:
        _create_slot_row()
        return _reserve_in_database(interval)
    return next_slot - interval - now


def _create_slot_row() -> None:
    table = SmsSendSlot.__table__
    try:
        with db.engine.begin() as connection:
            connection.execute(insert(table).values(name=SLOT_NAME, next_slot=0.0))
    except IntegrityError:
        pass  # another worker created it first
