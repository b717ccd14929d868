"""The rules for a host's IPv6 settings and the host it follows."""

from __future__ import annotations

import pytest

from homing.domain.host_settings import HostFacts, Ipv6SettingsChange, plan_ipv6_settings
from homing.errors import ForbiddenError, InputError

NAS = HostFacts(id=2, fqdn="nas.dyn.example.", owner_id=1, follows_id=None, has_followers=False)
HOME = HostFacts(id=1, fqdn="home.dyn.example.", owner_id=1, follows_id=None, has_followers=False)


def test_settings_become_columns() -> None:
    change = Ipv6SettingsChange(interface_id="00:11:22:33:44:55", prefix_length=56, follows="home")
    assert plan_ipv6_settings(change, host=NAS, leader=HOME) == {
        "ipv6_interface_id": "::211:22ff:fe33:4455",
        "ipv6_prefix_length": 56,
        "follows_id": 1,
    }
    cleared = Ipv6SettingsChange(interface_id="", follows="")
    assert plan_ipv6_settings(cleared, host=NAS, leader=None) == {
        "ipv6_interface_id": None,
        "follows_id": None,
    }
    assert plan_ipv6_settings(Ipv6SettingsChange(), host=NAS, leader=None) == {}


@pytest.mark.parametrize(
    ("host", "leader", "error", "message"),
    [
        (NAS, None, InputError, "no host home to follow"),
        (NAS, HostFacts(id=9, fqdn="bobs.", owner_id=7, follows_id=None, has_followers=False),
         ForbiddenError, "another owner's host"),
        (NAS, NAS, InputError, "cannot follow itself"),
        (NAS, HostFacts(id=3, fqdn="cam.", owner_id=1, follows_id=1, has_followers=False),
         InputError, "follows another host itself"),
        (HostFacts(id=2, fqdn="nas.", owner_id=1, follows_id=None, has_followers=True), HOME,
         InputError, "has followers of its own"),
    ],
)  # fmt: skip
def test_what_may_not_be_followed(
    host: HostFacts, leader: HostFacts | None, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        plan_ipv6_settings(Ipv6SettingsChange(follows="home"), host=host, leader=leader)


def test_bad_values_are_refused() -> None:
    with pytest.raises(InputError, match="interface identifier"):
        plan_ipv6_settings(Ipv6SettingsChange(interface_id="zz"), host=NAS, leader=None)
    with pytest.raises(InputError, match="1 to 128"):
        plan_ipv6_settings(Ipv6SettingsChange(prefix_length=0), host=NAS, leader=None)
