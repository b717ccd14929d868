"""What every provider must do, written once: each provider's test module runs it on its stand-in.

A provider's tests subclass ``ContractTests`` with a ``Case`` that knows the
provider's stand-in and settings; the six situations of issue 14 then run
against it: record missing (created), record present with another TTL
(kept), wrong credentials (stopped, one clear line), rate limited (waits as
told), server error (backs off), malformed answer (no crash, no update);
and no secret ever shows in an answer or a log line.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, ClassVar, Protocol

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from homing.client.addresses import Addresses, Family
from homing.client.options import ConfigText, Options
from homing.client.policy import RETRY_BASE, record
from homing.client.providers import AnswerKind, ProviderSettings
from homing.client.state import TargetState

from ..standins import HttpStandIn, text

V4 = ipaddress.IPv4Address("93.184.216.34")
V6 = ipaddress.IPv6Address("2606:2800:220:1::1")
OLD_V4 = "198.51.100.7"
OLD_V6 = "2001:db8::7"
Handler = Callable[[Request], Awaitable[Response]]
MALFORMED = [
    ("<html><body>Welcome to nginx!</body></html>", 200),
    ("", 200),
    ('{"unexpected": ', 200),
    ('["a", "list", "of", "strings"]', 200),
    ('{"status": "maybe", "records": 7, "data": 7, "result": 7}', 200),
]


class Records(Protocol):
    """What the contract does with a stand-in's records (``ZoneStore`` does it)."""

    def add(self, name: str, type_: str, content: str, ttl: int) -> object: ...

    def view(self, name: str, type_: str) -> list[tuple[str, int]]: ...


class Account(Protocol):
    """A provider stand-in: its records and its request handler."""

    store: Records

    async def handle(self, request: Request) -> Response: ...


class Case(Protocol):
    """What the contract needs to know about one provider."""

    name: str  # the name the contract updates (its zone is in the account)
    families: frozenset[Family]
    created_ttl: int | None  # the TTL a created record gets; None: the provider decides
    secrets: tuple[str, ...]  # every credential value; none may ever show

    def account(self) -> Account: ...

    def settings(self, url: str, *, right: bool = True) -> ProviderSettings: ...

    def rate_limited(self) -> tuple[Handler, float | None]:
        """A handler answering as the provider does when rate limiting, and the wait it asks.

        None: the provider says no wait (Porkbun's bare 503), so the client backs off.
        """
        ...


def addresses_for(families: frozenset[Family]) -> Addresses:
    return Addresses(ipv4=V4, ipv6=V6).only(families)


def _view(account: Account, case: Case) -> dict[str, list[tuple[str, int]]]:
    return {f.record_type: account.store.view(case.name, f.record_type) for f in case.families}


