"""``homing zone import/export`` as operators run them: 100,000 hosts into a running server,
the export checked by Knot's and BIND's zone checkers, and re-imported to the same records."""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

import dns.exception
import httpx

from support import require_tool

from .dnsquery import addresses, wait_for
from .server import ServerProcess, homing

HOSTS = 100_000
ZONE = "big.example"


def _master_file(path: Path) -> None:
    lines = [
        f"$ORIGIN {ZONE}.",
        "$TTL 300",
        "@ IN SOA ns1 hostmaster ( 2026120101 3600 600 1209600 60 )",
        "@ IN NS ns1",
        "ns1 IN A 192.0.2.53",
    ]
    for i in range(HOSTS):
        lines.append(f"h{i} 60 IN A 10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}")
        if i % 1000 == 0:
            lines.append(f"     60 IN AAAA 2001:db8::{i >> 16:x}:{i & 0xFFFF:x}")
            lines.append(f'h{i} IN TXT "host {i}"')
    path.write_text("\n".join(lines) + "\n")


def _served(server: ServerProcess, name: str) -> set[str]:
    try:
        return addresses(server.dns, name)
    except dns.exception.Timeout:  # busy loading the zone: ask again
        return set()


def _check_zone(tool: str, zone: str, path: Path) -> subprocess.CompletedProcess[str]:
    binary = require_tool(tool)
    args = (
        [binary, "-o", f"{zone}.", str(path)] if tool == "kzonecheck" else [binary, zone, str(path)]
    )
    return subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)


def _records(export: str, zone: str) -> list[str]:
    """The export's records (not its comment or the SOA serial), with the zone's name as @."""
    kept = []
    for line in export.splitlines():
        if line.startswith(";") or line.startswith("$ORIGIN"):
            continue
        fields = line.split("\t")
        if len(fields) > 3 and fields[3] == "SOA":
            soa = fields[4].split()
            fields[4] = " ".join([*soa[:2], *soa[3:]])
        kept.append("\t".join(fields).replace(zone, "@"))
    return kept


def test_a_hundred_thousand_hosts_in_and_out(tmp_path: Path) -> None:
    data = tmp_path / "data"
    homing(data, "user", "add", "alice")
    source = tmp_path / "big.zone"
    _master_file(source)
    server = ServerProcess(data).start()
    try:
        tokens_file = tmp_path / "tokens.csv"
        out = homing(
            data,
            "zone",
            "import",
            ZONE,
            str(source),
            "--owner",
            "alice",
            "--tokens-out",
            str(tokens_file),
        )
        assert f"imported {HOSTS + 1} hosts" in out.stdout
        assert tokens_file.stat().st_mode & 0o777 == 0o600
        with tokens_file.open() as handle:
            rows = list(csv.reader(handle))
        assert rows[0] == ["fqdn", "token"] and len(rows) == HOSTS + 2
        tokens = dict(rows[1:])
        assert set(tokens) == {f"h{i}.{ZONE}" for i in range(HOSTS)} | {f"ns1.{ZONE}"}
        # The running server follows the import without a restart.
        wait_for(
            lambda: _served(server, f"h99999.{ZONE}") == {"10.1.134.159"},
            timeout=30,
            what="the imported zone to be served",
        )
        assert addresses(server.dns, f"h5000.{ZONE}", "AAAA") == {"2001:db8::1388"}
        response = httpx.get(
            f"{server.url}/update",
            params={"domains": f"h42.{ZONE}", "token": tokens[f"h42.{ZONE}"], "ip": "192.0.2.42"},
            timeout=10,
        )
        assert response.text == "OK"
        assert addresses(server.dns, f"h42.{ZONE}") == {"192.0.2.42"}
    finally:
        assert server.stop() == 0, server.log()

    export = homing(data, "zone", "export", ZONE).stdout
    exported = tmp_path / "export.zone"
    exported.write_text(export)
    moved = tmp_path / "moved.zone"
    moved.write_text(export.replace(f"$ORIGIN {ZONE}.", "$ORIGIN copy.example."))
    homing(
        data,
        "zone",
        "import",
        "copy.example",
        str(moved),
        "--owner",
        "alice",
        "--tokens-out",
        str(tmp_path / "copy.csv"),
    )
    copy = homing(data, "zone", "export", "copy.example").stdout
    assert _records(copy, "copy.example.") == _records(export, f"{ZONE}.")
    assert len(_records(export, f"{ZONE}.")) > HOSTS
    for tool in ("kzonecheck", "named-checkzone"):
        checked = _check_zone(tool, ZONE, exported)
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_bad_files_change_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    homing(data, "user", "add", "alice")
    homing(data, "zone", "add", "small.example")
    homing(data, "host", "add", "taken.small.example", "--owner", "alice")
    before = homing(data, "zone", "export", "small.example").stdout
    cases = {
        "syntax.zone": ("$TTL 60\nok A 192.0.2.1\nbad A 192.0.2\n", "line 3"),
        "exists.zone": ("$TTL 60\nnew A 192.0.2.1\ntaken A 192.0.2.2\n", "taken.small.example."),
        "outside.zone": ("$TTL 60\nwww.elsewhere.example. A 192.0.2.1\n", "outside the zone"),
        "binary.zone": ("\udcff", "not UTF-8"),
    }
    for name, (text, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(text.encode("utf-8", "surrogateescape"))
        tokens = tmp_path / f"{name}.csv"
        result = homing(
            data,
            "zone",
            "import",
            "small.example",
            str(path),
            "--owner",
            "alice",
            "--tokens-out",
            str(tokens),
            check=False,
        )
        assert result.returncode == 1, name
        assert result.stderr.startswith("error: ") and message in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert not tokens.exists()
    assert homing(data, "zone", "export", "small.example").stdout == before
    hosts = homing(data, "host", "list").stdout.splitlines()
    assert [line.split("\t")[0] for line in hosts] == ["taken.small.example."]
    # An existing tokens file is never overwritten, and nothing is imported then.
    good = tmp_path / "good.zone"
    good.write_text("$TTL 60\nfresh A 192.0.2.9\n")
    (tmp_path / "kept.csv").write_text("precious\n")
    result = homing(
        data,
        "zone",
        "import",
        "small.example",
        str(good),
        "--owner",
        "alice",
        "--tokens-out",
        str(tmp_path / "kept.csv"),
        check=False,
    )
    assert result.returncode == 1 and "exists" in result.stderr
    assert (tmp_path / "kept.csv").read_text() == "precious\n"
    assert homing(data, "zone", "export", "small.example").stdout == before


def test_host_add_with_several_names_prints_one_token_line_each(tmp_path: Path) -> None:
    data = tmp_path / "data"
    homing(data, "user", "add", "alice")
    homing(data, "zone", "add", "multi.example")
    out = homing(data, "host", "add", "a.multi.example", "b.multi.example", "--owner", "alice")
    lines = out.stdout.strip().splitlines()
    assert lines[0] == "2 hosts added for alice; update tokens (shown once):"
    assert [line.split()[0] for line in lines[1:]] == ["a.multi.example", "b.multi.example"]
    assert all(line.split()[1].startswith("hm_") for line in lines[1:])
    failed = homing(
        data, "host", "add", "c.multi.example", "a.multi.example", "--owner", "alice", check=False
    )
    assert failed.returncode == 1 and "already exists" in failed.stderr
    assert "c.multi.example" not in homing(data, "host", "list").stdout
