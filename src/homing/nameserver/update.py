"""The RFC 2136 UPDATE front door: message sections in, one rcode out.

It translates the parsed message into the domain's ``UpdateRR`` values (in
message order: dnspython keeps one RR per RRset for updates, RFC 2136 3.4.2),
asks the core, and answers with the rcode, signed when the request was. The
TSIG itself was verified by the engine before this handler runs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.update

from homing.core.rfc2136 import DynamicUpdates
from homing.core.tsig import StoreKeyring
from homing.domain.dnsupdate import UpdateRcode, UpdateRR
from homing.errors import HomingError
from homing.nameserver.engine import OUR_EDNS_PAYLOAD, DNSRequest, Handler

log = logging.getLogger(__name__)


def update_rrs(rrsets: Iterable[dns.rrset.RRset]) -> list[UpdateRR]:
    """The domain's view of a prerequisite or update section; empty RDATA becomes None."""
    found: list[UpdateRR] = []
    for rrset in rrsets:
        rclass = dns.rdataclass.to_text(rrset.deleting or rrset.rdclass)
        name = rrset.name.to_text().lower()
        rtype = dns.rdatatype.to_text(rrset.rdtype)
        if len(rrset) == 0:
            found.append(UpdateRR(name, rtype, rclass, rrset.ttl, None))
        found.extend(UpdateRR(name, rtype, rclass, rrset.ttl, rd.to_text()) for rd in rrset)
    return found


def _reply(message: dns.message.Message, rcode: UpdateRcode) -> list[bytes]:
    response = dns.message.make_response(message, our_payload=OUR_EDNS_PAYLOAD)
    response.set_rcode(dns.rcode.from_text(rcode.value))
    return [response.to_wire()]


def update_handler(updates: DynamicUpdates, keyring: StoreKeyring) -> Handler:
    async def handle(request: DNSRequest) -> list[bytes]:
        message = request.message
        if not isinstance(message, dns.update.UpdateMessage):
            return _reply(message, UpdateRcode.FORMERR)
        zone_section = message.zone
        if len(zone_section) != 1 or zone_section[0].rdtype != dns.rdatatype.SOA:
            return _reply(message, UpdateRcode.FORMERR)
        if zone_section[0].rdclass != dns.rdataclass.IN:
            return _reply(message, UpdateRcode.NOTAUTH)
        key = keyring.row(message.keyname) if message.had_tsig and message.keyname else None
        try:
            rcode = await updates.apply(
                zone=zone_section[0].name.to_text().lower(),
                prerequisites=update_rrs(message.prerequisite),
                updates=update_rrs(message.update),
                key=key,
                source=request.peer,
                mac=message.mac if key is not None else None,
            )
        except HomingError as exc:
            log.error("RFC 2136 update from %s failed: %s", request.peer, exc)
            rcode = UpdateRcode.SERVFAIL
        return _reply(message, rcode)

    return handle
