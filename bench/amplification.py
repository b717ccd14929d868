"""The amplification factor over UDP: the largest answer a small query can provoke.

A spoofed query makes a server send its answer to the victim; what matters is
answer bytes per query byte, for the biggest answer there is. The zone gets
what a user may put in it through the front doors (RFC 2136 with a TSIG key):
TXT sets of 1 to ``--max-strings`` strings of 255 bytes, and it is signed
(DNSSEC, ``homing dnssec enable``), so DO=1 answers carry signatures and
NSEC3 proofs. Each name is asked over UDP the smallest way (no EDNS; EDNS with
a 4096-byte buffer, DO off and on; ANY), plus a name that does not exist and
one outside the zones (REFUSED). Every answer above ``dns_udp_max_payload``
(1232) must go out truncated; the report names the largest answer and its
factor. Before issue 11, a 44-byte query got a 4,009-byte answer (91x) and an
empty EDNS Padding option padded a REFUSED to 468 bytes (10.9x).

    python bench/amplification.py [--max-strings 8] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import tempfile
from pathlib import Path

import dns.edns
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.tsig
import dns.update
from common import ZONE, seed, sign_zone, start_homing

from integration.server import homing

STRING = "x" * 255


def exchange(port: int, query: dns.message.Message) -> tuple[int, int, bool]:
    """(query bytes, answer bytes, TC) over UDP."""
    wire = query.to_wire()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(5)
        sock.sendto(wire, ("127.0.0.1", port))
        answer = sock.recv(65535)
    return len(wire), len(answer), bool(dns.message.from_wire(answer).flags & dns.flags.TC)


def add_txt_sets(port: int, key: dns.tsig.Key, max_strings: int) -> None:
    for count in range(1, max_strings + 1):
        update = dns.update.UpdateMessage(ZONE)
        update.use_tsig(key)
        for i in range(count):
            update.add(f"t{count}.{ZONE}", 60, "TXT", f'"{i}{STRING[1:]}"')
        answer = dns.query.tcp(update, "127.0.0.1", port=port, timeout=30)
        if answer.rcode() != dns.rcode.NOERROR:
            raise RuntimeError(f"update t{count}: {dns.rcode.to_text(answer.rcode())}")


def queries(max_strings: int) -> list[tuple[str, dns.message.Message]]:
    padding = [dns.edns.GenericOption(dns.edns.OptionType.PADDING, b"")]
    asked: list[tuple[str, dns.message.Message]] = []
    names = [f"t{n}.{ZONE}" for n in range(1, max_strings + 1)]
    for name in [*names, f"missing.{ZONE}", ZONE, "elsewhere.example."]:
        for rtype in ("TXT", "ANY", "DNSKEY", "NS"):
            asked.append((f"{name} {rtype} no EDNS", dns.message.make_query(name, rtype)))
            for do, options in ((False, []), (True, []), (False, padding)):
                query = dns.message.make_query(
                    name, rtype, use_edns=0, payload=4096, want_dnssec=do, options=options
                )
                extra = " empty Padding" if options else ""
                asked.append((f"{name} {rtype} EDNS 4096 DO={int(do)}{extra}", query))
    for _, query in asked:
        query.flags &= ~dns.flags.RD
    return asked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-strings", type=int, default=8)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="homing-bench-") as tmp:
        data = Path(tmp) / "data"
        asyncio.run(seed(data, 1))
        asyncio.run(sign_zone(data / "homing.sqlite3"))
        spec = homing(data, "tsig", "add", "amp", "--zone", ZONE, "--types", "TXT").stdout
        algorithm, name, secret = spec.split()[-1].split(":")
        server = start_homing(data)
        try:
            port = server.dns[1]
            add_txt_sets(port, dns.tsig.Key(name, secret, algorithm), args.max_strings)
            rows = []
            for label, query in queries(args.max_strings):
                sent, got, truncated = exchange(port, query)
                rows.append({"query": label, "bytes_in": sent, "bytes_out": got, "tc": truncated})
        finally:
            server.stop()
    largest = max(rows, key=lambda r: r["bytes_out"])
    worst = max(rows, key=lambda r: r["bytes_out"] / r["bytes_in"])
    results = {
        "largest_answer": largest,
        "largest_factor": round(worst["bytes_out"] / worst["bytes_in"], 1),
        "largest_factor_query": worst,
        "answers_over_1232": sum(1 for r in rows if r["bytes_out"] > 1232),
        "queries": len(rows),
    }
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps({**results, "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
