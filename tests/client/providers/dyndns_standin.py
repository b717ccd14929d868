"""A dyndns2-flavoured update server, as No-IP, Dynu, Hurricane Electric, OVH and deSEC run it.

The flavours share the shape (``GET`` with ``hostname`` and address
parameters, Basic auth, one answer line) and differ in where addresses go,
which parameters they insist on, and what they answer; ``DyndnsService``
takes those as settings and keeps the records in a ``ZoneStore``.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from .zonestore import ZoneStore


@dataclass
class DyndnsService:
    """Logins (user → password), the hosts that exist, and the flavour's habits."""

    logins: dict[str, str]
    hosts: set[str]
    store: ZoneStore = field(default_factory=ZoneStore)
    path: str = "/nic/update"
    v4_params: tuple[str, ...] = ("myip",)
    v6_params: tuple[str, ...] = ("myip",)
    required: dict[str, str] = field(default_factory=dict)  # e.g. OVH's system=dyndns
    badauth: tuple[int, str] = (200, "badauth")
    bare_good: bool = False  # deSEC answers "good" without the address
    created_ttl: int = 60
    rewrites_ttl: bool = False  # deSEC writes TTL 60 on every RRset it touches
    deletes_unmentioned: bool = False  # deSEC: a family not given is deleted
    login_is_host: bool = False  # Hurricane Electric: the user name is the host name

    def _login(self, request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("basic "):
            return None
        try:
            login, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return login if self.logins.get(login) == password else None

    def _address(self, request: Request, params: tuple[str, ...], version: int) -> str | None:
        for param in params:
            for value in request.query_params.get(param, "").split(","):
                if value == "preserve":
                    return "preserve"
                try:
                    if ipaddress.ip_address(value).version == version:
                        return value
                except ValueError:
                    continue
        return None

    async def handle(self, request: Request) -> Response:
        if self.path and request.url.path != self.path:
            return PlainTextResponse("not found", status_code=404)
        login = self._login(request)
        hostname = request.query_params.get("hostname", "")
        if login is None or (self.login_is_host and login != hostname):
            status, body = self.badauth
            return PlainTextResponse(body, status_code=status)
        if any(request.query_params.get(k) != v for k, v in self.required.items()):
            return PlainTextResponse("badsys")
        if hostname not in self.hosts:
            return PlainTextResponse("nohost")
        v4 = self._address(request, self.v4_params, 4)
        v6 = self._address(request, self.v6_params, 6)
        changed = False
        for type_, address in (("A", v4), ("AAAA", v6)):
            if address == "preserve" or (address is None and not self.deletes_unmentioned):
                continue
            changed |= self._set(hostname, type_, address)
        given = ",".join(a for a in (v4, v6) if a and a != "preserve")
        code = "good" if changed else "nochg"
        return PlainTextResponse(code if self.bare_good else f"{code} {given}")

    def _set(self, name: str, type_: str, address: str | None) -> bool:
        records = self.store.find(name, type_)
        if address is None:
            for record in records:
                del self.store.records[record.id]
            return bool(records)
        if not records:
            self.store.add(name, type_, address, self.created_ttl)
            return True
        changed = False
        for record in records:
            changed |= record.content != address
            record.content = address
            if self.rewrites_ttl:
                record.ttl = self.created_ttl
        return changed
