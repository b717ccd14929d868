"""Provider names as the config spells them, each with the parser of its settings."""

from __future__ import annotations

from collections.abc import Callable

from homing.client.options import Options
from homing.client.providers import ProviderSettings
from homing.client.providers.cloudflare import CloudflareSettings
from homing.client.providers.duckdns import DuckdnsSettings
from homing.client.providers.dyndns2 import Dyndns2Settings
from homing.client.providers.homing import HomingSettings
from homing.client.providers.rfc2136 import Rfc2136Settings

PARSERS: dict[str, Callable[[Options], ProviderSettings]] = {
    "homing": HomingSettings.parse,
    "dyndns2": Dyndns2Settings.parse,
    "duckdns": DuckdnsSettings.parse,
    "cloudflare": CloudflareSettings.parse,
    "rfc2136": Rfc2136Settings.parse,
}
