"""Management use cases (zones, users, hosts, tokens) as the CLI and the REST API call them.

``Admin`` gathers them from one module per job (``admin_zones``,
``admin_users``, ``admin_hosts``) over what they share (``admin_base``: the
store, the write path, the journal); the names the front doors import are
here too.
"""

from __future__ import annotations

from homing.core.admin_base import MAX_TTL as MAX_TTL
from homing.core.admin_base import MIN_TTL as MIN_TTL
from homing.core.admin_base import check_ttl as check_ttl
from homing.core.admin_hosts import MAX_HOSTS_PER_CALL as MAX_HOSTS_PER_CALL
from homing.core.admin_hosts import MAX_NOTES_LENGTH as MAX_NOTES_LENGTH
from homing.core.admin_hosts import HostAdmin
from homing.core.admin_hosts import HostDetails as HostDetails
from homing.core.admin_hosts import NewHost as NewHost
from homing.core.admin_users import MAX_PASSWORD_LENGTH as MAX_PASSWORD_LENGTH
from homing.core.admin_users import MIN_PASSWORD_LENGTH as MIN_PASSWORD_LENGTH
from homing.core.admin_users import USER_NAME as USER_NAME
from homing.core.admin_users import UserAdmin
from homing.core.admin_users import check_password as check_password
from homing.core.admin_zones import DEFAULT_SOA_TTL as DEFAULT_SOA_TTL
from homing.core.admin_zones import ZoneAdmin
from homing.core.admin_zones import email_to_rname as email_to_rname
from homing.core.zone_rows import DEFAULT_HOST_TTL as DEFAULT_HOST_TTL


class Admin(ZoneAdmin, UserAdmin, HostAdmin):
    """The management use cases over one store; ``origin`` marks this process's journal entries.

    ``writes`` is where the transactions run (see ``admin_base``).
    """
