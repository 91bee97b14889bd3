"""The benchmark suite still runs: ``benchmarks/run.py --smoke`` at tiny sizes, no timings
asserted (timings do not belong in tests), so ``make bench`` cannot rot unnoticed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow  # runs every benchmark group in subprocesses

ROOT = Path(__file__).resolve().parents[1]


def _errors(node: Any, where: str = "") -> list[str]:
    if isinstance(node, dict):
        found = [f"{where}: {node['error']}"] if "error" in node else []
        for key, value in node.items():
            found += _errors(value, f"{where}/{key}")
        return found
    if isinstance(node, list):
        return [e for i, value in enumerate(node) for e in _errors(value, f"{where}/{i}")]
    return []


# The suite's own deadline (900 s, below) rules: it guards against a hang, not a slow machine.
# The run takes 40-110 s alone and passed 240 s at a load average of 15 (every group still
# completed), so the limits are far above both.
@pytest.mark.timeout(960)
def test_the_benchmark_suite_runs_every_group_for_both_tools(tmp_path: Path) -> None:
    """Every measurement of hotswap and of IPython's autoreload completes, every timed reload
    made the edited code live (in the real-projects group: called through the class or every
    importer, and a checkout compared with a fresh interpreter), and the table ends with a
    verdict per target."""
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--smoke", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    data = json.loads(out.read_text())
    assert {"percell", "latency", "memory", "startup", "real", "web", "loops"} <= set(data)
    assert "targets" in data
    # Web servers: every save was served; only hotswap's servers kept their in-memory state.
    assert {name: row["state_kept"] for name, row in data["web"].items()} == {
        "fastapi: hotswap": True,
        "fastapi: uvicorn --reload": False,
        "flask: hotswap": True,
        "flask: flask run --reload": False,
    }
    # Dask: every save reached every worker; only hotswap.dask kept the workers' state.
    assert {name: row["state_kept"] for name, row in data["dask"].items()} == {
        "2 workers: hotswap.dask push": True,
        "2 workers: client.upload_file": False,
    }
    assert _errors(data) == []
    verified = [
        *(row[tool]["verified"] for row in data["percell"] for tool in ("hotswap", "ipython")),
        *(row[tool]["verified"] for row in data["latency"] for tool in ("hotswap", "ipython")),
        data["memory"]["hotswap"]["verified"],
    ]
    assert all(verified)
    assert "Targets:" in done.stdout and "1. Per-cell cost" in done.stdout
    assert "5. Real projects" in done.stdout

    # The real-projects group runs on a generated stand-in project in smoke mode (no network).
    real = data["real"]
    project = real["projects"][0]
    assert _errors(project["load"]) == []
    assert project["load"]["hotswap"]["held_kib"] is not None
    assert {(e["what"], e["edit"]) for e in project["edits"]} == {
        ("method", "body"),
        ("method", "insert"),
        ("method", "paced"),
        ("helper", "body"),
        ("constant", "body"),
    }
    rows = [*project["edits"], project["checkout"], *real["scale"]]
    assert all(row["hotswap"]["verified"] for row in rows), rows
    assert all(row["ipython"]["errors"] == [] for row in rows)
