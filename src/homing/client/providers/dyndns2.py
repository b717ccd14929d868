"""dyndns2 (``/nic/update`` with Basic auth): Dyn, No-IP, Dynu, DNS-O-Matic, routers' vendors.

Return codes as Dyn and No-IP document them, one line per hostname:
``good IP`` / ``nochg IP`` mean done; ``badauth``, ``nohost``, ``notfqdn``,
``numhost``, ``abuse``, ``badagent`` and ``!donator`` mean the request
itself is wrong and repeating it gets the account blocked; ``dnserr`` and
``911`` mean the provider is broken and wants clients to wait 30 minutes.

The flavours (``noip``, ``dynu``, ``he``, ``ovh``, and deSEC's update
endpoint) are this provider with other settings: where the addresses go in
the query (``AddressStyle``), who logs in, extra parameters, an agent.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from enum import Enum

import httpx

from homing.client.addresses import Addresses, Family
from homing.client.options import Options, Secret
from homing.client.providers import AnswerKind, ProviderAnswer
from homing.client.providers.answers import combined, send, shown, status_answer
from homing.domain.prefixes import network_of

REJECTED_CODES = frozenset(
    {"badauth", "nohost", "notfqdn", "numhost", "abuse", "badagent", "!donator", "badsys"}
)
SERVER_ERROR_CODES = frozenset({"dnserr", "911"})


def parse_line(line: str) -> ProviderAnswer:
    """One dyndns2 result line as an answer; anything unknown is FAILED, never success."""
    text = line.strip()
    code, _, rest = text.partition(" ")
    if code in {"good", "nochg"}:
        try:
            for item in rest.split(","):
                if item.strip():
                    ipaddress.ip_address(item.strip())
        except ValueError:
            return ProviderAnswer(AnswerKind.FAILED, f"unexpected answer: {shown(text)!r}")
        kind = AnswerKind.UPDATED if code == "good" else AnswerKind.UNCHANGED
        return ProviderAnswer(kind, shown(text))
    if code in REJECTED_CODES:
        return ProviderAnswer(AnswerKind.REJECTED, code)
    if code in SERVER_ERROR_CODES:
        return ProviderAnswer(AnswerKind.SERVER_ERROR, code)
    return ProviderAnswer(AnswerKind.FAILED, f"unexpected answer: {shown(text)!r}")


def parse_body(body: str) -> list[ProviderAnswer]:
    """Every result line of a dyndns2 answer, in request order."""
    return [parse_line(line) for line in body.splitlines() if line.strip()]


def answered_addresses(text: str) -> set[str]:
    """The addresses a ``good``/``nochg`` line reports (``good 192.0.2.1,2001:db8::1``)."""
    _, _, rest = text.partition(" ")
    return {str(ipaddress.ip_address(a.strip())) for a in rest.split(",") if a.strip()}


class AddressStyle(Enum):
    """How a dyndns2 flavour wants the addresses in the query."""

    LIST = "list"  # myip=V4,V6 (Dyn, Homing, DNS-O-Matic)
    SPLIT = "split"  # myip=V4&myipv6=V6 (No-IP, Dynu)
    PRESERVE = "preserve"  # myipv4=V4&myipv6=V6, "preserve" for a family not sent (deSEC)
    PER_FAMILY = "per_family"  # one request per family, myip=ADDRESS (Hurricane Electric)


def queries(
    name: str, addresses: Addresses, style: AddressStyle, extra: tuple[tuple[str, str], ...] = ()
) -> list[dict[str, str]]:
    """The query parameters of each request that publishes ``addresses`` for ``name``."""
    base = {"hostname": name, **dict(extra)}
    v4, v6 = addresses.get(Family.IPV4), addresses.get(Family.IPV6)
    if style is AddressStyle.PER_FAMILY:
        return [{**base, "myip": str(a)} for _, a in addresses.items()]
    if style is AddressStyle.PRESERVE:
        return [
            {
                **base,
                "myipv4": str(v4) if v4 else "preserve",
                "myipv6": str(v6) if v6 else "preserve",
            }
        ]
    if style is AddressStyle.SPLIT:
        split = {"myip": str(v4)} if v4 else {}
        return [{**base, **split, **({"myipv6": str(v6)} if v6 else {})}]
    # Both families in one request: some providers drop the AAAA when only
    # an IPv4 address is sent, so the request always says everything we know.
    return [{**base, "myip": ",".join(str(a) for _, a in addresses.items())}]


@dataclass(frozen=True, kw_only=True)
class Dyndns2Settings:
    """A dyndns2 account: where to send updates, how to log in, and the flavour's habits."""

    url: str
    username: str | None  # None: the name being updated (Hurricane Electric, deSEC)
    password: Secret
    style: AddressStyle = AddressStyle.LIST
    extra: tuple[tuple[str, str], ...] = ()
    user_agent: str | None = None

    @classmethod
    def parse(
        cls,
        options: Options,
        *,
        default_server: str | None = None,
        style: AddressStyle = AddressStyle.LIST,
    ) -> Dyndns2Settings:
        server = options.url("server", default_server)
        url = server if httpx.URL(server).path not in {"", "/"} else f"{server}/nic/update"
        return cls(
            url=url,
            username=options.required_string("username", what="the account's user name"),
            password=options.secret("password"),
            style=style,
        )

    def build(self, http: httpx.AsyncClient) -> Dyndns2Provider:
        return Dyndns2Provider(self, http)


