"""The wired client: ``once`` against a dyndns2 stand-in, ``run`` following a real interface."""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

from homing.client.addresses import Family
from homing.client.config import load_client_config
from homing.client.daemon import Client, all_done
from homing.client.detect.interface import InterfaceSettings, InterfaceSource
from homing.client.policy import Action

from .netns import ip_in, namespace
from .standins import Dyndns2Account, HttpStandIn, wait_until


def _config(tmp_path: Path, url: str, source: str) -> Path:
    path = tmp_path / "client.toml"
    path.write_text(
        f'state_file = "{tmp_path / "state.json"}"\n'
        f"[ipv4]\n{source}\n"
        "[[update]]\n"
        'provider = "dyndns2"\n'
        f'server = "{url}"\n'
        'username = "alice"\n'
        'password = "secret"\n'
        'names = ["home.example.net", "gone.example.net"]\n'
    )
    return path


async def test_once_pushes_and_reports_each_name(tmp_path: Path) -> None:
    account = Dyndns2Account()
    command = (
        f'source = "command"\ncommand = ["{sys.executable}", "-c", "print(\'93.184.216.34\')"]'
    )
    async with HttpStandIn(account.handle) as server:
        config = load_client_config(_config(tmp_path, server.url, command))
        async with Client(config) as client:
            outcomes = await client.once()
        async with Client(config) as client:
            second = await client.once()
    by_name = {o.target.name: o.decision for o in outcomes}
    assert by_name["home.example.net"].action is Action.DONE
    assert by_name["gone.example.net"].action is Action.STOPPED
    assert "nohost" in by_name["gone.example.net"].reason
    assert not all_done(outcomes)
    assert account.hosts["home.example.net"] == "93.184.216.34"
    assert [o.decision.action for o in second] == [Action.DONE, Action.STOPPED]
    assert len(server.seen) == 2  # nothing repeated: not the good one, not the refused one


async def test_run_pushes_within_a_second_of_an_interface_change(tmp_path: Path) -> None:
    account = Dyndns2Account()
    with namespace() as name:
        async with HttpStandIn(account.handle) as server:
            config = load_client_config(
                _config(tmp_path, server.url, 'source = "interface"\ninterface = "veth0"')
            )
            settings = config.sources[Family.IPV4]
            assert isinstance(settings, InterfaceSettings)
            source = InterfaceSource(
                settings=settings, family=Family.IPV4, public_only=True, netns=name
            )
            stop = asyncio.Event()
            async with Client(config, sources={Family.IPV4: source}) as client:
                runner = asyncio.create_task(client.run(stop))
                await wait_until(lambda: Family.IPV4 in client.board.problems, what="a start")
                delays = []
                for last in range(34, 41):
                    address = f"93.184.216.{last}"
                    start = time.monotonic()
                    ip_in(name, "addr", "flush", "dev", "veth0")
                    ip_in(name, "addr", "add", f"{address}/24", "dev", "veth0")
                    await wait_until(
                        lambda a=address: any(  # type: ignore[misc]
                            s.params.get("myip") == a for s in server.seen
                        ),
                        what=f"the update to {address}",
                    )
                    delays.append(time.monotonic() - start)
                stop.set()
                await asyncio.wait_for(runner, 10)
    # The figure issue 3 asks for; shown with `pytest -rP` (docs/client.md quotes it).
    shown = ", ".join(f"{1000 * d:.0f}" for d in delays)
    print(f"change-to-update latency: median {1000 * statistics.median(delays):.0f} ms ({shown})")
    assert statistics.median(delays) < 1.0, delays
    assert account.hosts["home.example.net"] == "93.184.216.40"
