"""Every provider as the config spells it: its module, its keys, the families it can publish.

Modules are imported only when a config names them, so the daemon carries
the code of the providers it uses and no other (the 40 MiB budget of
issue 14; Route 53's boto3 alone would be more than that). The keys listed
here are what ``homing client providers`` prints; a test parses every
provider with exactly these keys, so the listing cannot drift from the code.
"""

from __future__ import annotations

import importlib
import operator
from dataclasses import dataclass

from homing.client.addresses import Family
from homing.client.options import Options
from homing.client.providers import ProviderSettings

BOTH = frozenset(Family)
IPV4_ONLY = frozenset({Family.IPV4})
COMMON_KEYS = ("provider", "names", "families", "dns_server")


@dataclass(frozen=True, kw_only=True)
class ProviderInfo:
    """One provider: where its settings class lives and which keys its table takes.

    A key in ``secrets`` is a credential, given as ``key``, ``key_file`` or ``key_env``.
    """

    module: str
    parser: str  # the parse function in the module, e.g. ``HomingSettings.parse``
    summary: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    either: tuple[str, ...] = ()  # at least one of these is required (FreeDNS's tokens)
    secrets: frozenset[str] = frozenset()
    families: frozenset[Family] = BOTH
    extra: str | None = None  # the pip extra it needs, if any

    def parse(self, options: Options) -> ProviderSettings:
        module = importlib.import_module(f"homing.client.providers.{self.module}")
        settings: ProviderSettings = operator.attrgetter(self.parser)(module)(options)
        return settings

    def shown_keys(self, keys: tuple[str, ...]) -> str:
        return ", ".join(f"{k} (or {k}_file, {k}_env)" if k in self.secrets else k for k in keys)


_HTTP = ("server", "allow_plain_http")


def _info(
    module: str,
    parser: str,
    summary: str,
    *,
    required: tuple[str, ...],
    optional: tuple[str, ...] = _HTTP,
    either: tuple[str, ...] = (),
    secrets: tuple[str, ...] = (),
    families: frozenset[Family] = BOTH,
    extra: str | None = None,
) -> ProviderInfo:
    return ProviderInfo(
        module=module,
        parser=parser,
        summary=summary,
        required=required,
        optional=optional,
        either=either,
        secrets=frozenset(secrets),
        families=families,
        extra=extra,
    )


