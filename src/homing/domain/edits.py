"""What one update does to one host's records: a pure function from old records to new ones.

Every front door describes its request as a ``HostEdit``; ``apply_edit`` turns
the host's current RRsets plus the edit into the complete new RRsets. Keeping
this pure lets the writer compute a whole batch inside one transaction and lets
tests check the rules (dyndns2 offline/wildcard/mx, DuckDNS clear and TXT)
without a database.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from homing.domain.prefixes import Ipv6Identity, network_of, readdress
from homing.domain.records import RecordType, RRset

ACME_LABEL = "_acme-challenge"
MAX_TXT_LENGTH = 255
PRIMARY_MX_PREFERENCE = 10
BACKUP_MX_PREFERENCE = 20

RRKey = tuple[str, str]


@dataclass(frozen=True, slots=True, kw_only=True)
class HostEdit:
    """The change a request asks for; ``None`` means "leave as it is".

    Addresses only replace the family they belong to: a dyndns2 update with an
    IPv4 address leaves the AAAA record alone; ``clear_ipv4``/``clear_ipv6``
    remove one family (a parameter sent empty). ``ipv6_prefix`` moves the
    host's AAAA into a new prefix, keeping interface identifiers (see
    ``homing.domain.prefixes``); with ``ipv6`` as well, the address is the
    host's and the prefix is for its followers.
    """

    ipv4: ipaddress.IPv4Address | None = None
    ipv6: ipaddress.IPv6Address | None = None
    ipv6_prefix: ipaddress.IPv6Network | None = None
    clear_addresses: bool = False
    clear_ipv4: bool = False
    clear_ipv6: bool = False
    txt: str | None = None
    clear_txt: bool = False
    offline: bool | None = None
    wildcard: bool | None = None
    mx: str | None = None
    backmx: bool = False

    @property
    def addresses(self) -> tuple[str, ...]:
        return tuple(str(a) for a in (self.ipv4, self.ipv6) if a is not None)


@dataclass(frozen=True, slots=True, kw_only=True)
class HostFlags:
    offline: bool
    wildcard: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class EditResult:
    """The host's complete new state and which RRsets differ from before."""

    rrsets: dict[RRKey, RRset]
    changed: tuple[RRset, ...]
    flags: HostFlags

    def values(self, fqdn: str, rtype: RecordType) -> tuple[str, ...]:
        found = self.rrsets.get((fqdn, rtype.value))
        return found.rdatas if found else ()


def txt_rdata(value: str) -> str:
    """A TXT value as presentation-format rdata (one quoted character-string)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def txt_value(rdata: str) -> str:
    """The inverse of ``txt_rdata`` for the values Homing writes."""
    inner = rdata[1:-1] if len(rdata) >= 2 and rdata[0] == rdata[-1] == '"' else rdata
    return inner.replace('\\"', '"').replace("\\\\", "\\")


def valid_txt(value: str) -> bool:
    """TXT values from update URLs: printable ASCII, one character-string (RFC 1035 3.3.14)."""
    return 0 < len(value) <= MAX_TXT_LENGTH and all(" " <= ch <= "~" for ch in value)


def owned_names(fqdn: str) -> tuple[str, str, str]:
    """The names a host's records live at: itself, its wildcard, its ACME challenge."""
    return fqdn, f"*.{fqdn}", f"{ACME_LABEL}.{fqdn}"


def group_records(records: Iterable[tuple[str, str, int, str]]) -> dict[RRKey, RRset]:
    """(name, type, ttl, rdata) rows → RRsets keyed by (name, type)."""
    grouped: dict[RRKey, list[tuple[int, str]]] = {}
    for name, rtype, ttl, rdata in records:
        grouped.setdefault((name, rtype), []).append((ttl, rdata))
    return {
        key: RRset(key[0], key[1], min(ttl for ttl, _ in rows), tuple(r for _, r in rows))
        for key, rows in grouped.items()
    }


