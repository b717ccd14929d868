"""``homing apitoken create|list|revoke`` on a fresh data directory."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from homing.cli import main


def _homing(data: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["--data", str(data), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_create_list_revoke(tmp_path: Path) -> None:
    _homing(tmp_path, "zone", "add", "dyn.example")
    _homing(tmp_path, "user", "add", "alice")
    _homing(tmp_path, "host", "add", "home.dyn.example", "--owner", "alice")
    created = _homing(
        tmp_path,
        *("apitoken", "create", "--user", "alice", "--name", "ci", "--expires", "30d"),
        *("--read-only", "--hosts", "home.dyn.example", "--types", "txt"),
    )
    secret = created.splitlines()[-1]
    assert secret.startswith("hm_api_")
    listed = _homing(tmp_path, "apitoken", "list")
    assert "\talice\tci\tread-only hosts=home.dyn.example types=TXT\texpires " in listed
    assert secret not in listed and secret[:11] in listed
    _homing(tmp_path, "apitoken", "revoke", "1")
    assert "\trevoked " in _homing(tmp_path, "apitoken", "list", "--user", "alice")


def test_errors_are_one_line(tmp_path: Path) -> None:
    _homing(tmp_path, "user", "add", "alice")
    result = CliRunner().invoke(
        main,
        [
            "--data",
            str(tmp_path),
            "apitoken",
            "create",
            "--user",
            "alice",
            "--name",
            "x",
            "--expires",
            "soon",
        ],
    )
    assert result.exit_code == 1
    assert result.output.startswith("error: not a lifetime: 'soon'")
