"""Where the store lives: the SQLite file of a data directory, or a PostgreSQL database (issue 9).

Operators write ``postgresql://user:password@host:port/dbname`` (or the
``postgresql+asyncpg://`` spelling SQLAlchemy uses); the store always talks to
PostgreSQL through asyncpg. The password never leaves this object in text
meant for people: ``shown`` hides it, and errors name the database by it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from homing.errors import ConfigError

if TYPE_CHECKING:
    from homing.config import Settings

POSTGRESQL_SCHEMES = ("postgresql", "postgresql+asyncpg")


class Backend(enum.Enum):
    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"


@dataclass(frozen=True, slots=True)
class Database:
    """One database: its backend and the async SQLAlchemy URL that opens it."""

    url: URL

    @classmethod
    def sqlite(cls, path: Path) -> Database:
        return cls(URL.create("sqlite+aiosqlite", database=str(path)))

    @classmethod
    def postgresql(cls, text: str, *, setting: str = "database_url") -> Database:
        """Parse an operator's URL; a message naming ``setting`` (never the password) if wrong."""
        try:
            url = make_url(text.strip())
        except (ArgumentError, ValueError):  # ValueError: a port that is no number
            raise ConfigError(
                f"setting {setting}: expected postgresql://user:password@host:port/dbname"
            ) from None
        if url.drivername not in POSTGRESQL_SCHEMES:
            raise ConfigError(
                f"setting {setting}: {url.drivername}:// is not supported "
                "(use postgresql:// or postgresql+asyncpg://)"
            )
        if not url.database:
            raise ConfigError(f"setting {setting}: the URL names no database (…/dbname)")
        if "sslmode" in url.query and "ssl" not in url.query:
            # libpq's spelling; asyncpg calls it ``ssl`` and takes the same values.
            query = {**url.query, "ssl": url.query["sslmode"]}
            del query["sslmode"]
            url = url.set(query=query)
        return cls(url.set(drivername="postgresql+asyncpg"))

    @classmethod
    def of(cls, database_url: str | None, sqlite_file: Path) -> Database:
        """The ``database_url`` setting if given, else the data directory's SQLite file."""
        if database_url:
            return cls.postgresql(database_url)
        return cls.sqlite(sqlite_file)

    @property
    def backend(self) -> Backend:
        return Backend.SQLITE if self.url.get_backend_name() == "sqlite" else Backend.POSTGRESQL

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None for PostgreSQL."""
        if self.backend is Backend.SQLITE and self.url.database:
            return Path(self.url.database)
        return None

    @property
    def shown(self) -> str:
        """For logs and error lines: the file, or the URL with its password hidden."""
        if self.path is not None:
            return str(self.path)
        return self.url.set(drivername="postgresql").render_as_string(hide_password=True)

    def __str__(self) -> str:
        return self.shown


def configured_database(settings: Settings) -> Database:
    """The database the settings name: ``database_url``, else SQLite in ``data_dir``."""
    return Database.of(settings.database_url, settings.database)
