"""Domain-name validation and normalisation (IDNA 2008), shared by every front door.

Names travel inside Homing as lower-case absolute text in A-label form, with the
trailing dot ("home.example.net."), so that comparisons are plain string equality.
"""

from __future__ import annotations

import re

import dns.exception
import dns.name

from homing.errors import NameError_

MAX_NAME_LENGTH = 253
_PLAIN_LABEL = r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)"
_PLAIN_NAME = re.compile(rf"(?:{_PLAIN_LABEL}\.)*{_PLAIN_LABEL}\.?\Z")
"""A name of ASCII letters, digits, '-' and '_' alone: what almost every update names.
Short enough, it is already valid (dnspython takes ASCII labels, "xn--" ones too, as they
are), and ``normalize_name`` only lowers it: an update's names through dnspython's IDNA
codec were 3% of the provider's loop (py-spy, 50 updates/s).
``tests/domain/test_names.py`` holds it to ``_normalized_by_dnspython``."""


def normalize_name(text: str) -> str:
    """Return ``text`` as lower-case absolute A-label text, or raise NameError_.

    Accepts Unicode (IDNA) and A-label input, with or without the trailing dot.
    Rejects empty labels, labels over 63 octets, names over 253 characters and
    characters that are not letters, digits, '-' or '_' (underscore is allowed
    because ACME challenge names need it).
    """
    raw = text.strip()
    plain_length = len(raw) - raw.endswith(".")
    if plain_length <= MAX_NAME_LENGTH and _PLAIN_NAME.match(raw):
        name = raw.lower()
        return name if name.endswith(".") else name + "."
    return _normalized_by_dnspython(raw)


def _normalized_by_dnspython(raw: str) -> str:
    """``normalize_name`` of any text: IDNA, escapes and every error (the reference)."""
    if not raw or raw == ".":
        raise NameError_("empty name")
    if len(raw) > 4 * MAX_NAME_LENGTH:
        raise NameError_("name too long")
    if raw.endswith("."):
        raw = raw[:-1]
    try:
        name = dns.name.from_text(
            raw, origin=dns.name.root, idna_codec=dns.name.IDNA_2008_Practical
        )
    except (dns.exception.DNSException, UnicodeError, ValueError) as exc:
        raise NameError_(f"not a valid domain name: {exc}") from None
    if name == dns.name.root:
        raise NameError_("empty name")
    result = name.to_text().lower()
    if len(result) > MAX_NAME_LENGTH + 1:
        raise NameError_("name longer than 253 characters")
    for label in name.labels[:-1]:
        if not label:
            raise NameError_("empty label")
        for byte in label:
            ch = chr(byte)
            if not (ch.isascii() and (ch.isalnum() or ch in "-_")):
                raise NameError_(f"invalid character {ch!r} in name")
        if label.startswith(b"-") or label.endswith(b"-"):
            raise NameError_("a label may not start or end with '-'")
    return result


def is_subdomain(name: str, zone: str) -> bool:
    """True when ``name`` equals ``zone`` or lies below it (both normalised)."""
    return name == zone or name.endswith("." + zone)


def relative_label(name: str, zone: str) -> str:
    """The part of ``name`` in front of ``zone`` ('' for the apex)."""
    if name == zone:
        return ""
    return name[: -len(zone) - 1]
