"""Secrets out of URLs before a URL reaches a log line or an error text.

Several providers take their credential in the URL: DuckDNS ``?token=``,
Namecheap ``?password=``, FreeDNS a bare ``?TOKEN`` or a path segment, any URL
``user:password@``. httpx logs request URLs and puts them into its error
texts. Every log line of ours passes ``RedactingFormatter``, and error texts
pass ``redact_urls``: query values are kept only for parameters known to be
harmless (the names and addresses an update is about), passwords in the
authority and secret-looking path segments are replaced.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"
HARMLESS_PARAMETERS = frozenset(
    {
        "hostname", "host", "domain", "domains", "myip", "myipv6", "ip", "ipv6", "ip6",
        "system", "verbose", "clear", "txt", "wildcard", "mx", "backmx", "offline",
        "zone", "name", "type", "ttl", "format", "a", "aaaa",
    }
)  # fmt: skip
_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+")
_SECRET_SEGMENT = re.compile(r"[A-Za-z0-9_\-+=]{20,}")


def redact_url(url: str) -> str:
    """``url`` with its secrets replaced by ``***`` (see the module docstring)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return MASK
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        user = userinfo.partition(":")[0]
        netloc = f"{user}:{MASK}@{hostport}" if ":" in userinfo else f"{MASK}@{hostport}"
    path = "/".join(
        MASK if _SECRET_SEGMENT.fullmatch(segment) else segment for segment in parts.path.split("/")
    )
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if not pairs or "=" not in query:
            query = MASK
        else:
            kept = [(k, v if k.lower() in HARMLESS_PARAMETERS else MASK) for k, v in pairs]
            query = urlencode(kept, safe="*,:")
    return urlunsplit((parts.scheme, netloc, path, query, parts.fragment))


def redact_urls(text: str) -> str:
    """Every URL in ``text`` redacted; the rest of the text as it was."""
    if "://" not in text:
        return text
    return _URL.sub(lambda match: redact_url(match.group(0)), text)


class RedactingFormatter(logging.Formatter):
    """Wraps a formatter: its whole output, traceback included, with URLs redacted."""

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self._inner = inner

    def format(self, record: logging.LogRecord) -> str:
        return redact_urls(self._inner.format(record))
