"""Reading a master file (RFC 1035 section 5) into records, fast for the common shape.

Zone files exported by BIND, Knot or a provider are mostly one record per
line: ``name [ttl] [IN] type rdata``. Those lines are read here by splitting
text, with addresses checked by ``ipaddress`` and every other rdata parsed by
dnspython, which is several times faster than running dnspython's zone file
reader over the whole file (bench/zone_import.py). Anything less plain (a
backslash escape, a ``$GENERATE``, a record without a TTL and no ``$TTL``, a
name or rdata the quick path does not take) sends the whole file to
dnspython's reader, which is then the reference; a property test holds the
two readers equal on generated files.

Output is the vocabulary of ``domain.records``: lower-case absolute owner
names, presentation-format rdata with absolute names, addresses as
``ipaddress`` prints them (as the update front doors store them).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.tokenizer
import dns.ttl
import dns.zonefile

from homing.errors import InputError

LABEL = r"(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)"
SIMPLE_NAME = re.compile(rf"^(?:\*|{LABEL})(?:\.{LABEL})*\.?$")
TTL_TEXT = re.compile(r"^[0-9][0-9smhdwSMHDW]*$")
TOKEN = re.compile(r"[^ \t]+")
UNUSUAL = re.compile(r"[^\t\x20-\x7e]")
"""Anything but tab and printable ASCII on a line: left to dnspython's reader."""
OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
IPV4 = re.compile(rf"^{OCTET}(?:\.{OCTET}){{3}}$")
"""Dotted quads in the one spelling ``ipaddress`` prints (no leading zeros)."""
PLAIN_TXT = re.compile(r'^"[ !#-\[\]-~]*"$')
"""One quoted string of printable ASCII without quote or backslash: dnspython prints it as is."""
MX_TEXT = re.compile(r"^([0-9]{1,5})\s+(\S+)$")
NAME_RDATA = frozenset({"CNAME", "MX", "NS", "PTR", "SRV", "DNAME"})
"""Types whose rdata is names and numbers only: lower-cased like owner names."""


@dataclass(frozen=True, slots=True)
class MasterRecord:
    """One resource record of the file, with the line it starts on (for messages)."""

    name: str
    rtype: str
    ttl: int
    rdata: str
    line: int


class _Fallback(Exception):
    """The quick reader met something it leaves to dnspython's reader (at ``line``)."""

    def __init__(self, line: int = 0) -> None:
        super().__init__(line)
        self.line = line


class _ReaderError(Exception):
    """dnspython's reader refused the file: its message and the line it had reached."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def read_master_file(text: str, *, zone: str) -> list[MasterRecord]:
    """Every record of ``text`` for ``zone`` (normalised); InputError names the line."""
    try:
        return list(_quick_records(text, zone))
    except _Fallback as stop:
        try:
            return _dnspython_records(text, zone)
        except _ReaderError as exc:
            # dnspython's tokenizer has often read the line's end when it finds the fault, so
            # it names the next line; the line the quick reader stopped at is the right one.
            line = stop.line if exc.line in (stop.line, stop.line + 1) else exc.line
            raise InputError(f"line {line}: {exc.message}") from None


def canonical_rdata(rtype: str, rdata: dns.rdata.Rdata) -> str:
    """How Homing stores an rdata (see the module docstring)."""
    if rtype in ("A", "AAAA"):
        return str(ipaddress.ip_address(rdata.to_text()))
    text = rdata.to_text()
    return text.lower() if rtype in NAME_RDATA else text


def _absolute(name: str, origin: str) -> str:
    if name == "@":
        return origin
    if not SIMPLE_NAME.match(name):
        raise _Fallback
    return name if name.endswith(".") else f"{name}.{origin}"


def _strip(line: str) -> tuple[str, int]:
    """The line without its comment, and how it changes the parenthesis depth."""
    if '"' not in line:
        body = line.split(";", 1)[0]
        return body, body.count("(") - body.count(")")
    depth, quoted, end = 0, False, len(line)
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif ch == ";":
            end = i
            break
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
    return line[:end], depth


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, text) of each entry, parenthesised continuations joined."""
    pending: list[str] = []
    start, depth = 0, 0
    # Only "\n" ends a line and only space and tab separate fields, as for dnspython's
    # tokenizer (str.splitlines and str.split know more: U+2028, U+00A0, ...).
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.removesuffix("\r")
        if "\\" in line or UNUSUAL.search(line):
            raise _Fallback(number)
        body, change = _strip(line)
        if pending:
            pending.append(body)
            depth += change
            if depth <= 0:
                yield start, " ".join(pending)
                pending = []
            continue
        if change > 0:
            pending, start, depth = [body], number, change
            continue
        if change < 0:
            raise _Fallback(number)
        if body.strip():
            yield number, body
    if pending:
        raise _Fallback(start)


class _Origins:
    """dnspython names of the origins seen, made once each."""

    def __init__(self) -> None:
        self._names: dict[str, dns.name.Name] = {}

    def get(self, origin: str) -> dns.name.Name:
        found = self._names.get(origin)
        if found is None:
            found = self._names[origin] = dns.name.from_text(origin)
        return found


def _quick_records(text: str, zone: str) -> Iterator[MasterRecord]:
    state = _QuickState(zone)
    for number, line in _logical_lines(text):
        try:
            record = state.entry(line, number)
        except _Fallback:
            raise _Fallback(number) from None
        if record is not None:
            yield record