class Dyndns2Provider:
    """Sends ``GET url?hostname=NAME&myip=...`` and reads the one result line.

    With ``prefix_length`` (Homing servers) the IPv6 prefix goes along in the
    list: ``myip=V4,V6,PREFIX/LEN``, so the hosts that follow this one move.
    """

    def __init__(
        self,
        settings: Dyndns2Settings,
        http: httpx.AsyncClient,
        *,
        prefix_length: int | None = None,
    ) -> None:
        self._settings = settings
        self._http = http
        self._prefix_length = prefix_length

    async def update(self, name: str, addresses: Addresses) -> ProviderAnswer:
        s = self._settings
        requests = queries(name, addresses, s.style, s.extra)
        v6 = addresses.ipv6
        if self._prefix_length is not None and v6 is not None and s.style is AddressStyle.LIST:
            requests[0]["myip"] += f",{network_of(v6, self._prefix_length)}"
        answers = []
        for params in requests:
            answer = await self._send(params, login=s.username or name)
            if not answer.kind.done:
                return answer
            answers.append(answer)
        return combined(answers)

    async def _send(self, params: dict[str, str], *, login: str) -> ProviderAnswer:
        s = self._settings
        headers = {"User-Agent": s.user_agent} if s.user_agent else {}
        auth = (login, s.password.value)
        response = await send(self._http, "GET", s.url, params=params, auth=auth, headers=headers)
        if isinstance(response, ProviderAnswer):
            return response
        lines = parse_body(response.text)
        if lines and lines[0].kind is not AnswerKind.FAILED:
            return self._checked(lines[0], params)
        if (early := status_answer(response)) is not None:
            return early
        if response.status_code == 401:
            return ProviderAnswer(AnswerKind.REJECTED, "badauth (HTTP 401)")
        if response.status_code in {403, 404}:
            what = "not allowed" if response.status_code == 403 else "nohost"
            return ProviderAnswer(AnswerKind.REJECTED, f"{what} (HTTP {response.status_code})")
        if not lines:
            return ProviderAnswer(AnswerKind.FAILED, f"empty answer (HTTP {response.status_code})")
        return lines[0]

    @staticmethod
    def _checked(answer: ProviderAnswer, params: dict[str, str]) -> ProviderAnswer:
        """A ``good`` for other addresses than we sent is not success: say what happened."""
        if not answer.kind.done:
            return answer
        reported = answered_addresses(answer.text)
        sent = {
            str(ipaddress.ip_address(a))
            for key in ("myip", "myipv4", "myipv6")
            for a in params.get(key, "").split(",")
            if a and a != "preserve" and "/" not in a
        }
        if reported and not sent <= reported:
            return ProviderAnswer(
                AnswerKind.FAILED, f"provider published {','.join(sorted(reported))}: {answer.text}"
            )
        return answer
