"""What the REST API reaches of the core, bundled once by the app wiring."""

from __future__ import annotations

from dataclasses import dataclass

from homing.core.admin import Admin
from homing.core.api_tokens import ApiTokens, BearerAuth
from homing.core.dnssec import Dnssec
from homing.core.host_records import HostRecords
from homing.core.writer import ChangeWriter
from homing.store.store import Store


@dataclass(frozen=True, kw_only=True)
class ApiServices:
    """The API's use cases; management writes go through ``writer``: in DNS on return."""

    store: Store
    admin: Admin
    writer: ChangeWriter
    tokens: ApiTokens
    bearer: BearerAuth
    records: HostRecords
    dnssec: Dnssec
