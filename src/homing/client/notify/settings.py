"""The ``[notify]`` table: where notifications go and when a failing name is worth telling.

[notify]
webhook_url = "https://hooks.example.net/homing"   # JSON POST per event
apprise_urls = ["ntfy://ntfy.sh/my-topic"]         # needs homing[apprise]
heartbeat_url = "https://hc-ping.com/UUID"         # after each pass; /fail when unhealthy
heartbeat_seconds = 300                            # how often the daemon pings
failures_before_alert = 3                          # failed updates in a row
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from homing.client.notify import Notifier, NotifyError
from homing.client.notify.apprise_urls import MISSING, AppriseUrls, available
from homing.client.notify.heartbeat import Heartbeat
from homing.client.notify.webhook import Webhook
from homing.client.options import Options


@dataclass(frozen=True, kw_only=True)
class NotifySettings:
    """The channels (each optional) and the failing threshold."""

    webhook_url: str | None = None
    apprise_urls: tuple[str, ...] = ()
    heartbeat_url: str | None = None
    heartbeat_seconds: float = 300.0
    failures_before_alert: int = 3

    @classmethod
    def parse(cls, options: Options) -> NotifySettings:
        urls = options.strings("apprise_urls")
        if urls and not available():
            raise options.error("apprise_urls", MISSING)
        if urls:
            try:
                AppriseUrls(urls)
            except NotifyError as exc:
                raise options.error("apprise_urls", str(exc)) from None
        settings = cls(
            webhook_url=options.optional_url("webhook_url"),
            apprise_urls=urls,
            heartbeat_url=options.optional_url("heartbeat_url"),
            heartbeat_seconds=options.number("heartbeat_seconds", 300, low=1, high=86400),
            failures_before_alert=options.integer("failures_before_alert", 3, low=1, high=1000),
        )
        options.finish()
        return settings

    def build(self, http: httpx.AsyncClient) -> list[Notifier]:
        notifiers: list[Notifier] = []
        if self.webhook_url is not None:
            notifiers.append(Webhook(url=self.webhook_url, http=http))
        if self.apprise_urls:
            notifiers.append(AppriseUrls(self.apprise_urls))
        if self.heartbeat_url is not None:
            notifiers.append(Heartbeat(url=self.heartbeat_url, http=http))
        return notifiers
