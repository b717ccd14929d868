"""The two ways an alert leaves: an email over SMTP, a JSON POST to a webhook.

Each sender raises ``DeliveryError`` on failure, marked ``permanent`` when a
retry cannot help (the receiver refused the message, or the webhook points
at an address we may not call), so the outbox retries only what may pass
later. Webhooks go only to global addresses unless the operator allows
private ones (``alert_webhook_private``): an owner's webhook must not become
a way to reach services on the provider's own network.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol

import aiosmtplib
import httpx

from homing.alerts.rules import Alert
from homing.config import Settings
from homing.errors import ConfigError

TIMEOUT_SECONDS = 20.0
SUBJECT_PREFIX = "[homing]"


class DeliveryError(Exception):
    """An alert could not be delivered; ``permanent`` when retrying is pointless."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Sender(Protocol):
    """Delivers one alert to one address (an email address, a webhook URL)."""

    async def send(self, address: str, alert: Alert) -> None: ...


class EmailSender:
    """Sends alerts through one SMTP server (the ``alert_smtp_*`` settings)."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        security: str,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self._host = host
        self._port = port
        self._security = security
        self._sender = sender
        self._username = username
        self._password = password
        self._timeout = timeout

    def message(self, address: str, alert: Alert) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = address
        message["Subject"] = f"{SUBJECT_PREFIX} {alert.subject}"
        message["Date"] = formatdate(localtime=False, usegmt=True)
        message["Message-ID"] = make_msgid(domain=self._sender.rpartition("@")[2] or None)
        message["X-Homing-Event"] = alert.kind.value
        message.set_content(alert.text())
        return message

    async def send(self, address: str, alert: Alert) -> None:
        try:
            await aiosmtplib.send(
                self.message(address, alert),
                hostname=self._host,
                port=self._port,
                username=self._username,
                password=self._password,
                use_tls=self._security == "ssl",
                start_tls=self._security == "starttls",
                timeout=self._timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"{self._host} refused {address}", permanent=True) from exc
        except aiosmtplib.SMTPResponseException as exc:
            permanent = 500 <= exc.code < 600
            raise DeliveryError(
                f"{self._host} answered {exc.code} {exc.message}", permanent=permanent
            ) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise DeliveryError(f"cannot send through {self._host}: {exc}") from exc


def _allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global


class WebhookSender:
    """POSTs each alert as JSON (``Alert.json``) to the user's URL."""

    def __init__(
        self, *, http: httpx.AsyncClient, allow_private: bool, timeout: float = TIMEOUT_SECONDS
    ) -> None:
        self._http = http
        self._allow_private = allow_private
        self._timeout = timeout

    async def _check_destination(self, url: httpx.URL) -> None:
        if self._allow_private:
            return
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                url.host, port, type=socket.SOCK_STREAM
            )
        except OSError as exc:
            raise DeliveryError(f"cannot resolve {url.host}: {exc}") from exc
        if not infos or not all(_allowed(str(info[4][0])) for info in infos):
            raise DeliveryError(
                f"{url.host} is not a global address (alert_webhook_private is off)",
                permanent=True,
            )

    async def send(self, address: str, alert: Alert) -> None:
        url = httpx.URL(address)
        await self._check_destination(url)
        try:
            response = await self._http.post(url, json=alert.json(), timeout=self._timeout)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"cannot reach {url.host}: {exc or type(exc).__name__}") from exc
        if response.is_success:
            return
        status = response.status_code
        permanent = 300 <= status < 500 and status not in {408, 425, 429}
        raise DeliveryError(f"{url.host} answered HTTP {status}", permanent=permanent)


def read_password_file(path: Path) -> str:
    try:
        lines = path.read_text().splitlines()
    except OSError as exc:
        raise ConfigError(
            f"setting alert_smtp_password_file: cannot read {path}: {exc.strerror}"
        ) from None
    return lines[0] if lines else ""


def senders_from_settings(settings: Settings, *, http: httpx.AsyncClient) -> dict[str, Sender]:
    """The webhook sender always; the email sender when an SMTP server is configured."""
    senders: dict[str, Sender] = {
        "webhook": WebhookSender(http=http, allow_private=settings.alert_webhook_private)
    }
    if settings.alert_smtp_host:
        password_file = settings.alert_smtp_password_file
        senders["email"] = EmailSender(
            host=settings.alert_smtp_host,
            port=settings.alert_smtp_port,
            security=settings.alert_smtp_security,
            sender=settings.alert_smtp_from,
            username=settings.alert_smtp_username,
            password=read_password_file(password_file) if password_file else None,
        )
    return senders
