"""Backups of a data directory: a consistent copy while the server runs, and its restore.

A backup is one tar file (gzip) holding a manifest, the database and the
web UI's session key (without it, a restored server would sign everybody out
and invitation links would stop working). The database is copied with
SQLite's online backup API in a single step, which reads one WAL snapshot:
every transaction committed before the copy began is in it, none after, and
the server keeps answering and committing meanwhile. The copy is checked
(``PRAGMA integrity_check``) before the archive is written, and the archive
is renamed into place only when complete, so a half-written backup never
replaces a good one.

A restore goes only into an empty (or absent) data directory: it never
merges with or overwrites an installation. An older backup is migrated to
the current schema on restore; one made by a newer Homing is refused.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import sqlite3
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from homing import __version__
from homing.errors import ConflictError, InputError, StoreError
from homing.store.database import SCHEMA_HEAD, migrate, sqlite_path

log = logging.getLogger(__name__)

MANIFEST = "homing-backup.json"
DATABASE = "homing.sqlite3"
SESSION_KEY_FILE = "web-session.key"
"""The web UI's signing key (``homing.http.web.server_secret``; a test holds the two equal)."""
FORMAT = 1
MAX_MEMBER_BYTES = 64 * 2**30
KNOWN_SCHEMAS = {f"{n:04d}" for n in range(1, int(SCHEMA_HEAD) + 1)}


@dataclass(frozen=True, slots=True, kw_only=True)
class BackupInfo:
    """What a backup holds, as its manifest says."""

    created_at: str
    homing_version: str
    schema: str
    files: tuple[str, ...]
    database_bytes: int


def _copy_database(source: Path, target: Path) -> str:
    """Online backup of ``source`` into ``target`` (one step: one snapshot); returns its schema."""
    if not source.exists():
        raise StoreError(f"no database at {source}: nothing to back up")
    with contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src:
        src.execute("PRAGMA busy_timeout=10000")
        with contextlib.closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
            check = dst.execute("PRAGMA integrity_check").fetchone()
            if check is None or check[0] != "ok":
                raise StoreError(f"the copy of {source} failed its integrity check: {check}")
            try:
                row = dst.execute("SELECT version_num FROM alembic_version").fetchone()
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"{source} is not a Homing database: {exc}") from None
    if row is None:
        raise StoreError(f"{source} has no schema version: not a Homing database")
    return str(row[0])


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(datetime.now(UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


def create_backup(data_dir: Path, target: Path) -> BackupInfo:
    """Write a backup of ``data_dir`` to ``target`` (mode 0600, replaced atomically)."""
    target = target.resolve()
    if target.is_dir():
        raise InputError(f"{target} is a directory; give the backup file's name")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="homing-backup-", dir=target.parent) as work:
        copy = Path(work) / DATABASE
        schema = _copy_database(sqlite_path(data_dir), copy)
        files = [DATABASE]
        key = data_dir / SESSION_KEY_FILE
        key_bytes = key.read_bytes() if key.exists() else None
        if key_bytes is not None:
            files.append(SESSION_KEY_FILE)
        info = BackupInfo(
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            homing_version=__version__,
            schema=schema,
            files=tuple(files),
            database_bytes=copy.stat().st_size,
        )
        manifest = {"format": FORMAT, **_manifest_fields(info)}
        partial = Path(work) / "backup.tar.gz"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode())
            archive.add(copy, arcname=DATABASE, filter=_private)
            if key_bytes is not None:
                _add_bytes(archive, SESSION_KEY_FILE, key_bytes)
            raw.flush()
            os.fsync(raw.fileno())
        partial.replace(target)
    log.info("backup of %s written to %s (schema %s)", data_dir, target, schema)
    return info


def _private(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
    return info


def _manifest_fields(info: BackupInfo) -> dict[str, object]:
    return {
        "created_at": info.created_at,
        "homing_version": info.homing_version,
        "schema": info.schema,
        "files": list(info.files),
        "database_bytes": info.database_bytes,
    }


def _read_manifest(archive: tarfile.TarFile) -> BackupInfo:
    try:
        member = archive.getmember(MANIFEST)
        handle = archive.extractfile(member)
        if handle is None or member.size > 65536:
            raise KeyError(MANIFEST)
        data = json.loads(handle.read())
        info = BackupInfo(
            created_at=str(data["created_at"]),
            homing_version=str(data["homing_version"]),
            schema=str(data["schema"]),
            files=tuple(str(f) for f in data["files"]),
            database_bytes=int(data["database_bytes"]),
        )
        version = data["format"]
    except (KeyError, ValueError, TypeError) as exc:
        raise InputError(f"not a Homing backup (no valid {MANIFEST}): {exc}") from None
    if version != FORMAT:
        raise InputError(f"backup format {version!r} is not one this Homing reads ({FORMAT})")
    if info.schema not in KNOWN_SCHEMAS:
        raise InputError(
            f"the backup has schema {info.schema}, made by a newer Homing "
            f"({info.homing_version}); upgrade before restoring it"
        )
    if DATABASE not in info.files or not set(info.files) <= {DATABASE, SESSION_KEY_FILE}:
        raise InputError(f"the backup lists unexpected files: {', '.join(info.files)}")
    return info


def _check_empty(data_dir: Path) -> None:
    if data_dir.exists() and not data_dir.is_dir():
        raise InputError(f"{data_dir} is not a directory")
    if data_dir.exists() and any(data_dir.iterdir()):
        raise ConflictError(
            f"{data_dir} is not empty: restore into a new data directory "
            "(a restore never overwrites an installation)"
        )


def restore_backup(source: Path, data_dir: Path) -> BackupInfo:
    """Unpack the backup ``source`` into the empty ``data_dir`` and bring it to the schema."""
    _check_empty(data_dir)
    created = not data_dir.exists()
    try:
        with tarfile.open(source, mode="r:gz") as archive:
            info = _read_manifest(archive)
            data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            for name in info.files:
                _extract(archive, name, data_dir / name)
        with contextlib.closing(sqlite3.connect(data_dir / DATABASE)) as db:
            check = db.execute("PRAGMA integrity_check").fetchone()
        if check is None or check[0] != "ok":
            raise InputError(f"the database in {source} is damaged: {check}")
        migrate(data_dir / DATABASE)
    except (OSError, EOFError, zlib.error, tarfile.TarError, sqlite3.DatabaseError) as exc:
        _remove_restored(data_dir, created)
        raise InputError(f"cannot restore {source}: {exc}") from None
    except BaseException:
        _remove_restored(data_dir, created)
        raise
    log.info("restored %s into %s (schema %s)", source, data_dir, info.schema)
    return info


def _remove_restored(data_dir: Path, created: bool) -> None:
    """Leave the data directory as empty as it was: no half-restored installation."""
    for name in (DATABASE, SESSION_KEY_FILE, f"{DATABASE}-wal", f"{DATABASE}-shm"):
        (data_dir / name).unlink(missing_ok=True)
    if created:
        with contextlib.suppress(OSError):
            data_dir.rmdir()


def _extract(archive: tarfile.TarFile, name: str, path: Path) -> None:
    try:
        member = archive.getmember(name)
    except KeyError:
        raise InputError(f"the backup lists {name} but does not hold it") from None
    if not member.isfile() or member.size > MAX_MEMBER_BYTES:
        raise InputError(f"{name} in the backup is not a regular file of a sane size")
    handle = archive.extractfile(member)
    if handle is None:
        raise InputError(f"cannot read {name} from the backup")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        while chunk := handle.read(1 << 20):
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
