"""The outbox in SQLite: the job store's file, its own connection, WAL journal.

Every call runs on one thread of the store's own, never on the event loop: an application
with files writes megabytes, and with several processes on one file (a service and a
`worker`) a write may wait for another's lock. Claims are one `UPDATE ... RETURNING`,
atomic under SQLite's write lock, so two processes never claim one row.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from embloy_ats.applications.store import ApplicationStore, Dialect, _Duplicate, migrations
from embloy_ats.crypto import KeyRing
from embloy_ats.errors import ConfigurationError
from embloy_ats.store.sqlite import migrate

T = TypeVar("T")
DIALECT = Dialect(placeholder="?", real="REAL", blob="BLOB", greatest="max", claim_lock="")
MIGRATIONS = migrations(DIALECT)


class SqliteApplicationStore(ApplicationStore):
    dialect = DIALECT

    def __init__(self, path: str | Path, keys: KeyRing) -> None:
        super().__init__(keys)
        self.path = str(path)
        self._db: sqlite3.Connection | None = None
        self._thread: ThreadPoolExecutor | None = None

    async def _call(self, fn: Callable[[], T]) -> T:
        if self._thread is None:
            raise ConfigurationError("the application store is not open; call `open()` first")
        return await asyncio.get_running_loop().run_in_executor(self._thread, fn)

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise ConfigurationError("the application store is not open; call `open()` first")
        return self._db

    async def open(self) -> None:
        if self._thread is not None:
            return
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="embloy-ats-applications")
        try:
            await self._call(self._connect)
        except BaseException:
            self._thread.shutdown(wait=False)
            self._thread = None
            raise

    def _connect(self) -> None:
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            db = sqlite3.connect(self.path, isolation_level=None)
        except sqlite3.Error as exc:
            raise ConfigurationError(
                f"cannot open the SQLite database {self.path!r}: {exc}"
            ) from exc
        db.execute("PRAGMA busy_timeout=10000")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        self._db = db
        migrate(db, "application_schema", MIGRATIONS)

    async def close(self) -> None:
        if self._thread is None:
            return
        try:
            await self._call(self._disconnect)
        finally:
            self._thread.shutdown(wait=True)
            self._thread = None

    def _disconnect(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        def one() -> tuple[Any, ...] | None:
            cursor = self.db.execute(sql, tuple(params))
            row: tuple[Any, ...] | None = cursor.fetchone()
            cursor.close()  # a RETURNING statement completes only when its cursor is done
            return row

        return await self._call(one)

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return await self._call(lambda: self.db.execute(sql, tuple(params)).fetchall())

    async def _run(self, sql: str, params: Sequence[Any] = ()) -> int:
        return await self._call(lambda: self.db.execute(sql, tuple(params)).rowcount)

    async def _atomic(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> None:
        def atomic() -> None:
            db = self.db
            db.execute("BEGIN IMMEDIATE")
            try:
                for sql, params in statements:
                    db.execute(sql, tuple(params))
                db.execute("COMMIT")
            except sqlite3.IntegrityError as exc:
                db.execute("ROLLBACK")
                if "idempotency_key" in str(exc):
                    raise _Duplicate from None
                raise
            except BaseException:
                db.execute("ROLLBACK")
                raise

        await self._call(atomic)
