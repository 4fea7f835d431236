"""Leader election among scheduler replicas: a PostgreSQL advisory lock on its own connection."""

from __future__ import annotations

import contextlib
import hashlib

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import DBAPIError


def leader_lock_key(name: str) -> int:
    """A stable signed 64-bit key for pg_try_advisory_lock."""
    digest = hashlib.sha256(name.encode()).digest()[:8]
    return int.from_bytes(digest, "big", signed=True)


class LeaderLock:
    """A session-level advisory lock on its own autocommit connection."""

    def __init__(self, engine: Engine, key: int) -> None:
        self.engine = engine
        self.key = key
        self._connection: Connection | None = None

    @property
    def held(self) -> bool:
        return self._connection is not None

    def try_acquire(self) -> bool:
        if self._connection is not None:
            return True
        connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            query = select(func.pg_try_advisory_lock(self.key))
            acquired = bool(connection.execute(query).scalar())
        except DBAPIError:
            connection.close()
            raise
        if acquired:
            self._connection = connection
        else:
            connection.close()
        return acquired

    def still_held(self) -> bool:
        """False once the connection that holds the lock is gone (the lock went with it)."""
        if self._connection is None:
            return False
        try:
            self._connection.execute(select(1))
        except DBAPIError:
            self._drop()
            return False
        return True

    def release(self) -> None:
        if self._connection is None:
            return
        with contextlib.suppress(DBAPIError):  # a lost connection took the lock with it
            self._connection.execute(select(func.pg_advisory_unlock(self.key)))
        self._drop()

    def _drop(self) -> None:
        if self._connection is not None:
            self._connection.invalidate()
            self._connection.close()
            self._connection = None