class ContractTests:
    """The six situations of issue 14 plus secrecy; subclasses set ``case``."""

    case: ClassVar[Any]

    async def test_missing_records_are_created_then_left_alone(
        self, http: httpx.AsyncClient
    ) -> None:
        account = self.case.account()
        sent = addresses_for(self.case.families)
        async with HttpStandIn(account.handle) as server:
            provider = self.case.settings(server.url).build(http)
            first = await provider.update(self.case.name, sent)
            second = await provider.update(self.case.name, sent)
        assert first.kind is AnswerKind.UPDATED, first
        assert second.kind.done, second
        for family, address in sent.items():
            found = account.store.view(self.case.name, family.record_type)
            assert [c for c, _ in found] == [str(address)], found
            if self.case.created_ttl is not None:
                assert [t for _, t in found] == [self.case.created_ttl]

    async def test_a_record_with_another_ttl_keeps_it(self, http: httpx.AsyncClient) -> None:
        account = self.case.account()
        sent = addresses_for(self.case.families)
        olds = {Family.IPV4: OLD_V4, Family.IPV6: OLD_V6}
        for family in self.case.families:
            account.store.add(self.case.name, family.record_type, olds[family], 7200)
        async with HttpStandIn(account.handle) as server:
            answer = await self.case.settings(server.url).build(http).update(self.case.name, sent)
        assert answer.kind is AnswerKind.UPDATED, answer
        assert _view(account, self.case) == {
            f.record_type: [(str(a), 7200)] for f, a in sent.items()
        }

    async def test_wrong_credentials_stop_the_name_with_one_line(
        self, http: httpx.AsyncClient
    ) -> None:
        account = self.case.account()
        for family in self.case.families:
            account.store.add(
                self.case.name, family.record_type, OLD_V4 if family is Family.IPV4 else OLD_V6, 300
            )
        before = _view(account, self.case)
        sent = addresses_for(self.case.families)
        async with HttpStandIn(account.handle) as server:
            provider = self.case.settings(server.url, right=False).build(http)
            answer = await provider.update(self.case.name, sent)
        assert answer.kind is AnswerKind.REJECTED, answer
        assert answer.text and "\n" not in answer.text and len(answer.text) <= 80
        assert record(TargetState(fingerprint="f"), answer, sent=sent, now=0).stopped
        assert _view(account, self.case) == before

    async def test_rate_limited_waits_as_told(self, http: httpx.AsyncClient) -> None:
        handler, wait = self.case.rate_limited()
        sent = addresses_for(self.case.families)
        async with HttpStandIn(handler) as server:
            answer = await self.case.settings(server.url).build(http).update(self.case.name, sent)
        state = record(TargetState(fingerprint="f"), answer, sent=sent, now=1000.0)
        if wait is None:
            assert not answer.kind.done and not state.stopped, answer
            assert state.not_before >= 1000.0 + RETRY_BASE / 2
            return
        assert answer.kind is AnswerKind.RATE_LIMITED, answer
        assert answer.retry_after == pytest.approx(wait, abs=2)
        assert state.not_before == pytest.approx(1000.0 + wait, abs=2)

    @pytest.mark.parametrize("status", [500, 502, 503])
    async def test_a_server_error_backs_off(self, http: httpx.AsyncClient, status: int) -> None:
        sent = addresses_for(self.case.families)
        async with HttpStandIn(text("<html>oops</html>", status)) as server:
            answer = await self.case.settings(server.url).build(http).update(self.case.name, sent)
        assert answer.kind in {AnswerKind.FAILED, AnswerKind.SERVER_ERROR}, answer
        state = record(TargetState(fingerprint="f"), answer, sent=sent, now=0)
        assert not state.stopped and state.not_before >= RETRY_BASE / 2

    @pytest.mark.parametrize(("body", "status"), MALFORMED)
    async def test_a_malformed_answer_is_no_success(
        self, http: httpx.AsyncClient, body: str, status: int
    ) -> None:
        sent = addresses_for(self.case.families)
        async with HttpStandIn(text(body, status)) as server:
            answer = await self.case.settings(server.url).build(http).update(self.case.name, sent)
        assert not answer.kind.done, answer
        assert "\n" not in answer.text

    async def test_no_secret_shows_in_answers_or_logs(
        self, http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG)
        sent = addresses_for(self.case.families)
        answers = []
        async with HttpStandIn(self.case.account().handle) as server:
            for right in (True, False):
                provider = self.case.settings(server.url, right=right).build(http)
                answers.append(await provider.update(self.case.name, sent))
            url = server.url
        answers.append(await self.case.settings(url).build(http).update(self.case.name, sent))
        shown = caplog.text + "\n".join(a.text for a in answers)
        assert answers[-1].kind is AnswerKind.FAILED  # nobody listens any more
        for secret in self.case.secrets:
            assert secret not in shown


def parsed(parse: Callable[[Options], Any], **values: Any) -> Any:
    """Settings as the config loader makes them from an ``[[update]]`` table of ``values``."""
    options = Options(values, text=ConfigText(Path("client.toml"), ""), table="update", index=0)
    settings = parse(options)
    options.finish()
    return settings


def limited_429(wait: int) -> Handler:
    """A plain 429 with Retry-After (RFC 6585), for providers that document no other shape."""

    async def limited(request: Request) -> Response:
        return PlainTextResponse("too many requests", 429, {"Retry-After": str(wait)})

    return limited
