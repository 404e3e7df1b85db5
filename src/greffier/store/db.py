"""The database: an engine, read and write sessions, and the Alembic migrations.

SQLite in `Settings.data_dir` by default; PostgreSQL (or any SQLAlchemy URL) via `GREFFIER_DATABASE_URL`.
On SQLite, write sessions start with `BEGIN IMMEDIATE` so that concurrent writers queue up on the
lock (busy timeout) instead of failing when a read transaction turns into a write; `secure_delete`
overwrites deleted rows with zeros, and after an erasure a checkpoint empties the write-ahead log,
which still holds the pages as they were (`erase_deleted`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from greffier.config import Settings
from greffier.errors import GreffierError

log = logging.getLogger("greffier.store")
MIGRATIONS = Path(__file__).parent / "migrations"
_WRITE = "greffier_write"
_PG_MIGRATION_LOCK = 0x67726566  # pg_advisory_xact_lock key: one migrating process at a time


class DatabaseError(GreffierError):
    """The database is unreachable, misconfigured or at the wrong schema version."""


def database_url(settings: Settings) -> str:
    if settings.database_url:
        return settings.database_url
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{settings.data_dir / 'greffier.db'}"


def _normalise(url: str) -> Any:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(
            f"GREFFIER_DATABASE_URL {url!r} is not a database URL",
            "use postgresql://user:password@host:5432/dbname, or unset it for SQLite in the data folder",
        ) from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


class Database:
    def __init__(self, url: str) -> None:
        self.url = _normalise(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        if self.is_sqlite:
            self.engine = create_engine(self.url, connect_args={"check_same_thread": False, "timeout": 30})
            _sqlite_pragmas(self.engine)
        else:
            self.engine = create_engine(self.url, pool_pre_ping=True, pool_size=10, max_overflow=30)
        # over the network, reads run in autocommit: no BEGIN / ROLLBACK round trips around each SELECT
        reads = self.engine if self.is_sqlite else self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self._read = sessionmaker(reads, expire_on_commit=False)
        self._write = sessionmaker(self.engine.execution_options(**{_WRITE: True}), expire_on_commit=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls(database_url(settings))

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction that commits on exit (rolls back on an exception)."""
        with self._write.begin() as session:
            yield session

    # -- schema ------------------------------------------------------------------------------------
    def _alembic(self, connection: Connection) -> Config:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        return config

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema to `revision` (idempotent; safe with several processes starting together)."""
        with self._connect() as connection, connection.begin():
            if not self.is_sqlite:
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
            command.upgrade(self._alembic(connection), revision)

    def downgrade(self, revision: str) -> None:
        with self._connect() as connection, connection.begin():
            command.downgrade(self._alembic(connection), revision)

    def current_revision(self) -> str | None:
        with self._connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    @staticmethod
    def head_revision() -> str | None:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        return ScriptDirectory.from_config(config).get_current_head()

    @contextmanager
    def _connect(self) -> Iterator[Connection]:
        from sqlalchemy.exc import OperationalError

        try:
            connection = self.engine.connect()
        except OperationalError as exc:
            raise DatabaseError(
                f"cannot connect to the database {self.url.render_as_string(hide_password=True)}",
                "start it, or fix GREFFIER_DATABASE_URL (unset it to use SQLite in the data folder)",
            ) from exc
        with connection:
            yield connection

    def erase_deleted(self) -> None:
        """After an erasure: on SQLite, copy the write-ahead log into the database file (where
        `secure_delete` zeroed the deleted rows) and truncate it, so the deleted words are in neither
        file. PostgreSQL keeps deleted rows until (auto)vacuum reclaims them."""
        if not self.is_sqlite:
            return
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            busy, _, _ = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            cursor.close()
        finally:
            connection.close()
        if busy:
            log.warning(
                "erasure: the write-ahead log is still being read; it is emptied at the next checkpoint"
            )

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(engine: Any) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "foreign_keys=ON",
            "busy_timeout=30000",
            "synchronous=NORMAL",
            "secure_delete=ON",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        write = connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