class _QuickState:
    """What the quick reader carries from line to line: origin, $TTL, the last owner."""

    def __init__(self, zone: str) -> None:
        self.zone = zone
        self.suffix = "." + zone
        self.origin = zone
        self.default_ttl: int | None = None
        self.last_name: str | None = None
        self.origins = _Origins()

    def entry(self, line: str, number: int) -> MasterRecord | None:
        if line.startswith("$"):
            parts = line.split()
            if parts[0].upper() == "$ORIGIN" and len(parts) == 2:
                self.origin = _absolute(parts[1].lower(), self.origin)
            elif parts[0].upper() == "$TTL" and len(parts) == 2:
                self.default_ttl = _ttl(parts[1])
            else:
                raise _Fallback
            return None
        tokens = TOKEN.finditer(line)
        if line[0] in " \t":
            if self.last_name is None:
                raise _Fallback
            name = self.last_name
        else:
            name = _absolute(next(tokens).group().lower(), self.origin)
        ttl, rtype, rest = None, None, ""
        for match in tokens:
            word = match.group()
            if ttl is None and TTL_TEXT.match(word):
                ttl = _ttl(word)
            elif word.upper() != "IN":
                rtype, rest = word.upper(), line[match.end() :].strip()
                break
        if rtype is None or not rest:
            raise _Fallback
        if ttl is None:
            if self.default_ttl is None:
                raise _Fallback
            ttl = self.default_ttl
        if name != self.zone and not name.endswith(self.suffix):
            raise InputError(f"line {number}: {name} is outside the zone {self.zone}")
        self.last_name = name
        stored_type, rdata = _rdata(rtype, rest, self.origin, self.origins)
        return MasterRecord(name, stored_type, ttl, rdata, number)


def _ttl(text: str) -> int:
    try:
        return int(dns.ttl.from_text(text))
    except dns.ttl.BadTTL:
        raise _Fallback from None


def _rdata(rtype: str, rest: str, origin: str, origins: _Origins) -> tuple[str, str]:
    """(type, rdata) as stored; the type's name as dnspython spells it.

    The commonest shapes are recognised by pattern (each gives exactly what
    dnspython would print); the rest is parsed by dnspython's rdata parser.
    """
    try:
        if rtype == "A" and IPV4.match(rest):
            return rtype, rest
        if rtype == "AAAA" and "%" not in rest:
            return rtype, str(ipaddress.IPv6Address(rest))
        if rtype == "TXT" and PLAIN_TXT.match(rest):
            return rtype, rest
        if rtype == "CNAME" and " " not in rest and "\t" not in rest:
            return rtype, _absolute(rest.lower(), origin)
        if rtype == "MX" and (mx := MX_TEXT.match(rest)) and int(mx.group(1)) < 65536:
            return rtype, f"{int(mx.group(1))} {_absolute(mx.group(2).lower(), origin)}"
        rdtype = dns.rdatatype.from_text(rtype)
        rdata = dns.rdata.from_text(
            dns.rdataclass.IN, rdtype, rest, origin=origins.get(origin), relativize=False
        )
    except (dns.exception.DNSException, ValueError):
        raise _Fallback from None
    name = dns.rdatatype.to_text(rdtype)
    return name, canonical_rdata(name, rdata)


class _Manager:
    """The part of a transaction manager dnspython's zone file reader asks about."""

    def __init__(self, origin: dns.name.Name) -> None:
        self._origin = origin

    def origin_information(self) -> tuple[dns.name.Name, bool, dns.name.Name]:
        # The root as "zone origin": the reader would silently drop names outside it.
        return dns.name.root, False, self._origin


class _Collector:
    """Receives what dnspython's reader reads (the transaction methods it calls)."""

    def __init__(self, zone: str, tokenizer: dns.tokenizer.Tokenizer) -> None:
        self.manager = _Manager(dns.name.from_text(zone))
        self.records: list[MasterRecord] = []
        self._zone = zone
        self._suffix = "." + zone
        self._tokenizer = tokenizer

    def check_put_rdataset(self, _check: Any) -> None:
        """The reader's CNAME-and-other-data check; Homing checks hosts itself."""

    def _set_origin(self, _origin: dns.name.Name) -> None:
        """Relative names are made absolute by the reader already."""

    def add(self, name: dns.name.Name, ttl: int, rdata: dns.rdata.Rdata) -> None:
        line = self._tokenizer.line_number
        owner = name.to_text().lower()
        if owner != self._zone and not owner.endswith(self._suffix):
            raise InputError(f"line {line}: {owner} is outside the zone {self._zone}")
        rtype = dns.rdatatype.to_text(rdata.rdtype)
        self.records.append(MasterRecord(owner, rtype, ttl, canonical_rdata(rtype, rdata), line))


def _dnspython_records(text: str, zone: str) -> list[MasterRecord]:
    tokenizer = dns.tokenizer.Tokenizer(text, "<zone file>")
    collector = _Collector(zone, tokenizer)
    reader = dns.zonefile.Reader(
        tokenizer,
        dns.rdataclass.IN,
        collector,  # type: ignore[arg-type]
        allow_include=False,
        allow_directives={"$ORIGIN", "$TTL", "$GENERATE"},
    )
    # Relative names start from the zone; the root as zone origin keeps the reader from
    # dropping names outside it without a word (see _Manager).
    reader.current_origin = reader.last_name = dns.name.from_text(zone)
    try:
        reader.read()
    except dns.exception.DNSException as exc:
        # dnspython's message starts "<zone file>:LINE: "; ours says "line LINE: ".
        message = re.sub(r"^<zone file>:\d+: ", "", str(exc))
        raise _ReaderError(message, tokenizer.line_number) from None
    return collector.records
