"""Run every benchmark with its defaults; results go to bench/results/ (not committed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    for script in (
        "dns_qps.py",
        "updates.py",
        "update_cost.py",
        "secondary_delay.py",
        "nodes.py",
        "guesses.py",
        "limits_cost.py",
        "amplification.py",
        "fuzz.py",
    ):
        print(f"== {script}", flush=True)
        subprocess.run(
            [
                sys.executable,
                str(HERE / script),
                "--json",
                str(results / script.replace(".py", ".json")),
            ],
            check=True,
            cwd=HERE,
        )


if __name__ == "__main__":
    main()
