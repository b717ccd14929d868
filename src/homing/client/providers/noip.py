"""No-IP's dyndns2 flavour (``dynupdate.no-ip.com``): ``myip`` and ``myipv6``, a vetted agent.

The user name is the account's e-mail address (or a group user). No-IP
blocks or rate-limits clients whose User-Agent does not name the program
and a maintainer contact (``badagent``), so ours ends with ``contact``
(default: the user name). Answers are dyndns2's, plus ``!donator`` for a
feature the account does not pay for.
"""

from __future__ import annotations

from dataclasses import replace

from homing.client.http import USER_AGENT
from homing.client.options import Options
from homing.client.providers.dyndns2 import AddressStyle, Dyndns2Settings


def parse(options: Options) -> Dyndns2Settings:
    settings = Dyndns2Settings.parse(
        options, default_server="https://dynupdate.no-ip.com", style=AddressStyle.SPLIT
    )
    contact = options.optional_string("contact") or settings.username
    return replace(settings, user_agent=f"Homing {USER_AGENT} {contact}")
