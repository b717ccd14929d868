"""Local stand-ins for the services the client talks to, on 127.0.0.1 port 0.

``HttpStandIn`` serves a Starlette app with uvicorn inside the test's own
event loop and records every request; the provider stand-ins below speak
each provider's documented protocol. ``DnsStandIn`` is a small primary
that verifies TSIG-signed RFC 2136 UPDATEs and answers queries;
``IgdRouter`` is a UPnP Internet Gateway Device.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, cast

import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.tsig
import dns.tsigkeyring
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

Handler = Callable[[Request], Awaitable[Response]]
DEADLINE = 10.0


@dataclass
class Seen:
    """One request as the stand-in received it."""

    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    body: bytes

    @property
    def basic(self) -> tuple[str, str] | None:
        value = self.headers.get("authorization", "")
        if not value.lower().startswith("basic "):
            return None
        login, _, secret = base64.b64decode(value[6:]).decode().partition(":")
        return login, secret


async def wait_until(
    condition: Callable[[], bool], *, what: str, timeout: float = DEADLINE
) -> None:
    """Wait on a condition with a deadline (never a bare sleep as synchronisation)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.01)


class HttpStandIn:
    """A recording HTTP server; ``handler`` decides each answer."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.seen: list[Seen] = []
        self.release = asyncio.Event()  # handlers that hang wait on this
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        host, port = self._sock.getsockname()
        return f"http://{host}:{port}"

    async def _endpoint(self, request: Request) -> Response:
        self.seen.append(
            Seen(
                method=request.method,
                path=request.url.path,
                params=dict(request.query_params),
                headers={k.lower(): v for k, v in request.headers.items()},
                body=await request.body(),
            )
        )
        return await self.handler(request)

    async def __aenter__(self) -> HttpStandIn:
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        app = Starlette(
            routes=[
                Route(
                    "/{path:path}",
                    self._endpoint,
                    methods=["GET", "POST", "PATCH", "PUT", "DELETE"],
                )
            ]
        )
        config = uvicorn.Config(
            app, log_level="warning", lifespan="off", ws="none", http="h11", access_log=False
        )
        self._server = uvicorn.Server(config)
        self._server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        self._task = asyncio.create_task(self._server.serve(sockets=[self._sock]))
        server = self._server
        await wait_until(lambda: server.started, what="the stand-in to start")
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.release.set()
        assert self._server is not None and self._task is not None
        self._server.should_exit = True
        await asyncio.wait_for(self._task, DEADLINE)
        self._sock.close()


def text(body: str, status: int = 200, headers: dict[str, str] | None = None) -> Handler:
    """A handler that always answers ``body``."""

    async def handle(request: Request) -> Response:
        return PlainTextResponse(body, status_code=status, headers=headers)

    return handle


# -- dyndns2 -------------------------------------------------------------------------------


@dataclass
class Dyndns2Account:
    """A dyndns2 provider as Dyn documents it: Basic auth, one line per hostname."""

    login: str = "alice"
    password: str = "secret"
    hosts: dict[str, str] = field(default_factory=lambda: {"home.example.net": ""})

    async def handle(self, request: Request) -> Response:
        if request.url.path != "/nic/update":
            return PlainTextResponse("not found", status_code=404)
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("basic "):
            return PlainTextResponse("badauth", status_code=401)
        login, _, password = base64.b64decode(header[6:]).decode().partition(":")
        if (login, password) != (self.login, self.password):
            return PlainTextResponse("badauth")
        lines = []
        myip = request.query_params.get("myip", "")
        for hostname in request.query_params.get("hostname", "").split(","):
            if hostname not in self.hosts:
                lines.append("nohost")
            elif self.hosts[hostname] == myip:
                lines.append(f"nochg {myip}")
            else:
                self.hosts[hostname] = myip
                lines.append(f"good {myip}")
        return PlainTextResponse("\n".join(lines))


# -- DuckDNS -------------------------------------------------------------------------------


@dataclass
class DuckdnsAccount:
    """DuckDNS as its spec page describes ``/update``: OK/KO, verbose lines."""

    token: str = "duck-token"
    domains: dict[str, tuple[str, str]] = field(default_factory=lambda: {"home": ("", "")})

    async def handle(self, request: Request) -> Response:
        params = request.query_params
        domain = params.get("domains", "")
        if params.get("token") != self.token or domain not in self.domains:
            return PlainTextResponse("KO")
        new = (params.get("ip", ""), params.get("ipv6", ""))
        changed = "UPDATED" if self.domains[domain] != new else "NOCHANGE"
        self.domains[domain] = new
        if params.get("verbose") == "true":
            return PlainTextResponse(f"OK\n{new[0]}\n{new[1]}\n{changed}")
        return PlainTextResponse("OK")


# -- Cloudflare ----------------------------------------------------------------------------


@dataclass
class CloudflareAccount:
    """Cloudflare API v4's zones and dns_records endpoints, as documented, in memory."""

    token: str = "cf-token"
    zones: dict[str, str] = field(default_factory=lambda: {"example.net": "zone-1"})
    records: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add_record(self, **record: Any) -> str:
        record_id = uuid.uuid4().hex
        self.records[record_id] = {"id": record_id, "ttl": 1, "proxied": False, **record}
        return record_id

    @staticmethod
    def _error(status: int, code: int, message: str) -> Response:
        body = {"success": False, "errors": [{"code": code, "message": message}], "result": None}
        return JSONResponse(body, status_code=status)

    @staticmethod
    def _ok(result: Any) -> Response:
        return JSONResponse({"success": True, "errors": [], "messages": [], "result": result})

    async def handle(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return self._error(403, 10000, "Authentication error")
        parts = request.url.path.strip("/").split("/")
        params = request.query_params
        if parts == ["client", "v4", "zones"]:
            name = params.get("name")
            found = [{"id": i, "name": n} for n, i in self.zones.items() if n == name]
            return self._ok(found)
        if parts[:3] != ["client", "v4", "zones"] or len(parts) < 5:
            return self._error(404, 7003, "Could not route")
        zone_id = parts[3]
        if zone_id not in self.zones.values():
            return self._error(404, 7003, "Could not route to zone")
        if len(parts) == 5 and request.method == "GET":
            found = [
                r
                for r in self.records.values()
                if r["name"] == params.get("name") and r["type"] == params.get("type")
            ]
            return self._ok(found)
        if len(parts) == 5 and request.method == "POST":
            body = await request.json()
            return self._ok(self.records[self.add_record(**body)])
        if len(parts) == 6 and request.method == "PATCH" and parts[5] in self.records:
            self.records[parts[5]].update(await request.json())
            return self._ok(self.records[parts[5]])
        return self._error(405, 10000, "Method not allowed")


# -- RFC 2136 ------------------------------------------------------------------------------


class _DatagramAnswers(asyncio.DatagramProtocol):
    """UDP for the DNS stand-in: each datagram answered by the same function as TCP."""

    def __init__(self, answer: Callable[[bytes], bytes]) -> None:
        self._answer = answer
        self._transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        assert self._transport is not None
        self._transport.sendto(self._answer(data), addr)


class DnsStandIn:
    """A primary for one zone on TCP and UDP: TSIG-verified UPDATEs (RFC 2136), plain queries."""

    def __init__(self, zone: str, key_name: str, secret: str) -> None:
        self.zone = dns.name.from_text(zone)
        self.keyring = dns.tsigkeyring.from_text({key_name: ("hmac-sha256", secret)})
        self.rrsets: dict[tuple[dns.name.Name, int], dns.rrset.RRset] = {}
        self.updates: list[dns.message.Message] = []
        self._server: asyncio.Server | None = None
        self._udp: asyncio.DatagramTransport
        self._handlers: set[asyncio.Task[None]] = set()

    @property
    def address(self) -> tuple[str, int]:
        assert self._server is not None
        host, port = self._server.sockets[0].getsockname()[:2]
        return host, port

    async def __aenter__(self) -> DnsStandIn:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        loop = asyncio.get_running_loop()
        self._udp, _ = await loop.create_datagram_endpoint(
            lambda: _DatagramAnswers(self.answer), local_addr=self.address
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._server is not None
        self._udp.close()
        self._server.close()
        for handler in list(self._handlers):
            handler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await handler
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
                while True:
                    length = int.from_bytes(await reader.readexactly(2), "big")
                    wire = await reader.readexactly(length)
                    answer = self.answer(wire)
                    writer.write(len(answer).to_bytes(2, "big") + answer)
                    await writer.drain()
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
            self._handlers.discard(task)

    def answer(self, wire: bytes) -> bytes:
        try:
            query = dns.message.from_wire(wire, keyring=self.keyring)
        except dns.tsig.BadSignature:
            # RFC 8945 5.3.2: NOTAUTH, with a TSIG whose error says BADSIG.
            query = dns.message.from_wire(wire, keyring=False)
            response = dns.message.make_response(query)
            response.set_rcode(dns.rcode.NOTAUTH)
            response.use_tsig(self.keyring, query.keyname, tsig_error=dns.rcode.BADSIG)
            return response.to_wire()
        response = dns.message.make_response(query)
        if query.opcode() == dns.opcode.UPDATE:
            self.updates.append(query)
            if not query.had_tsig:
                response.set_rcode(dns.rcode.REFUSED)
                return response.to_wire()
            for rrset in query.authority:  # the update section
                key = (rrset.name, rrset.rdtype)
                if rrset.rdclass == dns.rdataclass.ANY:
                    self.rrsets.pop(key, None)
                elif rrset.rdclass == dns.rdataclass.IN:
                    self.rrsets[key] = rrset
            return response.to_wire()
        question = query.question[0]
        found = self.rrsets.get((question.name, question.rdtype))
        if found is not None:
            response.answer.append(found)
        response.flags |= dns.flags.AA
        return response.to_wire()


# -- UPnP IGD ------------------------------------------------------------------------------

IGD_DESCRIPTION = """<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0">
<specVersion><major>1</major><minor>0</minor></specVersion>
<device>
<deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>
<friendlyName>stand-in router</friendlyName>
<deviceList><device>
<deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType>
<deviceList><device>
<deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:1</deviceType>
<serviceList><service>
<serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType>
<serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId>
<controlURL>/ctl/IPConn</controlURL>
<eventSubURL>/evt/IPConn</eventSubURL>
<SCPDURL>/WANIPCn.xml</SCPDURL>
</service></serviceList>
</device></deviceList>
</device></deviceList>
</device>
</root>
"""

SOAP_ANSWER = """<?xml version="1.0"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" \
s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>\
<u:GetExternalIPAddressResponse xmlns:u="urn:schemas-upnp-org:service:WANIPConnection:1">\
<NewExternalIPAddress>{address}</NewExternalIPAddress></u:GetExternalIPAddressResponse>\
</s:Body></s:Envelope>"""


@dataclass
class IgdRouter:
    """A UPnP Internet Gateway Device: its description and GetExternalIPAddress over SOAP."""

    external: str = "93.184.216.34"
    actions: list[str] = field(default_factory=list)

    async def handle(self, request: Request) -> Response:
        if request.url.path == "/rootDesc.xml":
            return Response(IGD_DESCRIPTION, media_type="text/xml")
        if request.url.path == "/ctl/IPConn" and request.method == "POST":
            action = request.headers.get("soapaction", "").strip('"').rpartition("#")[2]
            self.actions.append(action)
            if action == "GetExternalIPAddress":
                body = SOAP_ANSWER.format(address=self.external)
                return Response(body, media_type='text/xml; charset="utf-8"')
            return Response("", status_code=500)
        return PlainTextResponse("not found", status_code=404)
