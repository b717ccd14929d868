"""The state file: round trip, atomic replacement, damage tolerated, write errors reported."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

import pytest

from homing.client.addresses import Addresses, Family
from homing.client.errors import StateError
from homing.client.providers import AnswerKind
from homing.client.state import StateFile, TargetState

STATE = TargetState(
    fingerprint="abc",
    published=Addresses(ipv4=ipaddress.IPv4Address("93.184.216.34")),
    published_at={Family.IPV4: 1700000000.0},
    answer_kind=AnswerKind.UNCHANGED,
    answer_text="nochg 93.184.216.34",
    answer_at=1700000001.0,
    failures=2,
    not_before=1700000100.0,
)


def test_round_trip_and_no_temporary_left(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "state.json"
    states = StateFile.load(path)
    assert states.get("dyndns2:a") is None
    states.put("dyndns2:a", STATE)
    assert StateFile.load(path).get("dyndns2:a") == STATE
    assert [p.name for p in path.parent.iterdir()] == ["state.json"]
    assert json.loads(path.read_text())["version"] == 1


@pytest.mark.parametrize(
    "content",
    [
        "",
        "{",
        "[]",
        '{"version": 99, "targets": {}}',
        '{"version": 1, "targets": {"a": {}}}',
        '{"version": 1, "targets": {"a": {"fingerprint": "f", "published": '
        '{"ipv4": {"address": "2606:2800:220:1::1"}}}}}',
    ],
)
def test_damaged_file_starts_afresh(tmp_path: Path, content: str) -> None:
    path = tmp_path / "state.json"
    path.write_text(content)
    assert StateFile.load(path).items() == []


def test_unwritable_directory_is_a_state_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StateError, match=r"cannot read state file .*: Not a directory"):
        StateFile.load(blocker / "state.json")
    states = StateFile.load(tmp_path / "state.json")
    states.path = blocker / "state.json"
    with pytest.raises(StateError, match="cannot write state file"):
        states.put("k", STATE)
