"""What was pushed where and when, in a JSON file that survives restarts.

The file is replaced atomically (write a temporary file in the same
directory, fsync, rename), so a crash leaves the old state or the new one,
never half of each. A file that is not ours or is damaged is set aside
with a warning: the worst that follows is one repeated update per name.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homing.client.addresses import Addresses, Family
from homing.client.errors import StateError
from homing.client.providers import AnswerKind

log = logging.getLogger(__name__)

VERSION = 1


@dataclass(frozen=True, kw_only=True)
class TargetState:
    """One target's memory: the addresses the provider has, the last answer, the next try."""

    fingerprint: str
    published: Addresses = field(default_factory=Addresses)
    published_at: Mapping[Family, float] = field(default_factory=dict)
    answer_kind: AnswerKind | None = None
    answer_text: str = ""
    answer_at: float | None = None
    failures: int = 0
    not_before: float = 0.0
    stopped: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "published": {
                f.value: {"address": str(a), "at": self.published_at.get(f)}
                for f, a in self.published.items()
            },
            "answer": {
                "kind": self.answer_kind.value if self.answer_kind else None,
                "text": self.answer_text,
                "at": self.answer_at,
            },
            "failures": self.failures,
            "not_before": self.not_before,
            "stopped": self.stopped,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TargetState:
        published = Addresses()
        published_at: dict[Family, float] = {}
        for family in Family:
            entry = data.get("published", {}).get(family.value)
            if entry:
                address = ipaddress.ip_address(entry["address"])
                if address.version != family.version:
                    raise ValueError(f"{address} stored as {family.value}")
                published = published.replaced(address)
                if entry.get("at") is not None:
                    published_at[family] = float(entry["at"])
        answer = data.get("answer") or {}
        return cls(
            fingerprint=str(data["fingerprint"]),
            published=published,
            published_at=published_at,
            answer_kind=AnswerKind(answer["kind"]) if answer.get("kind") else None,
            answer_text=str(answer.get("text", "")),
            answer_at=float(answer["at"]) if answer.get("at") is not None else None,
            failures=int(data.get("failures", 0)),
            not_before=float(data.get("not_before", 0.0)),
            stopped=bool(data.get("stopped", False)),
        )


class StateFile:
    """The state of every target, loaded once and saved after each change."""

    def __init__(self, path: Path, targets: Mapping[str, TargetState]) -> None:
        self.path = path
        self._targets = dict(targets)

    @classmethod
    def load(cls, path: Path) -> StateFile:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path, {})
        except OSError as exc:
            raise StateError(f"cannot read state file {path}: {exc.strerror}") from None
        try:
            data = json.loads(text)
            if data.get("version") != VERSION:
                raise ValueError(f"version {data.get('version')!r}")
            targets = {k: TargetState.from_json(v) for k, v in data["targets"].items()}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("state file %s is damaged (%s); starting afresh", path, exc)
            return cls(path, {})
        return cls(path, targets)

    def get(self, key: str) -> TargetState | None:
        return self._targets.get(key)

    def items(self) -> list[tuple[str, TargetState]]:
        return sorted(self._targets.items())

    def put(self, key: str, state: TargetState) -> None:
        """Remember ``state`` and write the file before returning."""
        self._targets[key] = state
        self.save()

    def save(self) -> None:
        data = {"version": VERSION, "targets": {k: v.to_json() for k, v in self.items()}}
        blob = json.dumps(data, indent=1, sort_keys=True).encode()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(prefix=".state-", dir=self.path.parent)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(blob)
                    handle.flush()
                    os.fsync(handle.fileno())
                Path(temporary).replace(self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    Path(temporary).unlink()
                raise
            directory = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
        except OSError as exc:
            raise StateError(f"cannot write state file {self.path}: {exc.strerror}") from None
