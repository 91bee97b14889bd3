"""What hotswap keeps per watched module is small (issue 11): the executed source of a module
never edited lives in a spill file, out of the heap, read back and checked against its digest
when a reload needs it; a lost spill file costs a whole-module run, never a wrong baseline."""

from __future__ import annotations

import importlib
import os
import sys
import warnings
from typing import Any

import pytest

import hotswap
from conftest import Workspace
from hotswap._detect.record import Record
from hotswap._detect.spill import SPILL, Spill
from hotswap._detect.tracker import TRACKER

# A module of a real project's size: a counter its import-time code bumps, many functions.
_BODY = "".join(f"def g{i}(x):\n    return x + {i}\n\n\n" for i in range(400))


def _project(workspace: Workspace) -> tuple[str, str]:
    """Module ``main`` (its import appends to ``counter.RUNS``) and its ``counter``."""
    counter, main = workspace.name("counter"), workspace.name("main")
    workspace.write(f"{counter}.py", "RUNS = []\n")
    workspace.write(
        f"{main}.py",
        f"from {counter} import RUNS\nRUNS.append(1)\n\n\ndef f():\n    return 1\n\n\n{_BODY}",
    )
    return counter, main


def _imported(r: hotswap.Reloader, *names: str) -> list[Any]:
    """Import ``names`` with ``r`` on, the first cell after it, the background reader done."""
    modules = [importlib.import_module(name) for name in names]
    r.check()
    assert TRACKER.baselines_read(30)
    return modules


def _held(record: Record) -> int:
    """Bytes the record keeps for its executed source."""
    text, held = record._text, record._bytes
    size = 0 if text is None else sys.getsizeof(text)
    if isinstance(held, tuple):
        size += sys.getsizeof(held[1])
    return size


def _edit(workspace: Workspace, name: str) -> None:
    text = (workspace.root / f"{name}.py").read_text()
    workspace.write(f"{name}.py", text.replace("return 1\n", "return 2\n", 1))


def _lose_spill(how: str) -> None:
    for fd in SPILL.descriptors():
        if how == "truncated":
            os.ftruncate(fd, 0)
        else:  # overwritten: as many bytes, other content
            size = os.fstat(fd).st_size
            os.pwrite(fd, b"#" * size, 0)


def test_a_module_never_edited_holds_no_copy_of_its_source(workspace: Workspace) -> None:
    """A 10 KiB module imported with hotswap on: once the background reader passed, hotswap
    holds none of its source in memory; its first edit still patches only what changed."""
    counter, main = _project(workspace)
    with hotswap.Reloader() as r:
        runs, mod = _imported(r, counter, main)
        assert _held(TRACKER.records[main]) == 0
        f = mod.f
        _edit(workspace, main)
        report = r.check()
    assert report.ok, report
    assert [(c.qualname, c.action) for c in report.changes] == [("f", "patched")]
    assert f() == 2 and runs.RUNS == [1]


@pytest.mark.parametrize("how", ["truncated", "overwritten"])
def test_a_lost_spill_file_makes_the_next_reload_run_the_whole_module(
    workspace: Workspace, how: str
) -> None:
    """The spill file is emptied or overwritten under the session: the edited module's
    executed source is unknown (never guessed from the file, which holds the edit), so its
    reload runs the whole module, as for a module whose baseline could not be read: its
    functions keep their identity and behave as the new source says."""
    counter, main = _project(workspace)
    with hotswap.Reloader() as r:
        runs, mod = _imported(r, counter, main)
        f = mod.f
        _lose_spill(how)
        _edit(workspace, main)
        report = r.check()
    assert report.ok, report
    assert mod.f is f and f() == 2
    assert runs.RUNS == [1, 1]


def test_a_lost_spill_file_is_made_good_from_a_file_that_still_holds_what_ran(
    workspace: Workspace,
) -> None:
    """The spill file is lost, then a constant changes: the importer that reads it at import
    time was not edited, so its file still holds exactly what it ran (same digest); only the
    statement that reads the constant re-runs there."""
    counter, _main = _project(workspace)
    a, b = workspace.name("a"), workspace.name("b")
    workspace.write(f"{a}.py", "X = 1\n")
    workspace.write(
        f"{b}.py", f"from {a} import X\nfrom {counter} import RUNS\nRUNS.append(1)\nY = X + 1\n"
    )
    with hotswap.Reloader() as r:
        runs, mod_b = _imported(r, counter, b)
        _lose_spill("truncated")
        workspace.write(f"{a}.py", "X = 2\n")
        report = r.check()
    assert report.ok, report
    assert mod_b.Y == 3
    assert runs.RUNS == [1]


def test_a_spill_read_gives_what_was_written_or_nothing() -> None:
    """Addresses name what was written; a read past the file's end gives nothing."""
    spill = Spill()
    first, second = spill.put(b"first"), spill.put(b"second" * 1000)
    assert first is not None and second is not None
    assert spill.get(first) == b"first" and spill.get(second) == b"second" * 1000
    for fd in spill.descriptors():
        os.ftruncate(fd, 3)
    assert spill.get(first) is None and spill.get(second) is None


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_forked_child_reads_the_parents_spill_and_writes_its_own() -> None:
    """After a fork, the child reads what the parent wrote before it and writes its own file;
    the parent's later writes and the child's do not overwrite each other."""
    spill = Spill()
    before = spill.put(b"before the fork")
    assert before is not None
    result_read, result_write = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork() with threads (3.12+)
        child = os.fork()
    if child == 0:  # pragma: no cover - the child process
        ok = False
        try:
            mine = spill.put(b"the child's")
            ok = (
                mine is not None
                and spill.get(before) == b"before the fork"
                and spill.get(mine) == b"the child's"
            )
        finally:
            os.write(result_write, b"1" if ok else b"0")
            os._exit(0)
    outcome = os.read(result_read, 1)
    os.waitpid(child, 0)
    os.close(result_read)
    os.close(result_write)
    after = spill.put(b"the parent's, after")
    assert outcome == b"1"
    assert after is not None
    assert spill.get(before) == b"before the fork" and spill.get(after) == b"the parent's, after"


def test_a_spill_that_cannot_write_says_so() -> None:
    """A spill whose file is gone from under it (its descriptor closed, as a library that
    daemonises the process does) neither takes bytes nor gives any back: the caller keeps
    them in memory."""
    spill = Spill()
    first = spill.put(b"first")
    assert first is not None
    for fd in spill.descriptors():
        os.close(fd)
    assert spill.put(b"second") is None
    assert spill.get(first) is None