PROVIDERS: dict[str, ProviderInfo] = {
    "homing": _info(
        "homing",
        "HomingSettings.parse",
        "Homing's own update API (dyndns2 with a host token)",
        required=("server", "username", "token"),
        optional=("allow_plain_http",),
        secrets=("token",),
    ),
    "dyndns2": _info(
        "dyndns2",
        "Dyndns2Settings.parse",
        "any dyndns2 service (/nic/update with Basic auth)",
        required=("server", "username", "password"),
        optional=("allow_plain_http",),
        secrets=("password",),
    ),
    "duckdns": _info(
        "duckdns",
        "DuckdnsSettings.parse",
        "DuckDNS (/update with a token)",
        required=("token",),
        secrets=("token",),
    ),
    "cloudflare": _info(
        "cloudflare",
        "CloudflareSettings.parse",
        "Cloudflare API v4 with a scoped API token",
        required=("token",),
        optional=(*_HTTP, "api_url", "zone", "ttl", "proxied"),
        secrets=("token",),
    ),
    "rfc2136": _info(
        "rfc2136",
        "Rfc2136Settings.parse",
        "RFC 2136 dynamic UPDATE signed with TSIG",
        required=("server", "zone", "key_name", "key_secret"),
        optional=("key_algorithm", "ttl", "timeout_seconds"),
        secrets=("key_secret",),
    ),
    "desec": _info(
        "desec",
        "DesecSettings.parse",
        "deSEC (dynDNS endpoint, REST API for TTLs)",
        required=("token",),
        optional=(*_HTTP, "api_server", "ttl"),
        secrets=("token",),
    ),
    "noip": _info(
        "noip",
        "parse",
        "No-IP (dyndns2 flavour, myip and myipv6)",
        required=("username", "password"),
        optional=(*_HTTP, "contact"),
        secrets=("password",),
    ),
    "dynu": _info(
        "dynu",
        "parse",
        "Dynu (dyndns2 flavour, myip and myipv6)",
        required=("username", "password"),
        secrets=("password",),
    ),
    "he": _info(
        "he",
        "parse",
        "Hurricane Electric dynamic DNS (one key per record)",
        required=("key",),
        secrets=("key",),
    ),
    "ovh": _info(
        "ovh",
        "parse",
        "OVH DynHost (dyndns2 flavour)",
        required=("username", "password"),
        secrets=("password",),
        families=IPV4_ONLY,
    ),
    "freedns": _info(
        "freedns",
        "FreednsSettings.parse",
        "FreeDNS (afraid.org) v2 update URLs, one token per record",
        required=(),
        either=("ipv4_token", "ipv6_token"),
        secrets=("ipv4_token", "ipv6_token"),
    ),
    "namecheap": _info(
        "namecheap",
        "NamecheapSettings.parse",
        "Namecheap Dynamic DNS (per-domain password, XML answers)",
        required=("domain", "password"),
        secrets=("password",),
        families=IPV4_ONLY,
    ),
    "porkbun": _info(
        "porkbun",
        "PorkbunSettings.parse",
        "Porkbun API v3 with an API key pair",
        required=("api_key", "secret_api_key"),
        optional=(*_HTTP, "zone", "ttl"),
        secrets=("api_key", "secret_api_key"),
    ),
    "hetzner": _info(
        "hetzner",
        "HetznerSettings.parse",
        "Hetzner DNS API with an API token",
        required=("token",),
        optional=(*_HTTP, "zone", "ttl"),
        secrets=("token",),
    ),
    "dynv6": _info(
        "dynv6",
        "Dynv6Settings.parse",
        "dynv6 REST API with an HTTP token",
        required=("token",),
        optional=(*_HTTP, "zone"),
        secrets=("token",),
    ),
    "digitalocean": _info(
        "digitalocean",
        "DigitaloceanSettings.parse",
        "DigitalOcean API v2 with a personal access token",
        required=("token",),
        optional=(*_HTTP, "zone", "ttl"),
        secrets=("token",),
    ),
    "gandi": _info(
        "gandi",
        "GandiSettings.parse",
        "Gandi LiveDNS v5 with a personal access token",
        required=("token",),
        optional=(*_HTTP, "zone", "ttl"),
        secrets=("token",),
    ),
    "godaddy": _info(
        "godaddy",
        "GodaddySettings.parse",
        "GoDaddy Domains API v1 with an API key and secret",
        required=("api_key", "api_secret"),
        optional=(*_HTTP, "zone", "ttl"),
        secrets=("api_key", "api_secret"),
    ),
    "linode": _info(
        "linode",
        "LinodeSettings.parse",
        "Linode (Akamai) API v4 with a personal access token",
        required=("token",),
        optional=(*_HTTP, "zone", "ttl"),
        secrets=("token",),
    ),
    "ionos": _info(
        "ionos",
        "IonosSettings.parse",
        "IONOS Hosting DNS API with an API key (prefix.secret)",
        required=("api_key",),
        optional=(*_HTTP, "zone", "ttl"),
        secrets=("api_key",),
    ),
    "netcup": _info(
        "netcup",
        "NetcupSettings.parse",
        "netcup CCP DNS API with an API key and password",
        required=("customer_number", "api_key", "api_password"),
        optional=(*_HTTP, "zone"),
        secrets=("api_key", "api_password"),
    ),
    "route53": _info(
        "route53",
        "Route53Settings.parse",
        "Amazon Route 53 (UPSERT of the record set) with an access key",
        required=("access_key_id", "secret_access_key"),
        optional=(*_HTTP, "zone", "ttl"),
        secrets=("access_key_id", "secret_access_key"),
        extra="route53",
    ),
}
