"""``homing dnssec rollover``: what it prints, and one clear line for each bad input."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from homing.cli import main


def _homing(data: Path, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, ["--data", str(data), *args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


def test_rollover_prints_the_keys_and_refuses_bad_input_in_one_line(tmp_path: Path) -> None:
    _homing(tmp_path, "zone", "add", "dyn.example")
    for args, error in [
        (("nowhere.example",), "error: no zone nowhere.example.\n"),
        (("dyn.example",), "error: zone dyn.example. is not signed (homing dnssec enable "),
        (("dyn.example", "--algorithm", "rsasha1"), "error: unknown DNSSEC algorithm 'rsasha1'"),
    ]:
        assert _homing(tmp_path, "dnssec", "rollover", *args, code=1).startswith(error)
    _homing(tmp_path, "dnssec", "enable", "dyn.example")
    before = _homing(tmp_path, "dnssec", "status", "dyn.example")
    out = _homing(tmp_path, "dnssec", "rollover", "dyn.example", "--algorithm", "ed25519")
    lines = out.splitlines()
    assert lines[0] == "zone dyn.example.: key rollover"
    assert lines[1].endswith(": ecdsap256sha256, active") and lines[1] in before
    assert lines[2].endswith(": ed25519, published")
    assert lines[3] == "rollover: publish"
    assert lines[4].startswith("next: nothing yet: the new key ")
    again = _homing(tmp_path, "dnssec", "rollover", "dyn.example", code=1)
    assert again.count("\n") == 1 and "in a key rollover already" in again
    early = _homing(tmp_path, "dnssec", "rollover", "dyn.example", "--complete", code=1)
    assert early.startswith("error: too early: the new key of dyn.example. is in every cache")
    assert "PRIVATE" not in _homing(tmp_path, "dnssec", "status", "dyn.example")
    # The DS for the parent stays the old key's until the new key is in every cache.
    assert _homing(tmp_path, "dnssec", "ds", "dyn.example").split()[4] == lines[1].split()[1][:-1]
