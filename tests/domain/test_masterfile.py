"""domain/masterfile.py: the quick reader says what dnspython's reader says, or defers to it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homing.domain.masterfile import (
    MasterRecord,
    _dnspython_records,
    _Fallback,
    _quick_records,
    _ReaderError,
    read_master_file,
)
from homing.errors import InputError

ZONE = "example.net."

SAMPLE = """\
$ORIGIN example.net.
$TTL 1h
@   IN  SOA ns1 hostmaster.example.net. (
            2024010101 ; serial
            3600 600 1209600 60 )
@       IN NS ns1
        IN NS ns2.other.example.
@       MX 10 mail
ns1     300 IN A 192.0.2.1
mail    IN 600 A 192.0.2.25   ; class before TTL
Home    A 198.51.100.7
        AAAA 2001:DB8:0:0::7
*.home  A 198.51.100.7
_acme-challenge.home TXT "a; not a comment"
www     CNAME home
ext     CNAME host.other.example.
_sip._tcp SRV 0 5 5060 SIP.example.com.
txt2    TXT "one" "two"
caa     CAA 0 issue "letsencrypt.org"
$ORIGIN sub
deep    A 10.0.0.1
"""


def _plain(records: list[MasterRecord]) -> list[tuple[str, str, int, str]]:
    return [(r.name, r.rtype, r.ttl, r.rdata) for r in records]


def test_the_quick_reader_agrees_with_dnspython_on_a_typical_export() -> None:
    quick = list(_quick_records(SAMPLE, ZONE))
    assert _plain(quick) == _plain(_dnspython_records(SAMPLE, ZONE))
    by_name = {(r.name, r.rtype): r for r in quick}
    assert by_name[("home.example.net.", "AAAA")].rdata == "2001:db8::7"
    assert by_name[("home.example.net.", "AAAA")].line == 12
    assert by_name[("mail.example.net.", "A")].ttl == 600
    assert by_name[("www.example.net.", "CNAME")].rdata == "home.example.net."
    assert by_name[("_sip._tcp.example.net.", "SRV")].rdata == "0 5 5060 sip.example.com."
    assert by_name[("_acme-challenge.home.example.net.", "TXT")].rdata == '"a; not a comment"'
    assert by_name[("deep.sub.example.net.", "A")].rdata == "10.0.0.1"
    soa = by_name[("example.net.", "SOA")]
    assert soa.rdata == "ns1.example.net. hostmaster.example.net. 2024010101 3600 600 1209600 60"
    assert soa.line == 3


@pytest.mark.parametrize(
    "text",
    [
        "$TTL 60\n@ SOA a b 1 2 3 4 5\nh\\065 A 192.0.2.1\n",  # an escape
        "$GENERATE 1-3 h$ A 192.0.2.$\n$TTL 60\n",
        "h 60 A 192.0.2.1\n  A 192.0.2.2\nx A 192.0.2.3\n",  # no $TTL: RFC 1035's last TTL
        "$TTL 60\nh A 010.0.0.1\n",  # a spelling dnspython may or may not take
        "$TTL 60\nh TYPE1 \\# 4 c0000201\n",
        "$TTL 60\nh\xa0A 192.0.2.1\n",  # not a field separator for dnspython
        '$TTL 60\nh TXT "a\u2028b"\n',  # not a line end for dnspython
        "$TTL 60\nh\x0bA 192.0.2.1\n",
    ],
)
def test_anything_unusual_goes_to_dnspython(text: str) -> None:
    with pytest.raises(_Fallback):
        list(_quick_records(text, ZONE))
    try:
        expected = _plain(_dnspython_records(text, ZONE))
    except (_ReaderError, InputError) as exc:
        with pytest.raises(InputError, match=str(exc)[:20]):
            read_master_file(text, zone=ZONE)
    else:
        assert _plain(read_master_file(text, zone=ZONE)) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("$TTL 60\nok A 192.0.2.1\nbad A 300.1.2.3\n", "line 3"),
        ("$TTL 60\nok A 192.0.2.1\nbad MX ten mail\n", "line 3"),
        ("$TTL 60\nh A 192.0.2.1\nh.other.example. A 192.0.2.2\n", "line 3: h.other.example."),
        ("$TTL 60\n$INCLUDE /etc/passwd\n", "line 2"),
        ("$TTL 60\nh IN ( A\n", "line"),
        ("$TTL 60\nh CH A 192.0.2.1\n", "line 2"),
        ("$TTL 60\nh A 192.0.2.1 )\n", "line 2"),
    ],
)
def test_errors_name_the_line(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_master_file(text, zone=ZONE)


LABELS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=12).filter(
    lambda s: not s.startswith("-") and not s.endswith("-")
)
OWNERS = st.one_of(
    st.just("@"),
    st.lists(LABELS, min_size=1, max_size=3).map(".".join),
    st.lists(LABELS, min_size=1, max_size=2).map(lambda ls: ".".join(ls) + "." + ZONE),
    LABELS.map(lambda label: "*." + label),
)
TTLS = st.one_of(
    st.none(), st.integers(0, 2**31 - 1).map(str), st.sampled_from(["1h", "2d", "30m"])
)
RDATAS = st.one_of(
    st.tuples(st.just("A"), st.ip_addresses(v=4).map(str)),
    st.tuples(st.just("AAAA"), st.ip_addresses(v=6).map(lambda a: a.exploded)),
    st.tuples(st.just("AAAA"), st.ip_addresses(v=6).map(str)),
    st.tuples(
        st.just("TXT"),
        st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40).map(
            lambda t: '"' + t.replace("\\", "").replace('"', "") + '"'
        ),
    ),
    st.tuples(
        st.just("MX"), st.tuples(st.integers(0, 65535), OWNERS).map(lambda p: f"{p[0]} {p[1]}")
    ),
    st.tuples(st.just("CNAME"), OWNERS),
    st.tuples(st.just("SRV"), OWNERS.map(lambda o: f"1 2 3 {o}")),
)
LINES = st.tuples(
    st.booleans(), OWNERS, TTLS, st.booleans(), RDATAS, st.sampled_from(["", " ; note"])
)


@settings(max_examples=150, deadline=None)
@given(st.lists(LINES, min_size=1, max_size=12), st.booleans())
def test_property_both_readers_read_the_same_records(lines: list[tuple], dollar_ttl: bool) -> None:
    text = "$TTL 300\n" if dollar_ttl else ""
    for blank, owner, ttl, with_class, (rtype, rdata), comment in lines:
        fields = [] if blank and text else [owner]
        fields += [ttl] if ttl else []
        fields += ["IN"] if with_class else []
        fields += [rtype, rdata]
        text += (" " if blank and text else "") + " ".join(fields) + comment + "\n"
    try:
        expected = _plain(_dnspython_records(text, ZONE))
    except (_ReaderError, InputError):
        with pytest.raises(InputError):
            read_master_file(text, zone=ZONE)
        return
    try:
        quick = _plain(list(_quick_records(text, ZONE)))
    except _Fallback:
        quick = expected
    assert quick == expected
    assert _plain(read_master_file(text, zone=ZONE)) == expected
