"""HTTP-level answers every HTTP provider shares: network errors, 429 and Retry-After, 5xx.

Protocol answers (``good``, ``KO``, a Cloudflare error list) are each
provider's business; what an HTTP status or a dead connection means is the
same for all of them and is decided once, here.
"""

from __future__ import annotations

import email.utils
import logging
import time
from typing import Any

import httpx

from homing.client.providers import AnswerKind, ProviderAnswer
from homing.redact import redact_urls

log = logging.getLogger(__name__)

MAX_SHOWN = 60


def shown(text: str) -> str:
    """A provider's words cut to one short line, for logs and the state file (URLs redacted:
    httpx's error texts carry the request URL, and some URLs carry the credential)."""
    line = " ".join(redact_urls(text).split())
    return line if len(line) <= MAX_SHOWN else line[: MAX_SHOWN - 1] + "…"


def combined(answers: list[ProviderAnswer]) -> ProviderAnswer:
    """The done answers of one request per family as one: UPDATED if any request changed."""
    text = shown("; ".join(a.text for a in answers))
    if any(a.kind is AnswerKind.UPDATED for a in answers):
        return ProviderAnswer(AnswerKind.UPDATED, text)
    return ProviderAnswer(AnswerKind.UNCHANGED, text)


def retry_after_seconds(header: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP-date (RFC 9110 10.2.3)."""
    if header is None or not header.strip():
        return None
    text = header.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def reset_seconds(header: str | None, *, now: float | None = None) -> float | None:
    """A rate-limit reset header as seconds from now.

    ``RateLimit-Reset`` (IETF draft) counts seconds; DigitalOcean, Hetzner
    and Linode send the same header name (or ``X-RateLimit-Reset``) holding
    a Unix time instead. Values beyond a year of seconds are taken as the latter.
    """
    if header is None:
        return None
    try:
        value = float(header.strip())
    except ValueError:
        return None
    if value < 0:
        return None
    if value > 366 * 86400:
        current = time.time() if now is None else now
        return max(0.0, value - current)
    return value


def rate_limit_wait(response: httpx.Response) -> float | None:
    """How long a 429 asks us to wait: ``Retry-After``, else a rate-limit reset header."""
    wait = retry_after_seconds(response.headers.get("retry-after"))
    if wait is not None:
        return wait
    for header in ("ratelimit-reset", "x-ratelimit-reset"):
        if (wait := reset_seconds(response.headers.get(header))) is not None:
            return wait
    return None


def status_answer(response: httpx.Response) -> ProviderAnswer | None:
    """The answer an HTTP status alone decides (429, 5xx), or None to read the body."""
    if response.status_code == 429:
        wait = rate_limit_wait(response)
        return ProviderAnswer(AnswerKind.RATE_LIMITED, "HTTP 429 too many requests", wait)
    if response.status_code >= 500:
        return ProviderAnswer(AnswerKind.FAILED, f"HTTP {response.status_code}")
    return None


async def send(
    http: httpx.AsyncClient, method: str, url: str, **kwargs: Any
) -> httpx.Response | ProviderAnswer:
    """The response, or a FAILED answer naming the network error (never raises for I/O)."""
    try:
        return await http.request(method, url, **kwargs)
    except httpx.TimeoutException:
        return ProviderAnswer(AnswerKind.FAILED, f"timed out talking to {httpx.URL(url).host}")
    except httpx.HTTPError as exc:
        detail = shown(str(exc)) or type(exc).__name__
        log.debug("request to %s failed: %r", httpx.URL(url).host, exc)
        return ProviderAnswer(AnswerKind.FAILED, f"cannot reach {httpx.URL(url).host}: {detail}")
