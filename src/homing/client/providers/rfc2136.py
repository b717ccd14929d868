"""RFC 2136 dynamic UPDATE signed with TSIG (RFC 8945), sent with dnspython over TCP.

Each family's RRset is replaced whole (delete + add in one UPDATE), so a
stale second address cannot survive. NOTAUTH and REFUSED mean the key or
its scope is wrong: retrying cannot help, so they stop the name.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

import dns.asyncquery
import dns.exception
import dns.name
import dns.rcode
import dns.tsig
import dns.update
import httpx

from homing.client.addresses import Addresses
from homing.client.options import Options, Secret
from homing.client.providers import AnswerKind, ProviderAnswer

ALGORITHMS = ("hmac-sha256", "hmac-sha384", "hmac-sha512", "hmac-sha224", "hmac-sha1")
REJECTED_RCODES = frozenset({dns.rcode.NOTAUTH, dns.rcode.REFUSED, dns.rcode.NOTZONE})


@dataclass(frozen=True, kw_only=True)
class Rfc2136Settings:
    """The primary server, the zone, the TSIG key and the TTL of the records."""

    host: str
    port: int
    zone: str
    key_name: str
    key_algorithm: str
    key_secret: Secret
    ttl: int
    timeout: float

    @classmethod
    def parse(cls, options: Options) -> Rfc2136Settings:
        server = options.host_port("server", default_port=53, what="the primary server")
        if server is None:
            raise options.error("server", "missing: the primary server (IP or IP:PORT) is required")
        host, port = server
        secret = options.secret("key_secret")
        try:
            base64.b64decode(secret.value, validate=True)
        except binascii.Error:
            raise options.error("key_secret", "the TSIG secret must be base64") from None
        zone = options.required_string("zone", what="the zone to update")
        try:
            dns.name.from_text(zone)
        except dns.exception.DNSException:
            raise options.error("zone", f"not a domain name: {zone!r}") from None
        return cls(
            host=host,
            port=port,
            zone=zone,
            key_name=options.required_string("key_name", what="the TSIG key's name"),
            key_algorithm=options.string("key_algorithm", "hmac-sha256", choices=ALGORITHMS),
            key_secret=secret,
            ttl=options.integer("ttl", 60, low=1, high=86400),
            timeout=options.number("timeout_seconds", 10.0, low=0.1, high=120),
        )

    def build(self, http: httpx.AsyncClient) -> Rfc2136Provider:
        return Rfc2136Provider(self)


class Rfc2136Provider:
    """Sends one signed UPDATE per call; the answer's rcode decides."""

    def __init__(self, settings: Rfc2136Settings) -> None:
        self._settings = settings
        self._key = dns.tsig.Key(
            settings.key_name, settings.key_secret.value, settings.key_algorithm
        )

    async def update(self, name: str, addresses: Addresses) -> ProviderAnswer:
        s = self._settings
        message = dns.update.UpdateMessage(s.zone, keyring=self._key)
        for family, address in addresses.items():
            message.replace(dns.name.from_text(name), s.ttl, family.record_type, str(address))
        try:
            response = await dns.asyncquery.tcp(message, s.host, port=s.port, timeout=s.timeout)
        except dns.exception.Timeout:
            return ProviderAnswer(AnswerKind.FAILED, f"no answer from {s.host}:{s.port}")
        except (OSError, EOFError) as exc:
            return ProviderAnswer(AnswerKind.FAILED, f"cannot reach {s.host}:{s.port}: {exc}")
        except dns.tsig.PeerError as exc:
            return ProviderAnswer(AnswerKind.REJECTED, f"NOTAUTH ({type(exc).__name__})")
        except dns.exception.DNSException as exc:
            return ProviderAnswer(AnswerKind.FAILED, f"bad answer from {s.host}:{s.port}: {exc}")
        rcode = response.rcode()
        text = dns.rcode.to_text(rcode)
        if rcode == dns.rcode.NOERROR:
            return ProviderAnswer(AnswerKind.UPDATED, f"NOERROR {addresses}")
        if rcode in REJECTED_RCODES:  # a wrong key or a name outside its scope
            return ProviderAnswer(AnswerKind.REJECTED, text)
        return ProviderAnswer(AnswerKind.FAILED, text)
