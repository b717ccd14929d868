"""The signing key: created once with mode 0600, then reused; a damaged file is an error."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from homing.errors import ConfigError
from homing.http.web.server_secret import SECRET_FILE, load_or_create_secret


def test_created_private_and_kept(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = load_or_create_secret(data)
    assert len(first) == 32
    assert stat.S_IMODE((data / SECRET_FILE).stat().st_mode) == 0o600
    assert load_or_create_secret(data) == first
    assert load_or_create_secret(tmp_path / "other") != first


@pytest.mark.parametrize("content", ["not hex\n", "abcd\n"])
def test_damaged_key_file_is_refused(tmp_path: Path, content: str) -> None:
    (tmp_path / SECRET_FILE).write_text(content)
    with pytest.raises(ConfigError, match="web session key"):
        load_or_create_secret(tmp_path)
