"""``homing doctor``: what a newcomer needs to know before pointing a router at the server.

It asks the DNS as the world would (a resolver, by default the machine's;
``--resolver`` chooses another) for each zone's delegation, asks every name
server address the delegation leads to for the zone's SOA over UDP and TCP,
and looks at what it can see locally: the data directory's permissions, the
HTTPS certificate's names and expiry, and whether the kernel thinks its clock
is synchronised (TSIG, RFC 8945, refuses messages more than 300 s off). The
judging is pure (``domain.delegation``); this module only gathers.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import ipaddress
import ssl
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.resolver

from homing.config import Settings
from homing.domain.delegation import (
    Finding,
    ParentView,
    Probe,
    Severity,
    judge_delegation,
    judge_probes,
)
from homing.domain.names import is_subdomain
from homing.store.backup import SESSION_KEY_FILE
from homing.store.database import sqlite_path
from homing.store.store import Store

CERT_WARN_DAYS = 14
TIME_ERROR = 5
"""adjtimex(2)'s answer when the kernel clock is not synchronised."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DoctorOptions:
    resolver: tuple[str, int] | None = None
    port: int = 53
    timeout: float = 2.0


def _query(
    name: str, rtype: str, where: tuple[str, int], *, timeout: float, tcp: bool = False
) -> dns.message.Message:
    query = dns.message.make_query(name, rtype)
    if tcp:
        return dns.query.tcp(query, where[0], port=where[1], timeout=timeout)
    return dns.query.udp(query, where[0], port=where[1], timeout=timeout)


def default_resolver() -> tuple[str, int]:
    """The machine's first resolver (``/etc/resolv.conf``)."""
    try:
        return str(dns.resolver.Resolver().nameservers[0]), 53
    except (dns.resolver.NoResolverConfiguration, IndexError):
        return "127.0.0.1", 53


def parent_view(zone: str, resolver: tuple[str, int], *, timeout: float) -> ParentView:
    """The NS and glue the resolver gives for ``zone`` (a referral, or a recursive answer)."""
    try:
        answer = _query(zone, "NS", resolver, timeout=timeout)
        if answer.flags & dns.flags.TC:
            answer = _query(zone, "NS", resolver, timeout=timeout, tcp=True)
    except (dns.exception.DNSException, OSError) as exc:
        return ParentView(error=f"no answer from the resolver {resolver[0]}#{resolver[1]}: {exc}")
    if answer.rcode() != dns.rcode.NOERROR:
        return ParentView(error=f"the resolver says {dns.rcode.to_text(answer.rcode())}")
    nameservers = sorted(
        {
            item.to_text().lower()
            for section in (answer.answer, answer.authority)
            for rrset in section
            if rrset.rdtype == dns.rdatatype.NS and rrset.name.to_text().lower() == zone
            for item in rrset
        }
    )
    if not nameservers:
        return ParentView(error="the resolver knows the name but has no NS records for it")
    glue: dict[str, set[str]] = {}
    for rrset in answer.additional:
        if rrset.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
            glue.setdefault(rrset.name.to_text().lower(), set()).update(
                str(ipaddress.ip_address(item.to_text())) for item in rrset
            )
    return ParentView(
        nameservers=tuple(nameservers), glue={k: frozenset(v) for k, v in glue.items()}
    )


def _resolve(name: str, resolver: tuple[str, int], *, timeout: float) -> frozenset[str]:
    found: set[str] = set()
    for rtype in ("A", "AAAA"):
        with contextlib.suppress(dns.exception.DNSException, OSError):
            answer = _query(name, rtype, resolver, timeout=timeout)
            found.update(
                str(ipaddress.ip_address(item.to_text()))
                for rrset in answer.answer
                if rrset.rdtype == dns.rdatatype.from_text(rtype)
                for item in rrset
            )
    return frozenset(found)


