"""The HTTP client the provider tests send through: the client's own, with a short timeout."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from homing.client.http import new_http_client


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with new_http_client(timeout=1.0) as client:
        yield client
