"""Hurricane Electric's dynamic DNS (``dyn.dns.he.net/nic/update``): one key per record.

A record made dynamic in HE's DNS console gets its own key; the host name
is the user name and the key the password. A and AAAA are separate
records, so each family is sent in its own request (``myip`` takes one
address). Several names in one table must share the key.
"""

from __future__ import annotations

from homing.client.options import Options
from homing.client.providers.dyndns2 import AddressStyle, Dyndns2Settings


def parse(options: Options) -> Dyndns2Settings:
    return Dyndns2Settings(
        url=options.url("server", "https://dyn.dns.he.net/nic/update"),
        username=None,
        password=options.secret("key"),
        style=AddressStyle.PER_FAMILY,
    )
