"""store/location.py: the database_url an operator writes, and where a password may appear."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homing.errors import ConfigError
from homing.store.location import Backend, Database
from homing.store.postgres import asyncpg_arguments


@pytest.mark.parametrize(
    "text",
    [
        "postgresql://u:pw@db.example:5433/homing",
        "postgresql+asyncpg://u:pw@db.example:5433/homing",
    ],
)
def test_both_spellings_open_asyncpg(text: str) -> None:
    database = Database.postgresql(text)
    assert database.backend is Backend.POSTGRESQL and database.path is None
    assert database.url.drivername == "postgresql+asyncpg"
    assert database.shown == "postgresql://u:***@db.example:5433/homing"
    arguments = asyncpg_arguments(database)
    assert (arguments["host"], arguments["port"], arguments["database"]) == (
        "db.example",
        5433,
        "homing",
    )
    assert arguments["server_settings"]["timezone"] == "UTC"


def test_libpq_sslmode_means_what_asyncpg_calls_ssl() -> None:
    database = Database.postgresql("postgresql://u@db.example/homing?sslmode=verify-full")
    assert asyncpg_arguments(database)["ssl"] == "verify-full"
    assert "sslmode" not in asyncpg_arguments(database)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mysql://u:secret@h/db", "mysql:// is not supported"),
        ("postgresql://u:secret@h", "names no database"),
        ("postgresql://u:secret@h:notaport/db", "expected postgresql://"),
        ("not a url", "expected postgresql://"),
    ],
)
def test_bad_urls_name_the_setting_never_the_password(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=r"^setting database_url: ") as caught:
        Database.postgresql(text)
    assert message in str(caught.value) and "secret" not in str(caught.value)


def test_without_a_url_the_data_directory_file(tmp_path: Path) -> None:
    database = Database.of(None, tmp_path / "homing.sqlite3")
    assert database.backend is Backend.SQLITE and database.path == tmp_path / "homing.sqlite3"
    assert database.shown == str(tmp_path / "homing.sqlite3")
    assert Database.of("", tmp_path / "x").backend is Backend.SQLITE


@settings(max_examples=60)
@given(rest=st.text(max_size=40))
def test_any_password_round_trips_and_is_never_shown(rest: str) -> None:
    password = "pw-" + rest
    database = Database.postgresql(f"postgresql://homing:{quote(password, safe='')}@db/homing")
    assert database.url.password == password
    assert "pw-" not in database.shown and "pw-" not in str(database)
    assert database.shown == "postgresql://homing:***@db/homing"
