"""The reviewer library's SQLite database: one way to open it, and ordered migrations.

Every connection is opened here: WAL (readers never block the writer), foreign keys on, a busy
timeout (the panel and the CLI may open the same file), and ``isolation_level=None`` so that
transactions are only the explicit ones below (Python's implicit BEGIN/COMMIT never splits
or merges our units of work).

Migrations: every module ``storage/migrations/mNNN_*.py`` exposes ``VERSION: int`` and
``migrate(db) -> None``; they run in order, each in one transaction together with the row that
records it in ``schema_version``, so a crash mid-migration leaves the previous version intact.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import os
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from onetake_desktop.domain.errors import DiskFullError, OneTakeError
from onetake_desktop.paths import PRIVATE_FILE_MODE, private_dir, private_file

if TYPE_CHECKING:  # loads with the first migration run (storage/migration_step.py)
    from onetake_desktop.storage.migration_step import Migration

BUSY_TIMEOUT_MS = 10_000


class Database:
    """One library connection: plain ``sqlite3`` with the few conveniences the storage layer
    uses. (It was ``Database``, whose imports cost 100-300 ms of every command's
    start-up for these five methods.)"""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(
        self, sql: str, parameters: Sequence[Any] | Mapping[str, Any] | None = None
    ) -> sqlite3.Cursor:
        # The connection is in autocommit mode (isolation_level=None): a statement outside
        # an explicit transaction commits by itself, as it did under sqlite-utils.
        return self.conn.execute(sql) if parameters is None else self.conn.execute(sql, parameters)

    def table_names(self) -> list[str]:
        return [
            str(r[0])
            for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def atomic(self) -> Iterator[Database]:
        """A transaction, or a savepoint inside the one already open."""
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN")
            try:
                yield self
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            else:
                self.conn.execute("COMMIT")
            return
        import secrets  # loads with the first nested transaction, not with the library

        savepoint = f"onetake_{secrets.token_hex(8)}"
        self.conn.execute(f"SAVEPOINT {savepoint}")
        try:
            yield self
        except BaseException:
            # A RAISE(ROLLBACK) in a trigger may have ended the whole transaction already.
            if self.conn.in_transaction:
                self.conn.execute(f"ROLLBACK TO SAVEPOINT {savepoint}")
                self.conn.execute(f"RELEASE SAVEPOINT {savepoint}")
            raise
        else:
            self.conn.execute(f"RELEASE SAVEPOINT {savepoint}")


def utc_now() -> str:
    """Timestamps stored as ISO 8601 UTC with milliseconds (sortable as text)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def discover_migrations(package: str = "onetake_desktop.storage.migrations") -> list[Migration]:
    """Every ``mNNN_*`` module of the package, in version order; versions must be 1..N."""
    from onetake_desktop.storage.migration_step import Migration

    found: list[Migration] = []
    for name in _migration_names(package):
        module = importlib.import_module(f"{package}.{name}")
        version = int(module.VERSION)
        if version != int(name[1:4]):
            raise RuntimeError(f"migration {name} declares VERSION {version}")
        found.append(Migration(version, name, module))
    found.sort(key=lambda m: m.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise RuntimeError("migrations must be numbered 1..N without gaps")
    return found


def connect(path: Path | str) -> Database:
    """Open (creating if needed) a database with the library's settings; no migrations."""
    on_disk = str(path) != ":memory:"
    if on_disk:
        _create_private(Path(path))
    try:
        conn = sqlite3.connect(
            str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
        )
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # Deleted rows are overwritten with zeros, not just unlinked from the b-tree: an erased
        # candidate's name must not linger in free space (see storage/erasure.py).
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        # NORMAL in WAL survives any application crash; FULL (see durable()) also survives
        # a power cut, and is used when a reviewer submits scores.
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        # As sqlite-utils set it on every connection the schema was written and tested with.
        conn.execute("PRAGMA recursive_triggers = ON")
    except sqlite3.DatabaseError as error:
        raise OneTakeError(f"The library database {path} cannot be opened ({error}).") from error
    if on_disk:
        # SQLite gives its -wal and -shm files the database file's mode; older libraries
        # may have left world-readable ones.
        for suffix in ("-wal", "-shm", "-journal"):
            private_file(Path(f"{path}{suffix}"))
    return Database(conn)


def _create_private(path: Path) -> None:
    """The database file and its folder, readable by their owner only (0600 / 0700)."""
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
    except OSError as error:
        raise OneTakeError(f"The library database {path} cannot be opened ({error}).") from error
    os.close(fd)
    private_file(path)


@contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """One explicit write transaction (BEGIN IMMEDIATE takes the write lock up front, so two
    writers wait on busy_timeout instead of failing mid-way); nested calls use savepoints."""
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():
            yield db
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")
    except sqlite3.OperationalError as error:
        raise _plain_error(error) from error


def _plain_error(error: sqlite3.OperationalError) -> OneTakeError | sqlite3.OperationalError:
    """The database failures a user can act on, as one sentence; anything else unchanged."""
    text = str(error).lower()
    if "full" in text:
        return DiskFullError("The disk is full, so the library cannot save; free some space.")
    if "locked" in text or "busy" in text:
        return OneTakeError(
            "The library is busy (another OneTake is writing to it); try again in a moment."
        )
    if "readonly" in text or "read-only" in text:
        return OneTakeError("The library folder is read-only, so nothing can be saved.")
    return error


@contextmanager
def durable(db: Database) -> Iterator[Database]:
    """A transaction committed with ``synchronous=FULL``: on disk before this returns."""
    if db.conn.in_transaction:
        raise RuntimeError("durable() must start its own transaction")
    db.conn.execute("PRAGMA synchronous = FULL")
    try:
        with transaction(db):
            yield db
    finally:
        db.conn.execute("PRAGMA synchronous = NORMAL")


def schema_version(db: Database) -> int:
    if "schema_version" not in db.table_names():
        return 0
    row = db.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def _migration_names(package: str = "onetake_desktop.storage.migrations") -> list[str]:
    """The ``mNNN_*`` module names of the package, from its listing (nothing imported).

    The folder is listed here rather than by ``pkgutil.iter_modules``, which imports
    ``inspect`` (and its dependencies) on every start, after PySide6's import hook is in
    place, for this one listing (issue 17: ~2 M instructions of the reviewer's first paint).
    A module counts once whatever its files: ``m001_x.py`` and a sourceless ``m001_x.pyc``.
    """
    pkg = importlib.import_module(package)
    suffixes = sorted(importlib.machinery.all_suffixes(), key=len, reverse=True)
    names: set[str] = set()
    for folder in pkg.__path__:
        try:
            entries = os.listdir(folder)
        except OSError:
            # Not a folder (the package imported from a zip): pkgutil asks the importer,
            # which can list it. An empty listing would build no schema and say nothing.
            import pkgutil

            entries = [info.name + ".py" for info in pkgutil.iter_modules([folder])]
        for entry in entries:
            suffix = next((s for s in suffixes if entry.endswith(s)), None)
            if suffix is None:
                continue
            name = entry[: -len(suffix)]
            if name.startswith("m") and name[1:4].isdigit() and name.isidentifier():
                names.add(name)
    return sorted(names)


def migrate(db: Database, migrations: list[Migration] | None = None) -> int:
    """Apply every pending migration in order; returns the version reached."""
    if migrations is None:
        # A library already at the newest version (every start but the first after an
        # update) needs none of the migrations' modules: their names say how many there
        # are (issue 17: importing all of them was ~2-3 ms of each window's start).
        names = _migration_names()
        current = schema_version(db)
        if names and [int(n[1:4]) for n in names] == list(range(1, current + 1)):
            return current
    todo = discover_migrations() if migrations is None else migrations
    with transaction(db):
        db.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
    current = schema_version(db)
    known = max((m.version for m in todo), default=0)
    if current > known:
        raise OneTakeError(
            f"This library was written by a newer OneTake (schema {current}); "
            "update OneTake to open it."
        )
    for migration in todo:
        if migration.version <= current:
            continue
        with transaction(db):
            migration.apply(db)
            db.execute(
                "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, utc_now()),
            )
        current = migration.version
    return current


def open_database(path: Path | str) -> Database:
    """Open the library database and bring its schema up to date."""
    db = connect(path)
    try:
        migrate(db)
    except BaseException:
        db.close()
        raise
    return db
