"""The data directory of an older install is tightened at start; new files are private."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from homing.store.permissions import restrict_umask, secure_data_dir


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_an_open_install_is_tightened(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    data = tmp_path / "data"
    (data / "backups").mkdir(parents=True)
    database = data / "homing.sqlite3"
    database.write_text("")
    (data / "backups" / "old.tar").write_text("")
    (data).chmod(0o755)
    (data / "backups").chmod(0o775)
    (database).chmod(0o644)
    (data / "backups" / "old.tar").chmod(0o666)
    secure_data_dir(data)
    assert (_mode(data), _mode(data / "backups")) == (0o700, 0o700)
    assert (_mode(database), _mode(data / "backups" / "old.tar")) == (0o600, 0o600)
    assert "from 0644 to 0600" in caplog.text
    caplog.clear()
    secure_data_dir(data)
    assert "restricted" not in caplog.text  # already private: nothing to say


def test_files_made_under_the_umask_are_private(tmp_path: Path) -> None:
    before = os.umask(0o022)
    try:
        restrict_umask()
        made = tmp_path / "new"
        made.write_text("secret")
        assert _mode(made) == 0o600
    finally:
        os.umask(before)
