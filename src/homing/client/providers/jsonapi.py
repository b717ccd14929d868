"""One JSON API call as every REST provider needs it, answered or turned into a final answer.

Network errors, 429 (with its wait), 5xx, bodies that are not JSON, and the
provider's own error answers (a 4xx, or a 2xx with an error inside) all end
the attempt: they become a ``ProviderAnswer`` carried out of nested calls
by ``Answered``, so a provider's code reads as the happy path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

from homing.client.providers import AnswerKind, ProviderAnswer
from homing.client.providers.answers import send, shown, status_answer


class Answered(Exception):
    """Carries a final answer out of nested API calls."""

    def __init__(self, answer: ProviderAnswer) -> None:
        super().__init__(answer.text)
        self.answer = answer


def failed(text: str) -> Answered:
    """A malformed or unexpected answer: retried with backoff, never taken as success."""
    return Answered(ProviderAnswer(AnswerKind.FAILED, text))


def rejected(text: str) -> Answered:
    """The provider refused: repeating the request cannot help."""
    return Answered(ProviderAnswer(AnswerKind.REJECTED, text))


def no_error(body: Any) -> str | None:
    """For APIs whose success bodies never carry an error."""
    return None


@dataclass(frozen=True, kw_only=True)
class JsonApi:
    """One provider's JSON API: its base URL, its auth headers, and how it words errors.

    ``error_of`` reads the provider's error words from a body, or None when the
    body reports no error (some APIs answer 200 with a failure inside).
    """

    http: httpx.AsyncClient
    base: str
    headers: Mapping[str, str] = field(default_factory=dict)
    error_of: Callable[[Any], str | None] = no_error
    wait_of: Callable[[Any], float | None] | None = None  # a 429 body's wait (GoDaddy)

    async def call(
        self, method: str, path: str, *, absent: frozenset[int] = frozenset(), **kwargs: Any
    ) -> Any:
        """The decoded body of one call (None for 204 or an ``absent`` status); else Answered."""
        url = f"{self.base}{path}"
        response = await send(self.http, method, url, headers=dict(self.headers), **kwargs)
        if isinstance(response, ProviderAnswer):
            raise Answered(response)
        if (early := status_answer(response)) is not None:
            raise Answered(self._with_wait(early, response))
        status = response.status_code
        if status in absent:
            return None
        if 200 <= status < 300 and not response.content:
            return None  # 204, or GoDaddy's empty 200 after a PUT
        try:
            body = response.json()
        except ValueError:
            if 400 <= status < 500 and status != 408:
                raise rejected(f"HTTP {status}") from None
            what = shown(response.text) if response.text.strip() else "empty answer"
            raise failed(f"HTTP {status}: {what!r}") from None
        try:
            words = self.error_of(body)
        except (KeyError, TypeError, AttributeError, IndexError):
            if 200 <= status < 300:
                raise failed("unreadable answer") from None
            words = None
        words = shown(words) if words is not None else None
        if 400 <= status < 500 and status != 408:
            raise rejected(f"HTTP {status}: {words or 'no error details'}")
        if not 200 <= status < 300:
            raise failed(f"HTTP {status}: {words or 'unexpected status'}")
        if words is not None:
            raise rejected(words)
        return body

    def _with_wait(self, answer: ProviderAnswer, response: httpx.Response) -> ProviderAnswer:
        """A 429 without a wait in its headers may name one in its body."""
        if answer.kind is not AnswerKind.RATE_LIMITED or answer.retry_after is not None:
            return answer
        if self.wait_of is None:
            return answer
        try:
            wait = self.wait_of(response.json())
        except (ValueError, KeyError, TypeError, AttributeError):
            return answer
        return replace(answer, retry_after=wait)


def record_list(value: Any, what: str) -> list[Any]:
    """``value`` if it is a list of objects, else a FAILED answer naming ``what``."""
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise failed(f"{what} is not a list of records")
    return value


def body_list(body: Any, key: str) -> list[Any]:
    """``body[key]`` as a list of objects (``{"records": [...]}``), else a FAILED answer."""
    return record_list(body.get(key) if isinstance(body, dict) else None, key)


def text_field(item: Mapping[str, Any], key: str) -> str:
    """A field the provider must send; missing or not a scalar is a malformed answer."""
    value = item.get(key)
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise failed(f"a record without {key!r}")
    return str(value)
