"""A command's long output reaches a pipe whose reader comes late, whole (it once did not)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HOSTS = 5000
SLOW_READER_SECONDS = 2.0


def _wchan(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/wchan").read_text()
    except OSError:
        return ""


def test_zone_export_into_a_full_pipe_loses_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    base = [sys.executable, "-m", "homing", "--data", str(data)]
    subprocess.run([*base, "user", "add", "alice"], check=True, capture_output=True)
    zone = tmp_path / "z.zone"
    zone.write_text(
        "$TTL 60\n" + "".join(f"h{i} A 10.0.{i >> 8}.{i & 255}\n" for i in range(HOSTS))
    )
    subprocess.run(
        [
            *base,
            "zone",
            "import",
            "pipe.example",
            str(zone),
            "--owner",
            "alice",
            "--tokens-out",
            str(tmp_path / "t.csv"),
        ],
        check=True,
        capture_output=True,
    )
    export = subprocess.Popen([*base, "zone", "export", "pipe.example"], stdout=subprocess.PIPE)
    # Read only once the command is blocked on the full pipe: the slow consumer's case.
    deadline = time.monotonic() + 60
    while not _wchan(export.pid).endswith("pipe_write") and export.poll() is None:
        assert time.monotonic() < deadline, "the export never filled the pipe"
        time.sleep(0.01)
    # A consumer that comes back later still gets everything (what it does meanwhile does
    # not matter: this is the slow reader under test, not a wait for a condition).
    blocked_since = time.monotonic()
    while time.monotonic() - blocked_since < SLOW_READER_SECONDS and export.poll() is None:
        time.sleep(0.05)
    out, _ = export.communicate(timeout=60)
    assert export.returncode == 0
    lines = out.decode().splitlines()
    assert len([line for line in lines if "\tA\t" in line]) == HOSTS
    assert lines[-1].split("\t")[-1].startswith("10.0.")
