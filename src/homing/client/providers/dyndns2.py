"""dyndns2 (``/nic/update`` with Basic auth): Dyn, No-IP, Dynu, DNS-O-Matic, routers' vendors.

Return codes as Dyn and No-IP document them, one line per hostname:
``good IP`` / ``nochg IP`` mean done; ``badauth``, ``nohost``, ``notfqdn``,
``numhost``, ``abuse``, ``badagent`` and ``!donator`` mean the request
itself is wrong and repeating it gets the account blocked; ``dnserr`` and
``911`` mean the provider is broken and wants clients to wait 30 minutes.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import httpx

from homing.client.addresses import Addresses
from homing.client.options import Options, Secret
from homing.client.providers import AnswerKind, ProviderAnswer
from homing.client.providers.answers import send, shown, status_answer
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


@dataclass(frozen=True, kw_only=True)
class Dyndns2Settings:
    """A dyndns2 account: where to send updates and how to log in."""

    url: str
    username: str
    password: Secret

    @classmethod
    def parse(cls, options: Options, *, default_server: str | None = None) -> Dyndns2Settings:
        server = options.url("server", default_server)
        url = server if httpx.URL(server).path not in {"", "/"} else f"{server}/nic/update"
        return cls(
            url=url,
            username=options.required_string("username", what="the account's user name"),
            password=options.secret("password"),
        )

    def build(self, http: httpx.AsyncClient) -> Dyndns2Provider:
        return Dyndns2Provider(self, http)


class Dyndns2Provider:
    """Sends ``GET url?hostname=NAME&myip=V4,V6`` and reads the one result line.

    With ``prefix_length`` (Homing servers) the IPv6 prefix goes along:
    ``myip=V4,V6,PREFIX/LEN``.
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
        # Both families in one request: some providers drop the AAAA when only
        # an IPv4 address is sent, so the request always says everything we know.
        values = [str(a) for _, a in addresses.items()]
        if self._prefix_length is not None and addresses.ipv6 is not None:
            values.append(str(network_of(addresses.ipv6, self._prefix_length)))
        params = {"hostname": name, "myip": ",".join(values)}
        response = await send(
            self._http,
            "GET",
            self._settings.url,
            params=params,
            auth=(self._settings.username, self._settings.password.value),
        )
        if isinstance(response, ProviderAnswer):
            return response
        lines = parse_body(response.text)
        if lines and lines[0].kind is not AnswerKind.FAILED:
            return self._checked(lines[0], addresses)
        if (early := status_answer(response)) is not None:
            return early
        if response.status_code == 401:
            return ProviderAnswer(AnswerKind.REJECTED, "badauth (HTTP 401)")
        if not lines:
            return ProviderAnswer(AnswerKind.FAILED, f"empty answer (HTTP {response.status_code})")
        return lines[0]

    @staticmethod
    def _checked(answer: ProviderAnswer, addresses: Addresses) -> ProviderAnswer:
        """A ``good`` for other addresses than we sent is not success: say what happened."""
        if not answer.kind.done:
            return answer
        reported = answered_addresses(answer.text)
        sent = {str(a) for _, a in addresses.items()}
        if reported and not sent <= reported:
            return ProviderAnswer(
                AnswerKind.FAILED, f"provider published {','.join(sorted(reported))}: {answer.text}"
            )
        return answer
