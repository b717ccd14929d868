"""The router's address over UPnP IGD (miniupnpc) from a stand-in IGD on 127.0.0.1."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from homing.client.addresses import Family
from homing.client.config import load_client_config
from homing.client.detect.upnp import UpnpSettings
from homing.client.errors import DetectionError
from homing.errors import ConfigError

from ..standins import HttpStandIn, IgdRouter

if importlib.util.find_spec("miniupnpc") is None:
    if os.environ.get("CI") == "true":
        pytest.fail("miniupnpc is not installed (the test extra installs it)", pytrace=False)
    pytest.skip("miniupnpc is not installed", allow_module_level=True)


def _settings(root_url: str) -> UpnpSettings:
    return UpnpSettings(root_url=root_url, discover_ms=200, poll_seconds=60)


@pytest.mark.parametrize("public_only", [True, False])
async def test_the_routers_external_address(public_only: bool) -> None:
    router = IgdRouter(external="93.184.216.34")
    async with HttpStandIn(router.handle) as server:
        source = _settings(f"{server.url}/rootDesc.xml").build(
            family=Family.IPV4, public_only=public_only, timeout=5
        )
        address = await source.detect()
    assert str(address) == "93.184.216.34"
    assert router.actions == ["GetExternalIPAddress"]
    assert [s.path for s in server.seen] == ["/rootDesc.xml", "/ctl/IPConn"]


async def test_a_private_wan_address_is_not_published() -> None:
    router = IgdRouter(external="100.64.0.7")  # carrier-grade NAT: the router is not public
    async with HttpStandIn(router.handle) as server:
        source = _settings(f"{server.url}/rootDesc.xml").build(
            family=Family.IPV4, public_only=True, timeout=5
        )
        with pytest.raises(DetectionError, match=r"100\.64\.0\.7 is not a public address"):
            await source.detect()


async def test_no_router_is_a_detection_error() -> None:
    async with HttpStandIn(IgdRouter().handle) as server:
        url = f"{server.url}/rootDesc.xml"
    source = _settings(url).build(family=Family.IPV4, public_only=True, timeout=5)
    with pytest.raises(DetectionError, match=r"^UPnP: "):
        await source.detect()


def test_upnp_is_ipv4_only(tmp_path: Path) -> None:
    path = tmp_path / "client.toml"
    path.write_text(
        '[ipv6]\nsource = "upnp"\n[[update]]\nprovider = "duckdns"\ntoken = "t"\nnames = ["h"]\n'
    )
    with pytest.raises(ConfigError, match=r"client.toml:2: ipv6.source: upnp gives only"):
        load_client_config(path)
