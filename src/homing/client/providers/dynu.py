"""Dynu's dyndns2 flavour (``api.dynu.com/nic/update``): ``myip`` and ``myipv6``, Basic auth.

The password may be the account's own or its MD5 or SHA-256 hash, as the
Dynu control panel offers; answers are dyndns2's codes.
"""

from __future__ import annotations

from homing.client.options import Options
from homing.client.providers.dyndns2 import AddressStyle, Dyndns2Settings


def parse(options: Options) -> Dyndns2Settings:
    return Dyndns2Settings.parse(
        options, default_server="https://api.dynu.com", style=AddressStyle.SPLIT
    )
