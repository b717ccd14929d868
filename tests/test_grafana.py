"""The Grafana dashboard in contrib/ is valid JSON whose queries name only metrics the
provider exposes (a renamed metric fails here, not in an operator's empty panel)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import homing.metrics

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = ROOT / "contrib" / "grafana" / "homing.json"
SUFFIXES = ("_total", "_bucket", "_sum", "_count")
PROCESS = {"process_resident_memory_bytes", "process_cpu_seconds"}


def test_every_panel_queries_metrics_the_provider_exposes() -> None:
    board = json.loads(DASHBOARD.read_text())
    source = Path(homing.metrics.__file__).read_text()
    exprs = [t["expr"] for panel in board["panels"] for t in panel["targets"]]
    assert len(exprs) >= 16
    ids = [panel["id"] for panel in board["panels"]]
    assert len(ids) == len(set(ids))
    for expr in exprs:
        for name in re.findall(r"\b((?:homing|process)_[a-z_]+)\{", expr):
            base = name
            for suffix in SUFFIXES:
                base = base.removesuffix(suffix)
            assert f'"{base}"' in source or base in PROCESS, f"{name} in {expr}"
