"""Transient database errors, and trying again after them.

On the embedded default (SQLite) one writer at a time holds the database; a
writer that waits longer than the busy timeout gets `database is locked`. On
PostgreSQL a connection may drop (a restart, a failover) or a transaction may
lose a deadlock. These pass: background loops and bookkeeping wait a little
and try again instead of dying. What is tried again must be a whole unit of
work (its own transaction), so it is never retried inside an outer one.
"""

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import DatabaseError, InterfaceError, OperationalError, connection

log = logging.getLogger(__name__)

T = TypeVar("T")

_TRANSIENT = (
    "database is locked",
    "database table is locked",
    "deadlock detected",
    "could not serialize access",
    "server closed the connection",
    "terminating connection",
    "connection already closed",
    "could not connect",
    "connection refused",
    "the database system is starting up",
    "the database system is shutting down",
)


def is_locked(exc: BaseException) -> bool:
    """SQLite's `database is locked`: another writer held the lock too long."""
    return isinstance(exc, OperationalError) and "is locked" in str(exc).lower()


def is_disk_full(exc: BaseException) -> bool:
    import errno

    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return True
    text = str(exc).lower()
    return isinstance(exc, DatabaseError) and (
        "database or disk is full" in text or "no space left on device" in text
    )


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    text = str(exc).lower()
    return any(part in text for part in _TRANSIENT)


def retrying(
    work: Callable[[], T],
    *,
    attempts: int = 8,
    delay: float = 0.1,
    max_delay: float = 5.0,
    what: str = "database work",
) -> T:
    """Runs `work()`, again after a transient error (waiting longer each
    time, up to `max_delay`); the last error is raised. Inside an open
    transaction nothing can be retried, so the error is raised at once."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except DatabaseError as exc:
            if attempt == attempts or not is_transient(exc) or connection.in_atomic_block:
                raise
            log.warning("%s: %s; trying again (%d of %d)", what, exc, attempt, attempts - 1)
            # A dropped connection is reopened on the next query.
            connection.close_if_unusable_or_obsolete()
            if isinstance(exc, InterfaceError) or "connection" in str(exc).lower():
                connection.close()
            time.sleep(delay)
            delay = min(max_delay, delay * 2)
    raise AssertionError("unreachable")
