"""store/backup.py: the archive round-trips, and bad or hostile archives change nothing."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from homing.core.admin import Admin
from homing.errors import ConflictError, InputError
from homing.http.web.server_secret import SECRET_FILE
from homing.store.backup import (
    DATABASE,
    MANIFEST,
    SESSION_KEY_FILE,
    create_backup,
    restore_backup,
)
from homing.store.store import Store


async def _installation(data: Path) -> None:
    store = await Store.open(data / DATABASE)
    await Admin(store=store, origin="test").add_zone("kept.example")
    await store.close()
    (data / SESSION_KEY_FILE).write_text("cd" * 32 + "\n")


def _archive(path: Path, manifest: dict[str, object], members: dict[str, bytes]) -> Path:
    with tarfile.open(path, mode="w:gz") as archive:
        for name, data in {MANIFEST: json.dumps(manifest).encode(), **members}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def _manifest(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "format": 1,
        "created_at": "2026-01-01T00:00:00+00:00",
        "homing_version": "0.1.0",
        "schema": "0006",
        "files": [DATABASE],
        "database_bytes": 1,
    }
    return {**base, **changes}


def test_the_session_key_is_the_one_the_web_ui_uses() -> None:
    assert SESSION_KEY_FILE == SECRET_FILE


async def test_round_trip_keeps_the_database_and_the_session_key(tmp_path: Path) -> None:
    await _installation(tmp_path / "data")
    info = create_backup(tmp_path / "data", tmp_path / "b.tar.gz")
    assert info.files == (DATABASE, SESSION_KEY_FILE)
    assert (tmp_path / "b.tar.gz").stat().st_mode & 0o777 == 0o600
    restore_backup(tmp_path / "b.tar.gz", tmp_path / "new")
    assert (tmp_path / "new" / SESSION_KEY_FILE).read_text() == "cd" * 32 + "\n"
    assert (tmp_path / "new" / DATABASE).stat().st_mode & 0o777 == 0o600
    store = await Store.open(tmp_path / "new" / DATABASE)
    try:
        assert [z.name for z in await store.zones()] == ["kept.example."]
    finally:
        await store.close()


def test_backup_of_a_directory_without_a_database_is_refused(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="nothing to back up"):
        create_backup(tmp_path / "empty", tmp_path / "b.tar.gz")
    assert not (tmp_path / "b.tar.gz").exists()


async def test_restore_never_touches_a_directory_in_use(tmp_path: Path) -> None:
    await _installation(tmp_path / "data")
    create_backup(tmp_path / "data", tmp_path / "b.tar.gz")
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("mine")
    with pytest.raises(ConflictError, match="not empty"):
        restore_backup(tmp_path / "b.tar.gz", tmp_path / "used")
    assert [p.name for p in (tmp_path / "used").iterdir()] == ["notes.txt"]


@pytest.mark.parametrize(
    ("manifest", "members", "message"),
    [
        (_manifest(schema="9999"), {DATABASE: b"x"}, "newer Homing"),
        (_manifest(format=2), {DATABASE: b"x"}, "backup format"),
        (_manifest(files=[DATABASE, "../../etc/passwd"]), {DATABASE: b"x"}, "unexpected files"),
        (_manifest(files=["web-session.key"]), {}, "unexpected files"),
        (_manifest(), {}, "does not hold it"),
        (_manifest(), {DATABASE: b"not a database at all" * 100}, "cannot restore"),
        ({"format": 1}, {DATABASE: b"x"}, "not a Homing backup"),
    ],
)
def test_bad_archives_are_refused_and_leave_nothing(
    tmp_path: Path, manifest: dict[str, object], members: dict[str, bytes], message: str
) -> None:
    archive = _archive(tmp_path / "bad.tar.gz", manifest, members)
    with pytest.raises(InputError, match=message):
        restore_backup(archive, tmp_path / "new")
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("content", [b"", b"garbage" * 50, b"\x1f\x8b\x08\x00truncated"])
def test_files_that_are_no_archive_are_refused(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "bad.tar.gz").write_bytes(content)
    with pytest.raises(InputError):
        restore_backup(tmp_path / "bad.tar.gz", tmp_path / "new")
    assert not (tmp_path / "new").exists()


async def test_a_truncated_backup_is_refused(tmp_path: Path) -> None:
    await _installation(tmp_path / "data")
    create_backup(tmp_path / "data", tmp_path / "b.tar.gz")
    whole = (tmp_path / "b.tar.gz").read_bytes()
    (tmp_path / "cut.tar.gz").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InputError):
        restore_backup(tmp_path / "cut.tar.gz", tmp_path / "new")
    assert not (tmp_path / "new").exists()
