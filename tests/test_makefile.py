"""``make run`` installs what the server needs and nothing more; ``make test`` the rest
(issue 15: the first ``make run`` took 1.5 minutes installing the test toolchain)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from support import require_tool

ROOT = Path(__file__).resolve().parent.parent


def planned(target: str, venv: Path) -> str:
    """The commands ``make`` would run for ``target`` in a fresh virtual environment."""
    make = require_tool("make")
    result = subprocess.run(
        [make, "-n", "-C", str(ROOT), target, f"VENV={venv}"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return result.stdout


def test_make_run_installs_only_the_server(tmp_path: Path) -> None:
    run = planned("run", tmp_path / "venv")
    assert "pip install --quiet -e .\n" in run
    assert "[test]" not in run and "install-test-tools" not in run
    assert "serve --demo" in run


def test_make_test_installs_the_test_extras_and_tools(tmp_path: Path) -> None:
    test = planned("test", tmp_path / "venv")
    assert "pip install --quiet -e '.[test]'" in test
    assert "install-test-tools.sh" in test
    assert test.index("-e .\n") < test.index("'.[test]'")