def _problem(
    zone: str, address: str, port: int, *, timeout: float, tcp: bool
) -> tuple[str | None, int | None]:
    try:
        answer = _query(zone, "SOA", (address, port), timeout=timeout, tcp=tcp)
    except dns.exception.Timeout:
        return f"does not answer (no reply within {timeout:g} s)", None
    except (dns.exception.DNSException, OSError) as exc:
        return f"does not answer ({exc})", None
    if answer.rcode() != dns.rcode.NOERROR:
        return f"answers {dns.rcode.to_text(answer.rcode())}", None
    if not answer.flags & dns.flags.AA:
        return "answers, but not authoritatively", None
    for rrset in answer.answer:
        if rrset.rdtype == dns.rdatatype.SOA and rrset.name.to_text().lower() == zone:
            return None, int(rrset[0].serial)
    return "answers without the zone's SOA", None


def probe_servers(
    zone: str,
    addresses: dict[str, frozenset[str]],
    *,
    port: int,
    timeout: float,
) -> list[Probe]:
    probes = []
    for ns in sorted(addresses):
        for address in sorted(addresses[ns]):
            udp, serial = _problem(zone, address, port, timeout=timeout, tcp=False)
            tcp, tcp_serial = _problem(zone, address, port, timeout=timeout, tcp=True)
            probes.append(
                Probe(
                    nameserver=ns,
                    address=address,
                    udp_problem=udp,
                    tcp_problem=tcp,
                    serial=serial if serial is not None else tcp_serial,
                )
            )
    return probes


async def zone_findings(store: Store, options: DoctorOptions) -> list[Finding]:
    """Delegation and name server findings for every zone we serve."""
    resolver = options.resolver or default_resolver()
    zones = await store.zones()
    if not zones:
        return [
            Finding(
                severity=Severity.WARN,
                topic="zones",
                message="no zone yet",
                fix="homing zone add ZONE --ns NS-NAME",
            )
        ]
    found: list[Finding] = []
    for zone in zones:
        async with store.read() as txn:
            records = await txn.zone_records(zone.id)
        in_zone: dict[str, set[str]] = {}
        for rec in records:
            if rec.rtype in ("A", "AAAA") and rec.name in zone.nameservers:
                in_zone.setdefault(rec.name, set()).add(rec.rdata)
        zone_addresses = {k: frozenset(v) for k, v in in_zone.items()}
        parent = parent_view(zone.name, resolver, timeout=options.timeout)
        found += judge_delegation(
            zone=zone.name, ours=zone.nameservers, parent=parent, zone_addresses=zone_addresses
        )
        # Ask the servers the world would ask: the parent's, else the zone's own list.
        targets: dict[str, frozenset[str]] = {}
        for ns in parent.nameservers or zone.nameservers:
            addresses = parent.glue.get(ns) or zone_addresses.get(ns)
            if not addresses and not is_subdomain(ns, zone.name):
                addresses = _resolve(ns, resolver, timeout=options.timeout)
            if addresses:
                targets[ns] = addresses
            else:
                found.append(
                    Finding(
                        severity=Severity.FAIL,
                        topic=f"name server {ns}",
                        message="has no address anyone could ask",
                        fix=f"give {ns} an A/AAAA record",
                    )
                )
        probes = probe_servers(zone.name, targets, port=options.port, timeout=options.timeout)
        found += judge_probes(zone=zone.name, serial=zone.serial, probes=probes)
    return found


def local_findings(settings: Settings, *, now: datetime | None = None) -> list[Finding]:
    """What this machine shows: data directory permissions, certificate, clock."""
    return [
        *_permission_findings(settings.data_dir),
        *_certificate_findings(settings, now or datetime.now(UTC)),
        _clock_finding(),
    ]


def _permission_findings(data_dir: Path) -> Iterable[Finding]:
    topic = f"data directory {data_dir}"
    if not data_dir.is_dir():
        yield Finding(
            severity=Severity.FAIL,
            topic=topic,
            message="does not exist",
            fix="check --data / HOMING_DATA (the service uses /var/lib/homing)",
        )
        return
    mode = stat.S_IMODE(data_dir.stat().st_mode)
    if mode & 0o077:
        yield Finding(
            severity=Severity.WARN,
            topic=topic,
            message=f"is open to other users (mode {mode:04o})",
            fix=f"chmod 700 {data_dir}",
        )
    bad = False
    for path in (sqlite_path(data_dir), data_dir / SESSION_KEY_FILE):
        if path.exists() and stat.S_IMODE(path.stat().st_mode) & 0o077:
            bad = True
            yield Finding(
                severity=Severity.FAIL,
                topic=topic,
                message=f"{path.name} is readable by other users "
                f"(mode {stat.S_IMODE(path.stat().st_mode):04o}); it holds secrets",
                fix=f"chmod 600 {path}",
            )
    if not bad and not mode & 0o077:
        yield Finding(severity=Severity.OK, topic=topic, message="only its owner can read it")


