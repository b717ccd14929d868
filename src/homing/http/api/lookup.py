"""Finding a host for a caller: another user's host (or one outside the token's scope) is
answered exactly like a host that does not exist, so its existence is never told."""

from __future__ import annotations

from homing.domain.names import normalize_name
from homing.errors import NameError_
from homing.http.api.errors import ApiError
from homing.http.api.operations import Call
from homing.store.rows import HostRow


async def visible_host(call: Call, text: str, *, write: bool = False) -> HostRow:
    """The host named ``text`` if the caller may see it (and, with ``write``, change it)."""
    try:
        fqdn = normalize_name(text)
    except NameError_:
        raise ApiError("not_found", f"no host {text[:80]!r}") from None
    host = await call.api.store.find_host(fqdn)
    if host is None or not call.principal.sees(host):
        raise ApiError("not_found", f"no host {fqdn.rstrip('.')}")
    if write:
        call.principal.require_write()
    return host
