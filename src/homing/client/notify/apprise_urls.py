"""Apprise URLs (``mailto://``, ``tgram://``, ``ntfy://``, ...), when the apprise package is there.

Apprise speaks some ninety notification services; it is an optional extra
(``pip install 'homing[apprise]'``) because most users need one webhook,
and a small device should not carry it. It is imported only when the
config names Apprise URLs.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from homing.client.notify import Event, EventKind, NotifyError
from homing.client.notify.webhook import EVENT_KINDS

MISSING = "apprise_urls need the apprise package: pip install 'homing[apprise]'"


def available() -> bool:
    return importlib.util.find_spec("apprise") is not None


def title(event: Event) -> str:
    return f"homing client: {event.name} {event.kind.value}"


def body(event: Event) -> str:
    if event.kind is EventKind.CHANGED:
        return f"{event.name} at {event.provider}: {event.old} -> {event.new} ({event.answer})"
    return (
        f"{event.name} at {event.provider}: {event.answer} "
        f"({event.failures} failure(s) in a row; still publishing {event.old})"
    )


class AppriseUrls:
    """Sends the events of ``EVENT_KINDS`` to every URL through Apprise."""

    def __init__(self, urls: tuple[str, ...]) -> None:
        import apprise  # type: ignore[import-not-found, unused-ignore]

        self._count = len(urls)
        self._apprise: Any = apprise.Apprise()
        for url in urls:
            if not self._apprise.add(url):
                raise NotifyError(f"apprise does not understand the URL {url.split(':')[0]}://...")

    @property
    def description(self) -> str:
        return f"apprise ({self._count} URL(s))"

    @property
    def kinds(self) -> frozenset[EventKind]:
        return EVENT_KINDS

    async def deliver(self, event: Event) -> None:
        if not await self._apprise.async_notify(body=body(event), title=title(event)):
            raise NotifyError("apprise could not deliver to every URL")
