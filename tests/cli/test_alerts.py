"""``homing alert set|show|test`` on a fresh data directory, the test alert to a real webhook."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from homing.cli import main

PRIVATE_OK = {"HOMING_ALERT_WEBHOOK_PRIVATE": "true"}


def _homing(data: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, ["--data", str(data), *args], env=env)


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    finally:
        server.shutdown()
        server.server_close()


def test_set_show_and_test(tmp_path: Path, webhook: tuple[str, list[dict[str, Any]]]) -> None:
    url, received = webhook
    assert _homing(tmp_path, "user", "add", "alice").exit_code == 0
    shown = _homing(tmp_path, "alert", "show", "alice")
    assert "email     -" in shown.output and "on        -" in shown.output
    private = _homing(tmp_path, "alert", "set", "alice", "--webhook", url)
    assert private.exit_code == 1 and "alert_webhook_private" in private.output
    result = _homing(
        tmp_path,
        "alert",
        "set",
        "alice",
        "--webhook",
        url,
        "--on",
        "changes,stale",
        "--stale-hours",
        "12",
        env=PRIVATE_OK,
    )
    assert result.exit_code == 0, result.output
    shown = _homing(tmp_path, "alert", "show", "alice").output
    assert f"webhook   {url}" in shown
    assert "on        changes,stale" in shown
    assert "after 12 hours" in shown
    tested = _homing(tmp_path, "alert", "test", "alice", env=PRIVATE_OK)
    assert tested.exit_code == 0, tested.output
    assert tested.output == f"webhook {url}: sent\n"
    assert received[0]["event"] == "test" and received[0]["user"] == "alice"
    # Without alert_webhook_private a loopback webhook is refused, in one line.
    refused = _homing(tmp_path, "alert", "test", "alice")
    assert refused.exit_code == 1
    assert "is not a global address" in refused.output
    assert refused.output.splitlines()[-1] == "error: 1 of 1 test alerts could not be delivered"
    cleared = _homing(tmp_path, "alert", "set", "alice", "--webhook", "")
    assert "webhook   -" in cleared.output


def test_bad_values_are_one_line_errors(tmp_path: Path) -> None:
    assert _homing(tmp_path, "user", "add", "alice").exit_code == 0
    for args, message in [
        (("--email", "not-an-address"), "error: not an email address: 'not-an-address'\n"),
        (("--webhook", "ftp://x.example/"), "error: a webhook must be an http:// or https://"),
        (("--on", "changes,weather"), "error: unknown alert event 'weather'"),
        (("--stale-hours", "0"), "error: stale hours must be between 1 and 8760\n"),
    ]:
        result = _homing(tmp_path, "alert", "set", "alice", *args)
        assert result.exit_code == 1
        assert result.output.startswith(message), result.output
    nobody = _homing(tmp_path, "alert", "test", "alice")
    assert nobody.output == "error: alice has no email or webhook for alerts (homing alert set)\n"
    assert _homing(tmp_path, "alert", "show", "bob").output == "error: no user bob\n"