def _certificate_findings(settings: Settings, now: datetime) -> Iterable[Finding]:
    if settings.tls_cert is None:
        yield Finding(
            severity=Severity.OK,
            topic="certificate",
            message="no tls_cert: plain HTTP, so HTTPS must come from a reverse proxy",
        )
        return
    topic = f"certificate {settings.tls_cert}"
    try:
        cert = _decode_certificate(settings.tls_cert)
        not_after = datetime.fromtimestamp(ssl.cert_time_to_seconds(cert["notAfter"]), UTC)
    except (OSError, ValueError, KeyError) as exc:
        yield Finding(
            severity=Severity.FAIL,
            topic=topic,
            message=f"cannot be read: {exc}",
            fix="point tls_cert at a PEM certificate chain",
        )
        return
    names = [value for kind, value in cert.get("subjectAltName", ()) if kind == "DNS"]
    left = not_after - now
    if left <= timedelta(0):
        yield Finding(
            severity=Severity.FAIL,
            topic=topic,
            message=f"expired on {not_after:%Y-%m-%d}",
            fix="renew it (certbot renew, or tls_acme_* settings) and restart",
        )
    elif left < timedelta(days=CERT_WARN_DAYS):
        yield Finding(
            severity=Severity.WARN,
            topic=topic,
            message=f"expires in {left.days} days ({not_after:%Y-%m-%d})",
            fix="check that renewal runs",
        )
    else:
        yield Finding(
            severity=Severity.OK,
            topic=topic,
            message=f"for {', '.join(names) or 'no DNS names'}, valid until {not_after:%Y-%m-%d}",
        )
    host = urlsplit(settings.public_url).hostname if settings.public_url else None
    if host and not any(_covers(name, host) for name in names):
        yield Finding(
            severity=Severity.FAIL,
            topic=topic,
            message=f"does not name {host} (public_url); clients would refuse it",
            fix=f"get a certificate for {host}",
        )


def _decode_certificate(path: Path) -> dict[str, Any]:
    """The first certificate of a PEM file, as ``ssl.SSLSocket.getpeercert`` describes one.

    The standard library's own decoder (what CPython's test suite uses): the
    provider does not depend on ``cryptography``, and this needs no more.
    """
    decode: Callable[[str], dict[str, Any]] = getattr(ssl, "_ssl")._test_decode_cert  # noqa: B009
    return decode(str(path))


def _covers(pattern: str, host: str) -> bool:
    pattern, host = pattern.lower().rstrip("."), host.lower().rstrip(".")
    if pattern.startswith("*."):
        return host.split(".", 1)[-1] == pattern[2:] and host.count(".") == pattern.count(".")
    return pattern == host


def _clock_finding() -> Finding:
    """The kernel's own view (adjtimex: no NTP client of ours needed)."""
    topic = "clock"
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return Finding(severity=Severity.WARN, topic=topic, message="cannot ask the kernel")
    libc = ctypes.CDLL(libc_name, use_errno=True)
    timex = ctypes.create_string_buffer(512)  # struct timex, modes = 0: read only
    state = libc.adjtimex(timex)
    if state == TIME_ERROR:
        return Finding(
            severity=Severity.WARN,
            topic=topic,
            message="the kernel says the clock is not synchronised; signed updates (TSIG) "
            "fail beyond 300 s of difference",
            fix="run an NTP client (systemd-timesyncd, chrony)",
        )
    if state < 0:
        return Finding(severity=Severity.WARN, topic=topic, message="cannot ask the kernel")
    return Finding(
        severity=Severity.OK,
        topic=topic,
        message=f"synchronised according to the kernel ({datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC)",
    )
