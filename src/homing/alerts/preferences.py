"""A user's alert preferences: read, change (with the checks), and try them with a test alert.

The CLI (``homing alert``) calls these, and so can the REST API. Absent
settings read as "nothing is sent"; the first ``set`` turns on change and
failure alerts unless ``events`` says otherwise.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from homing.alerts.outbox import Destination
from homing.alerts.rules import AlertEvent, probe_alert
from homing.alerts.senders import DeliveryError, senders_from_settings
from homing.config import Settings
from homing.core.write_path import DirectWrites, WritePath
from homing.errors import InputError, NotFoundError
from homing.store import alerts as alert_store
from homing.store.store import Store
from homing.store.transaction import WriteTransaction

DEFAULT_EVENTS = (AlertEvent.CHANGES.value, AlertEvent.FAILURES.value)
DEFAULT_STALE_HOURS = 24
MAX_STALE_HOURS = 24 * 365
_EMAIL = re.compile(r"^[^@\s<>,;]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$")
MAX_URL_LENGTH = 2000


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertPreferences:
    user: str
    email: str | None
    webhook: str | None
    events: tuple[str, ...]
    stale_hours: int

    def destinations(self) -> list[Destination]:
        found = [Destination("email", self.email)] if self.email else []
        return found + ([Destination("webhook", self.webhook)] if self.webhook else [])


async def _user_id(store: Store, user: str) -> int:
    row = await store.find_user(user)
    if row is None:
        raise NotFoundError(f"no user {user}")
    return row.id


async def show_alerts(store: Store, user: str) -> AlertPreferences:
    rows = await alert_store.alert_settings(store, user_id=await _user_id(store, user))
    if not rows:
        return AlertPreferences(
            user=user, email=None, webhook=None, events=(), stale_hours=DEFAULT_STALE_HOURS
        )
    row = rows[0]
    return AlertPreferences(
        user=row.user,
        email=row.email,
        webhook=row.webhook,
        events=row.events,
        stale_hours=row.stale_hours,
    )


def check_email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise InputError(f"not an email address: {value!r}")
    return value


def check_webhook(value: str, *, allow_private: bool) -> str:
    """An http(s) URL; unless ``allow_private``, not one that names a private, loopback or
    link-local address outright (``http://10.0.0.5/``, ``http://localhost/``), since delivery
    would refuse it every time (issue 15). Names are resolved only when an alert is sent."""
    try:
        url = httpx.URL(value)
    except httpx.InvalidURL:
        url = None
    if url is None or url.scheme not in {"http", "https"} or not url.host:
        raise InputError(f"a webhook must be an http:// or https:// URL, not {value!r}")
    if len(value) > MAX_URL_LENGTH:
        raise InputError(f"a webhook URL has at most {MAX_URL_LENGTH} characters")
    if not allow_private and _names_a_private_address(url.host):
        raise InputError(
            f"the webhook {url.host} is not a public address, so alerts could never be "
            "delivered there (the operator allows private ones with alert_webhook_private)"
        )
    return value


LOCAL_SUFFIXES = ("localhost", ".localhost", ".local", ".internal", ".lan", ".home.arpa")


def _names_a_private_address(host: str) -> bool:
    name = host.rstrip(".").lower()
    if name.endswith(LOCAL_SUFFIXES) or name == "localhost":
        return True
    try:
        address = ipaddress.ip_address(name.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global


def check_events(values: Sequence[str]) -> tuple[str, ...]:
    known = [e.value for e in AlertEvent]
    events = tuple(dict.fromkeys(v.strip().lower() for v in values if v.strip()))
    unknown = [e for e in events if e not in known]
    if unknown:
        raise InputError(f"unknown alert event {unknown[0]!r}: choose from {', '.join(known)}")
    return events


async def set_alerts(
    store: Store,
    user: str,
    *,
    email: str | None = None,
    webhook: str | None = None,
    events: Sequence[str] | None = None,
    stale_hours: int | None = None,
    allow_private_webhook: bool,
    writes: WritePath | None = None,
) -> AlertPreferences:
    """Change what is given; ``None`` keeps a value, an empty email or webhook removes it.
    ``allow_private_webhook`` is the setting ``alert_webhook_private``; ``writes`` the
    writer in ``homing serve``."""
    current = await show_alerts(store, user)
    if stale_hours is not None and not 1 <= stale_hours <= MAX_STALE_HOURS:
        raise InputError(f"stale hours must be between 1 and {MAX_STALE_HOURS}")
    chosen = check_events(events) if events is not None else current.events or DEFAULT_EVENTS
    new_email = current.email if email is None else (check_email(email) if email else None)
    new_webhook = (
        current.webhook
        if webhook is None
        else (check_webhook(webhook, allow_private=allow_private_webhook) if webhook else None)
    )
    user_id = await _user_id(store, user)
    hours = stale_hours if stale_hours is not None else current.stale_hours

    async def save(txn: WriteTransaction) -> None:
        await alert_store.save_alert_settings(
            txn,
            user_id=user_id,
            email=new_email,
            webhook=new_webhook,
            events=chosen,
            stale_hours=hours,
        )

    await (writes or DirectWrites(store)).transaction(save)
    return await show_alerts(store, user)


async def send_test_alert(
    settings: Settings, store: Store, user: str
) -> list[tuple[Destination, str | None]]:
    """Send a test alert to each of the user's destinations now; the error of each, or None."""
    preferences = await show_alerts(store, user)
    alert = probe_alert(user=preferences.user, now=datetime.now(UTC))
    results: list[tuple[Destination, str | None]] = []
    async with httpx.AsyncClient() as http:
        senders = senders_from_settings(settings, http=http)
        for destination in preferences.destinations():
            sender = senders.get(destination.channel)
            if sender is None:
                results.append((destination, "no SMTP server configured (alert_smtp_host)"))
                continue
            try:
                await sender.send(destination.address, alert)
            except DeliveryError as exc:
                results.append((destination, str(exc)))
            else:
                results.append((destination, None))
    return results
