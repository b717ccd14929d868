"""Echo services over HTTP(S) ("what is my address?"), with fallbacks and a second opinion.

Services are asked in order, over the family they are to report. An answer
equal to the last good address is taken as it is; a *new* address is only
believed when a second service confirms it, so one broken or hijacked
service cannot move the name. When services disagree, nothing is believed.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass

import httpx

from homing.client.addresses import Family, usable_address
from homing.client.detect.polling import PollingSource
from homing.client.errors import DetectionError
from homing.client.http import new_http_client
from homing.client.options import Options
from homing.domain.addresses import IPAddress
from homing.redact import redact_urls

log = logging.getLogger(__name__)

DEFAULT_URLS = {
    Family.IPV4: ("https://api.ipify.org", "https://ipv4.icanhazip.com", "https://v4.ident.me"),
    Family.IPV6: ("https://api6.ipify.org", "https://ipv6.icanhazip.com", "https://v6.ident.me"),
}
MAX_BODY = 4096
_CHECKIP = re.compile(r"Current IP Address:\s*([0-9A-Fa-f.:]+)")


def parse_echo_answer(body: str, family: Family, *, public_only: bool) -> IPAddress:
    """A plain address, or the checkip.dyndns.org HTML format; else DetectionError."""
    text = body.strip()
    if not text:
        raise DetectionError("empty answer")
    match = _CHECKIP.search(text)
    return usable_address(match.group(1) if match else text, family, public_only=public_only)


@dataclass(frozen=True, kw_only=True)
class WebSettings:
    """The echo services to ask (empty: the built-in list) and how often."""

    urls: tuple[str, ...]
    poll_seconds: float

    @classmethod
    def parse(cls, options: Options) -> WebSettings:
        urls = options.strings("urls")
        for url in urls:
            try:
                parsed = httpx.URL(url)
            except httpx.InvalidURL:
                raise options.error("urls", f"not a URL: {url!r}") from None
            if parsed.scheme not in {"http", "https"} or not parsed.host:
                raise options.error("urls", f"expected http(s) URLs, got {url!r}")
        return cls(urls=urls, poll_seconds=options.number("poll_seconds", 300, low=5, high=86400))

    def with_first(self, urls: tuple[str, ...]) -> WebSettings:
        """Built-in list with ``urls`` (a Homing server's ``/ip``) in front, if none were given."""
        if self.urls:
            return self
        return WebSettings(urls=urls, poll_seconds=self.poll_seconds)

    def build(self, *, family: Family, public_only: bool, timeout: float) -> WebSource:
        urls = tuple(dict.fromkeys(self.urls or DEFAULT_URLS[family]))
        return WebSource(urls=urls, family=family, public_only=public_only, timeout=timeout)


class WebSource(PollingSource):
    """Asks the services in order until an answer is good enough (see the module doc)."""

    def __init__(
        self, *, urls: tuple[str, ...], family: Family, public_only: bool, timeout: float
    ) -> None:
        self._urls = urls
        self._family = family
        self._public_only = public_only
        self._http = new_http_client(timeout=timeout, family=family)
        self._last: IPAddress | None = None

    @property
    def description(self) -> str:
        hosts = ", ".join(str(httpx.URL(u).host) for u in self._urls)
        return f"web ({hosts})"

    async def detect(self) -> IPAddress:
        votes: Counter[IPAddress] = Counter()
        problems: list[str] = []
        needed = min(2, len(self._urls))
        for url in self._urls:
            try:
                address = await self._ask(url)
            except DetectionError as exc:
                problems.append(f"{httpx.URL(url).host}: {exc}")
                log.info("echo service %s: %s", url, exc)
                continue
            votes[address] += 1
            if address == self._last or votes[address] >= needed:
                self._last = address
                return address
        if len(votes) == 1:
            address = next(iter(votes))
            log.warning("only one echo service answered (%s); believing it", address)
            self._last = address
            return address
        if votes:
            said = ", ".join(f"{a} ({n}x)" for a, n in votes.most_common())
            raise DetectionError(f"echo services disagree: {said}")
        raise DetectionError("no echo service answered: " + "; ".join(problems))

    async def _ask(self, url: str) -> IPAddress:
        try:
            response = await self._http.get(url)
        except httpx.TimeoutException:
            raise DetectionError("timed out") from None
        except httpx.HTTPError as exc:
            raise DetectionError(redact_urls(str(exc)) or type(exc).__name__) from None
        if response.status_code != 200:
            raise DetectionError(f"HTTP {response.status_code}")
        if len(response.content) > MAX_BODY:
            raise DetectionError("answer too long for an address")
        return parse_echo_answer(response.text, self._family, public_only=self._public_only)

    async def aclose(self) -> None:
        await self._http.aclose()
