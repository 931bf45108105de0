"""One messages-per-second budget shared by every worker thread, process and machine.

Each send reserves the next free slot (a time), and the slots are 1/rate seconds apart, so
the provider sees an even stream however many workers there are. A worker sending a batch
reserves that many consecutive slots at once (`SendSlots`). The reservation is one atomic step: a Lua script on Redis when REDIS_URL is set, otherwise one conditional UPDATE
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
# Returns {slot, now} in seconds: slot = max(now, stored next), and stores slot + interval × count.
_RESERVE_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local stored = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, stored)
redis.call('SET', KEYS[1], tostring(slot + tonumber(ARGV[1]) * tonumber(ARGV[2])), 'EX', 3600)
return {tostring(slot), tostring(now)}
"""
_redis_clients: dict[str, redis.Redis] = {}


def wait_for_send_slot() -> None:
    """Block until this caller may send one message."""
    SendSlots(1).wait()


class SendSlots:
    """`count` consecutive send slots, reserved in one round trip; `wait()` blocks until the next one.

    A slot may be used late (the send before it took longer), never early: however the messages
    bunch, no more go out than the rate allows since the reservation, plus this batch.
    """

    def __init__(self, count: int):
        rate = current_app.config["SMS_RATE_PER_SECOND"]
        self._starts = iter(())
        self._unpaced = not rate or rate <= 0
        if not self._unpaced and count > 0:
            interval = 1.0 / rate
            first = time.monotonic() + reserve_slots(interval, count)
            self._starts = iter([first + i * interval for i in range(count)])

    def wait(self) -> None:
        if self._unpaced:
            return
        delay = next(self._starts) - time.monotonic()
        if delay > 0:
            time.sleep(delay)


def reserve_slots(interval: float, count: int = 1) -> float:
    """Reserve the next `count` slots; returns how many seconds from now the first starts."""
    if url := current_app.config.get("REDIS_URL"):
        return _reserve_in_redis(url, interval, count)
    return _reserve_in_database(interval, count)


def _reserve_in_redis(url: str, interval: float, count: int) -> float:
    client = _redis_clients.get(url) or _redis_clients.setdefault(url, redis.Redis.from_url(url))
    slot, now = client.eval(_RESERVE_SCRIPT, 1, REDIS_KEY, repr(interval), count)
    return float(slot) - float(now)


def _reserve_in_database(interval: float, count: int) -> float:
    # Its own short transaction on its own connection: the caller's session stays untouched,
    # and the row lock (SQLite's write lock) is held only for this one statement.
    now = time.time()
    table = SmsSendSlot.__table__
    with db.engine.begin() as connection:
        next_slot = connection.execute(
            update(table).where(table.c.name == SLOT_NAME)
            .values(next_slot=case((table.c.next_slot > now, table.c.next_slot), else_=now) + interval * count)
            .returning(table.c.next_slot)
        ).scalar()
    if next_slot is None:
        _create_slot_row()
        return _reserve_in_database(interval, count)
    return next_slot - interval * count - now


def _create_slot_row() -> None:
    table = SmsSendSlot.__table__
    try:
        with db.engine.begin() as connection:
            connection.execute(insert(table).values(name=SLOT_NAME, next_slot=0.0))
    except IntegrityError:
        pass  # another worker created it first
