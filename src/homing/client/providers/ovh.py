"""OVH DynHost (``dns.eu.ovh.net/nic/update?system=dyndns``): dyndns2 with a DynHost login.

A DynHost login (made in the OVH control panel for a zone) updates the A
records of its zone; DynHost has no AAAA, so the config refuses IPv6.
"""

from __future__ import annotations

from dataclasses import replace

from homing.client.options import Options
from homing.client.providers.dyndns2 import Dyndns2Settings


def parse(options: Options) -> Dyndns2Settings:
    settings = Dyndns2Settings.parse(options, default_server="https://dns.eu.ovh.net")
    return replace(settings, extra=(("system", "dyndns"),))
