"""The part every source without change events shares: wait out the poll, hold nothing open."""

from __future__ import annotations

import asyncio


class PollingSource:
    """Base for sources that learn of a change only by asking again."""

    async def wait_for_change(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    async def aclose(self) -> None:
        return None
