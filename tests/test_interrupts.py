"""Ctrl-C during a reload: a real SIGINT rolls the module back completely and returns control.

The interrupted sessions run in processes of their own (``tests/_interrupt_driver.py``), so no
``KeyboardInterrupt`` can reach pytest. Each case checks: ``check()`` returned a failed report
naming the line where the interrupt landed (or raised ``KeyboardInterrupt``); the module's dict,
code and class members are exactly as before; no function or method runs a mix of old and new
code; Python's own SIGINT handler is back; the next save applies.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow  # real SIGINTs, each in a subprocess

DRIVER = Path(__file__).with_name("_interrupt_driver.py")


def _records(out: str) -> list[dict[str, Any]]:
    return [json.loads(line[2:]) for line in out.splitlines() if line.startswith("@@{")]


def _run(tmp_path: Path, *args: str) -> list[dict[str, Any]]:
    proc = subprocess.run(
        [sys.executable, str(DRIVER), str(tmp_path), *args],
        capture_output=True,
        text=True,
        timeout=100,
    )
    records = _records(proc.stdout)
    assert records and records[-1] == {"done": True}, proc.stdout[-2000:] + proc.stderr[-4000:]
    return records[:-1]


def _assert_rolled_back(result: dict[str, Any], line: int | None) -> None:
    if result["check"] == "returned":
        assert result["ok"] is False
        assert [e["message"] for e in result["errors"]] == ["KeyboardInterrupt"]
        if line is not None:
            assert result["errors"][0]["line"] == line
    assert result["not_rolled_back"] == []
    assert result["handler_restored"], "the SIGINT handler was left replaced"
    assert result["next_save_ok"]
    assert result["versions_after"] == [3]


# (position in the new module code, line of the SIGINT in that source)
POSITIONS = [
    ("first statement", 1),
    ("after a def", 12),
    ("class body", 29),
    ("dataflow", 34),
    ("decorator", 6),
]


@pytest.mark.parametrize(("position", "line"), POSITIONS, ids=[p for p, _ in POSITIONS])
def test_a_sigint_in_module_code_rolls_back(tmp_path: Path, position: str, line: int) -> None:
    """SIGINT at this point of the new code: the report names the line, nothing of the new
    version is left (functions, methods, class attributes, constants all answer 1), the
    next save applies."""
    (result,) = _run(tmp_path, "at", position)
    assert result["position"] == position
    _assert_rolled_back(result, line)
    assert result["versions"] == [1]


def test_a_sigint_in_an_importer_re_run_by_propagation(tmp_path: Path) -> None:
    """The edited module commits; its importer, re-run because a value it imported changed, is
    interrupted and rolled back on its own (and applies once it is saved again)."""
    (result,) = _run(tmp_path, "at", "propagation")
    _assert_rolled_back(result, 3)
    assert result["versions"] == [2]
    assert result["importer_after"] == 101


def test_ctrl_c_from_outside_while_module_code_runs(tmp_path: Path) -> None:
    """A user's Ctrl-C (SIGINT from another process) while the new code is busy at import:
    the reload rolls back and ``check()`` returns; the next save applies."""
    proc = subprocess.Popen(
        [sys.executable, str(DRIVER), str(tmp_path), "outside"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("@@ready"):
                os.kill(proc.pid, signal.SIGINT)
                break
        rest, err = proc.communicate(timeout=100)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    records = _records("".join(lines) + rest)
    assert records and records[-1] == {"done": True}, err[-4000:]
    (result,) = records[:-1]
    _assert_rolled_back(result, None)
    assert result["versions"] == [1]


@pytest.mark.parametrize(("seed", "times"), [(1, 1), (2, 1), (3, 2), (4, 2)])
def test_sigints_at_random_moments_never_leave_a_mix(tmp_path: Path, seed: int, times: int) -> None:
    """Forty reloads of a 300-function module, each hit by SIGINT after a random delay (while
    the file is read, statements run, objects are patched, or after the reload; with
    ``times=2`` a second Ctrl-C follows, often during the rollback): every time the module
    answers with one version only, the old one when the report failed and the new one when it
    succeeded; the SIGINT handler is Python's again; a last save applies.
    (See regressions/test_sigint_between_change_and_undo_record.py for the race this finds.)"""
    records = _run(tmp_path, "sweep", "40", str(seed), str(times))
    *cycles, final = records
    assert len(cycles) == 40
    for record in cycles:
        before, now, target = record["before"], record["versions"], record["target"]
        assert len(now) == 1, f"old and new code mixed: {record}"
        assert now in (before, [target]), record
        assert record["handler_restored"], record
        if record["check"] == "returned" and not record.get("late_interrupt"):
            assert now == ([target] if record["ok"] else before), record
    assert final["final_ok"] and final["versions"] == [final["expected"]]
