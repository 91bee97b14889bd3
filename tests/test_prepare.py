"""A save's first reload is prepared when its file event arrives (``hotswap._detect.prepare``).

The preparer thread takes inotify events as they come and parses the source a changed module
executes, so the checkpoint that applies the save does not. These tests wait for the thread on
its own counters (a condition, no sleeps); the timeouts only bound a failure.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import hotswap
import hotswap._checkpoint.apply as apply_module
import hotswap._checkpoint.parses as parses_module
from conftest import Workspace
from hotswap._detect.events import default_watcher
from hotswap._detect.prepare import Preparer
from hotswap._detect.record import Fingerprint, Record, digest
from hotswap._detect.tracker import TRACKER, Tracker

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux")

SOURCE = "def f():\n    return {value}\n\n\nclass C:\n    def m(self):\n        return 1\n"
WAIT = 60.0  # seconds; a bound for a failure, never reached when the thread works


@pytest.fixture
def reloader(workspace: Workspace) -> Iterator[hotswap.Reloader]:
    with hotswap.Reloader() as reloader:
        TRACKER.set_watcher(default_watcher())  # a real event source, as a session has
        yield reloader


@pytest.fixture
def preparer(reloader: hotswap.Reloader) -> Iterator[Preparer]:
    preparer = TRACKER._preparer
    assert preparer is not None and preparer.running
    yield preparer
    assert preparer.error is None


def _parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of records whose executing source the checkpoint parses itself from now on."""
    seen: list[str] = []
    real = parses_module.parse_executing

    def counting(record: Record) -> Any:
        seen.append(record.name)
        return real(record)

    monkeypatch.setattr(parses_module, "parse_executing", counting)
    return seen


def test_the_first_save_of_a_module_is_parsed_before_the_cell_that_applies_it(
    workspace: Workspace,
    reloader: hotswap.Reloader,
    preparer: Preparer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A user saves a module for the first time and runs a cell a moment later: the old source
    was parsed while they switched windows, so the cell only applies the edit (and runs the new
    code, through the function they imported before the save)."""
    name = workspace.name()
    workspace.write(
        f"{name}.py", "def f():\n    return 1\n\nclass C:\n    def m(self):\n        return 1\n"
    )
    mod = importlib.import_module(name)
    f = mod.f
    assert not reloader.check()  # the cell after the import
    done = preparer.prepared
    workspace.write(
        f"{name}.py", "def f():\n    return 2\n\nclass C:\n    def m(self):\n        return 1\n"
    )
    assert preparer.wait_prepared(done + 1, WAIT)
    parsed = _parses(monkeypatch)
    report = reloader.check()
    assert report.reloaded == [name] and f() == 2
    assert parsed == []


def test_a_save_whose_event_the_preparer_took_is_applied_by_the_next_checkpoint(
    workspace: Workspace, reloader: hotswap.Reloader, preparer: Preparer
) -> None:
    """Events taken by the thread land where the checkpoint looks: a save is never lost to
    the thread that saw it first, even with nothing to prepare (a module saved twice)."""
    name = workspace.name()
    workspace.write(f"{name}.py", "X = 1\n")
    mod = importlib.import_module(name)
    reloader.check()
    for value in (2, 3):
        seen = preparer.news
        workspace.write(f"{name}.py", f"X = {value}\n")
        preparer.wait(seen, WAIT)
        assert preparer.news != seen
        assert reloader.check().reloaded == [name] and value == mod.X


def _record(tmp_path: Path, text: str) -> Record:
    path = tmp_path / "m.py"
    path.write_text(text)
    data = path.read_bytes()
    record = Record("m", str(path), None, None, None)
    record.keep(data, Fingerprint.of(path.stat()), digest(data))
    return record


def test_a_touch_prepares_nothing(tmp_path: Path) -> None:
    """A file whose content is what the module executes (touched, or saved back) holds no
    parse: nothing will reload, and a kept parse would only cost memory."""
    tracker = Tracker()
    record = _record(tmp_path, "X = 1\n")
    assert not tracker.prepare(record, apply_module.parse_executing)
    assert tracker._prepared == {}


def test_a_parse_made_ahead_is_not_used_once_the_module_runs_another_text(
    tmp_path: Path,
) -> None:
    """The preparer parsed the text the module ran before a checkpoint reloaded it: that parse
    is of a source the module no longer executes, and the next reload parses the current one."""
    tracker = Tracker()
    record = _record(tmp_path, "X = 1\n")
    Path(record.path).write_text("X = 2\n")
    assert tracker.prepare(record, apply_module.parse_executing)
    # A reload applied the save meanwhile: the module executes "X = 2" now.
    data = Path(record.path).read_bytes()
    record.keep(data, Fingerprint.of(Path(record.path).stat()), digest(data))
    parsed = tracker.parsed(record, apply_module.parse_executing)
    assert parsed is not None and parsed.text == "X = 2\n"
    assert tracker._prepared == {}


def test_the_members_of_a_large_class_are_scanned_before_the_first_save_applies(
    workspace: Workspace,
    reloader: hotswap.Reloader,
    preparer: Preparer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A user edits one method of a class of 40 methods for the first time: what each member
    reads was worked out with the parse, while they switched windows, so the cell that applies
    the save scans only the edited method (and runs its new code)."""
    import hotswap._engine.nested as nested

    methods = "".join(f"    def m{k}(self):\n        return {k}\n\n" for k in range(40))
    name = workspace.name()
    workspace.write(f"{name}.py", f"class C:\n{methods}")
    mod = importlib.import_module(name)
    instance = mod.C()
    assert not reloader.check()
    done = preparer.prepared
    workspace.write(f"{name}.py", f"class C:\n{methods.replace('return 7', 'return 700')}")
    assert preparer.wait_prepared(done + 1, WAIT)
    scanned: list[str] = []
    real = nested.scan_member

    def counting(node: Any, postponed: bool = False) -> Any:
        scanned.append(getattr(node, "name", "?"))
        return real(node, postponed)

    monkeypatch.setattr(nested, "scan_member", counting)
    report = reloader.check()
    assert report.ok and report.reloaded == [name], report
    assert instance.m7() == 700
    assert scanned == ["m7"]
