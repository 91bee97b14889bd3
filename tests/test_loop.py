"""``hotswap.loop(step, state)``: every call of ``step`` runs the newest code, with the state the
last call returned.

In-process tests save the step's own file from inside a step (the checkpoint before the next
call sees a save that has returned) or from the test thread once a step has signalled an event;
runner tests start ``python -m hotswap run`` and wait for the program's lines. No sleeps.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import hotswap
from _running import TIMEOUT, Running
from conftest import Workspace

STEP = """\
import hotswap

def step(state):
    state["seen"].append(("old", state["n"]))
    state["n"] += 1
    if state["n"] == 2:
        state["save"]()
    return state if state["n"] < 4 else hotswap.STOP
"""


def _module(workspace: Workspace, body: str) -> Any:
    name = workspace.name("steps")
    workspace.write(f"{name}.py", body)
    return importlib.import_module(name)


def _saver(workspace: Workspace, module: Any, old: str, new: str) -> Callable[[], None]:
    path = Path(module.__file__)

    def save() -> None:
        text = path.read_text()
        assert old in text
        workspace.replace(path.name, text.replace(old, new))

    return save


def test_each_step_runs_the_newest_code_with_the_state_kept(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    """A step that saves an edit of its own body: the very next call runs the edited body, with
    the state the previous call returned, and the loop returns the last state at STOP."""
    module = _module(workspace, STEP)
    state = {"n": 0, "seen": [], "save": _saver(workspace, module, '("old"', '("new"')}
    final = hotswap.loop(module.step, state)
    assert final is state
    assert state["seen"] == [("old", 0), ("old", 1), ("new", 2), ("new", 3)]
    assert f"hotswap: reloaded {module.__name__}: patched step" in capsys.readouterr().err


def test_stop_returns_the_last_state() -> None:
    """``step`` returning ``hotswap.STOP`` ends the loop; it returns the state of the last call."""
    assert hotswap.loop(lambda n: n + 1 if n < 5 else hotswap.STOP, 0) == 5
    assert repr(hotswap.STOP) == "hotswap.STOP"


def test_ctrl_c_ends_the_loop_with_the_last_state() -> None:
    """Ctrl-C inside a step ends the loop quietly; the state the last finished call returned
    comes back."""

    def step(n: int) -> int:
        if n == 3:
            raise KeyboardInterrupt
        return n + 1

    assert hotswap.loop(step, 0) == 3


def test_on_error_raise_propagates() -> None:
    """``on_error="raise"``: the step's exception leaves the loop as it is."""

    def step(n: int) -> int:
        raise LookupError("no such row")

    with pytest.raises(LookupError, match="no such row"):
        hotswap.loop(step, 0, on_error="raise")
    with pytest.raises(ValueError, match="on_error"):
        hotswap.loop(step, 0, on_error="ignore")  # type: ignore[arg-type]


FAILING = """\
import hotswap

def step(state):
    state["calls"].append(state["n"])
    if state["n"] == 1:
        state["failing"].set()
        state["n"] / 0
    state["n"] += 1
    return state if state["n"] < 3 else hotswap.STOP
"""


def test_an_error_waits_for_the_next_save_then_retries_with_the_same_state(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    """A step that raises is named once with its file and line; the loop then waits (no call
    is made) until the fix is saved, and calls the fixed step again with the same state."""
    module = _module(workspace, FAILING)
    failing = threading.Event()
    state: dict[str, Any] = {"n": 0, "calls": [], "failing": failing}
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(hotswap.loop(module.step, state)))
    thread.start()
    try:
        assert failing.wait(TIMEOUT)
        # A save of another file in the directory does not reload anything: no retry.
        workspace.write("notes.txt", "unrelated\n")
        _saver(workspace, module, 'state["n"] / 0', 'state["n"] / 1')()
    finally:
        thread.join(TIMEOUT)
    assert not thread.is_alive()
    assert result == [state]
    assert state["calls"] == [0, 1, 1, 2]
    err = capsys.readouterr().err.splitlines()
    head = [line for line in err if "failed" in line]
    assert head == [
        "hotswap: step() failed; waiting for a save to call it again with the same state"
    ]
    at = err.index(head[0])
    assert err[at + 1] == f'  File "{module.__file__}", line 7'
    # (the source line is the file's as it is when printed: the fix may be saved already)
    assert err[at + 2] in ('    state["n"] / 0', '    state["n"] / 1')
    assert err[at + 3] == "  ZeroDivisionError: division by zero"


# -- under the runner ------------------------------------------------------------------------


SCRIPT = """\
import os
import sys

import hotswap


def step(n):
    print("old", n, flush=True)
    if os.path.exists(sys.argv[1]):
        return hotswap.STOP
    return n + 1


print("last", hotswap.loop(step, 0), flush=True)
"""


def _edit(workspace: Workspace, path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    workspace.replace(path.name, text.replace(old, new))


def test_under_the_runner_an_edit_of_the_step_applies_at_the_next_call(
    start: Callable[..., Running], workspace: Workspace
) -> None:
    """``hotswap run`` on a script looping with ``hotswap.loop``: an edit of the step's body
    shows at the next call with the count going on; a step that raises waits for the fix and
    retries with the same state; STOP ends the loop with the last state."""
    script = workspace.write("app.py", SCRIPT)
    stop = workspace.root / "stop-file"
    program = start(str(script), str(stop))
    program.wait("out", lambda line: line.startswith("old"))
    _edit(workspace, script, 'print("old", n, flush=True)', 'print("new", n, 1 / (n < 0))')
    failed = program.wait("err", lambda line: "failed" in line)
    assert failed.startswith("hotswap: step() failed; waiting for a save")
    assert program.wait("err", lambda line: True) == f'  File "{script}", line 8'
    program.wait("err", lambda line: "ZeroDivisionError" in line)
    _edit(workspace, script, "1 / (n < 0))", "flush=True)")
    program.wait("out", lambda line: line.startswith("new"))
    stop.touch()
    assert program.finish() == 0
    rows = [line.split() for line in program.out]
    numbers = [int(row[1]) for row in rows]
    assert numbers[:-1] == list(range(len(rows) - 1))
    assert numbers[-1] == numbers[-2]
    assert rows[-1][0] == "last"
    assert len([line for line in program.err if "failed" in line]) == 1, program.err