def _same(a: RRset | None, b: RRset | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.ttl == b.ttl and sorted(a.rdatas) == sorted(b.rdatas)


def apply_edit(
    *,
    fqdn: str,
    ttl: int,
    current: dict[RRKey, RRset],
    flags: HostFlags,
    edit: HostEdit,
    identity: Ipv6Identity | None = None,
) -> EditResult:
    """The host's records after ``edit``; ``changed`` lists RRsets to write (empty = delete).

    Raises AddressError when a prefix arrives for a host with no AAAA and no
    interface identifier (nothing says which address in the prefix is its).
    """
    new: dict[RRKey, RRset] = dict(current)
    name, wildcard_name, acme_name = owned_names(fqdn)
    a_key, aaaa_key = (name, RecordType.A.value), (name, RecordType.AAAA.value)

    def put(key: RRKey, rdatas: tuple[str, ...]) -> None:
        if rdatas:
            new[key] = RRset(key[0], key[1], ttl, tuple(dict.fromkeys(rdatas)))
        else:
            new.pop(key, None)

    offline = flags.offline if edit.offline is None else edit.offline
    wildcard = flags.wildcard if edit.wildcard is None else edit.wildcard
    if edit.clear_addresses or edit.clear_ipv4:
        put(a_key, ())
    if edit.clear_addresses or edit.clear_ipv6:
        put(aaaa_key, ())
    if edit.ipv4 is not None:
        put(a_key, (str(edit.ipv4),))
    if edit.ipv6 is not None:
        put(aaaa_key, (str(edit.ipv6),))
    elif edit.ipv6_prefix is not None:
        existing = current.get(aaaa_key)
        put(
            aaaa_key,
            readdress(
                edit.ipv6_prefix,
                current=existing.rdatas if existing else (),
                identity=identity or Ipv6Identity(),
            ),
        )
    if offline:
        put(a_key, ())
        put(aaaa_key, ())
    for key in (a_key, aaaa_key):
        mirror = (wildcard_name, key[1])
        put(mirror, new[key].rdatas if wildcard and key in new else ())
    if edit.clear_txt:
        put((name, RecordType.TXT.value), ())
        put((acme_name, RecordType.TXT.value), ())
    elif edit.txt is not None:
        put((name, RecordType.TXT.value), (txt_rdata(edit.txt),))
        put((acme_name, RecordType.TXT.value), (txt_rdata(edit.txt),))
    if edit.mx is not None:
        mx_key = (name, RecordType.MX.value)
        if not edit.mx:
            put(mx_key, ())
        elif edit.backmx:
            put(mx_key, (f"{PRIMARY_MX_PREFERENCE} {name}", f"{BACKUP_MX_PREFERENCE} {edit.mx}"))
        else:
            put(mx_key, (f"{PRIMARY_MX_PREFERENCE} {edit.mx}",))
    changed = tuple(
        new.get(key) or RRset(key[0], key[1], ttl, ())
        for key in sorted(set(current) | set(new))
        if not _same(current.get(key), new.get(key))
    )
    return EditResult(
        rrsets=new, changed=changed, flags=HostFlags(offline=offline, wildcard=wildcard)
    )


def follower_edit(edit: HostEdit, *, leader: Ipv6Identity) -> HostEdit | None:
    """What a host that follows the edited host gets (nsupdate.info's "related hosts").

    The leader's new IPv4 address as it is (one NAT address for the whole
    network) and its IPv6 prefix: the prefix sent, or the one its new address
    lies in at the leader's prefix length. None when the edit moves neither.
    """
    prefix = edit.ipv6_prefix
    if prefix is None and edit.ipv6 is not None:
        prefix = network_of(edit.ipv6, leader.prefix_length)
    if prefix is None and edit.ipv4 is None:
        return None
    return HostEdit(ipv4=edit.ipv4, ipv6_prefix=prefix)
