"""Detection: fingerprints decide when to look, content hashes decide what changed."""

from __future__ import annotations

import importlib
import os

import pytest

import hotswap
from conftest import Workspace
from hotswap._detect.record import read_file


def test_touch_only_reloads_nothing(workspace: Workspace) -> None:
    """Saving a file without changing it (a touch) reloads nothing."""
    name = workspace.name()
    path = workspace.write(f"{name}.py", "COUNT = []\nCOUNT.append(1)\n")
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        workspace.bump(path)
        report = r.check()
    assert not report.reloaded and report.ok and mod.COUNT == [1]


def test_comment_and_whitespace_edits_rerun_nothing(workspace: Workspace) -> None:
    """A comment-only or blank-line save runs no statement: module state stays."""
    name = workspace.name()
    workspace.write(f"{name}.py", "COUNT = []\nCOUNT.append(1)\ndef f():\n    return 1\n")
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        edited = "# a comment\n\nCOUNT = []  # state\nCOUNT.append(1)\ndef f():\n    return 1\n"
        workspace.write(f"{name}.py", edited)
        report = r.check()
    assert report.ok and mod.COUNT == [1] and mod.f() == 1
    assert report.changes == []  # functions that only moved are not listed


def test_edit_that_restores_the_old_mtime_is_seen(workspace: Workspace) -> None:
    """An editor or checkout that puts the old mtime back cannot hide a change."""
    name = workspace.name()
    path = workspace.write(f"{name}.py", "def f():\n    return 1\n")
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        before = path.stat()
        path.write_text("def f():\n    return 2\n")
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        report = r.check()
    assert report.reloaded == [name] and mod.f() == 2


def test_two_saves_in_one_timestamp_tick_are_both_seen(workspace: Workspace) -> None:
    """A second save with the same mtime and size right after a reload is still picked up."""
    name = workspace.name()
    path = workspace.write(f"{name}.py", "def f():\n    return 1\n")
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        path.write_text("def f():\n    return 2\n")
        stamp = path.stat().st_mtime_ns
        assert r.check().reloaded == [name] and mod.f() == 2
        path.write_text("def f():\n    return 3\n")
        os.utime(path, ns=(stamp, stamp))
        assert r.check().reloaded == [name] and mod.f() == 3


def test_edit_right_after_import_is_not_taken_as_the_baseline(workspace: Workspace) -> None:
    """The import hook keeps the bytes the module ran from, so an edit made between the
    import and the first check reloads (a reloader created later would read the new file)."""
    name = workspace.name()
    workspace.write(f"{name}.py", "def f():\n    return 1\n")
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        workspace.write(f"{name}.py", "def f():\n    return 2\n")
        assert r.check().reloaded == [name] and mod.f() == 2


def test_failed_content_is_not_retried_until_the_file_changes(workspace: Workspace) -> None:
    """A broken save reports once; checking again without an edit says nothing."""
    name = workspace.name()
    workspace.write(f"{name}.py", "def f():\n    return 1\n")
    with hotswap.Reloader() as r:
        importlib.import_module(name)
        workspace.write(f"{name}.py", "def f(:\n")
        assert not r.check().ok
        again = r.check()
        assert again.ok and not again and name in r.failures
        workspace.write(f"{name}.py", "def f():\n    return 3\n")
        assert r.check().reloaded == [name] and not r.failures


def test_deleted_file_keeps_the_module_and_says_so_once(workspace: Workspace) -> None:
    """Deleting a module's file keeps its last version, with one warning."""
    name = workspace.name()
    path = workspace.write(f"{name}.py", "def f():\n    return 1\n")
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        path.unlink()
        first = r.check()
        second = r.check()
    assert [w.message for w in first.warnings] == ["file was deleted; keeping the last version"]
    assert not second.warnings and mod.f() == 1


def test_modules_outside_user_code_are_not_watched() -> None:
    """The standard library, site-packages and hotswap itself are never watched."""
    with hotswap.Reloader() as r:
        watched = r.watched()
    assert "json" not in watched and "hotswap" not in watched and "pytest" not in watched


def test_a_file_caught_empty_in_the_middle_of_a_save_is_not_applied(
    workspace: Workspace,
) -> None:
    """An in-place save truncates the file, then writes it: a checkpoint that lands in between
    sees an empty file. It applies nothing (no name is removed); the next checkpoint applies
    the saved text."""
    name = workspace.name()
    path = workspace.write(f"{name}.py", "def value():\n    return 'old'\n")
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        path.write_text("")  # the truncation, seen by a checkpoint before the write
        workspace.bump(path)
        report = r.check()
        assert not report.reloaded and report.ok
        assert mod.value() == "old"
        workspace.write(f"{name}.py", "def value():\n    return 'new'\n")
        report = r.check()
    assert report.ok and mod.value() == "new"


def test_a_file_really_emptied_is_applied_at_the_next_checkpoint(workspace: Workspace) -> None:
    """A file the user empties on purpose: the checkpoint that first sees it waits (it may be a
    save caught half-written); the next one, seeing it still empty, applies it."""
    name = workspace.name()
    path = workspace.write(f"{name}.py", "X = 1\n")
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        path.write_text("")
        workspace.bump(path)
        assert not r.check().reloaded
        report = r.check()
    assert report.ok and name in report.reloaded
    assert not hasattr(mod, "X")


def test_a_save_that_failed_on_a_dependency_applies_when_the_dependency_is_fixed(
    workspace: Workspace,
) -> None:
    """A module saved with an import its dependency cannot serve yet fails and stays as it was;
    saving the dependency with that name applies the waiting save too, without touching the
    first file again (and only the modules that failed are looked at: none other reloads)."""
    dep, user, other = workspace.name(), workspace.name(), workspace.name()
    workspace.write(f"{dep}.py", "X = 1\n")
    workspace.write(f"{user}.py", f"from {dep} import X\n\ndef f():\n    return X\n")
    workspace.write(f"{other}.py", "def g():\n    return 1\n")
    with hotswap.Reloader() as r:
        mod = importlib.import_module(user)
        importlib.import_module(other)
        workspace.write(f"{user}.py", f"from {dep} import Z\n\ndef f():\n    return Z\n")
        failed = r.check()
        assert not failed.ok and mod.f() == 1
        workspace.write(f"{dep}.py", "X = 1\nZ = 5\n")
        fixed = r.check()
    assert fixed.ok and sorted(fixed.reloaded) == sorted([dep, user]) and mod.f() == 5


def test_a_file_read_while_it_grows_is_read_to_its_end(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A save that lengthens the file between the read's ``fstat`` and its ``read`` (seen
    here as an ``fstat`` that reports fewer bytes than the file holds): every byte is read,
    and the fingerprint is the ``fstat``'s, so the next look sees the file as changed."""
    text = "X = 1\n" * 5000
    path = workspace.write(f"{workspace.name()}.py", text)
    real_fstat = os.fstat

    def shorter(fd: int) -> os.stat_result:
        st = real_fstat(fd)
        fields = list(st)
        fields[6] = 10  # st_size: as it was before the save
        return os.stat_result(fields)

    monkeypatch.setattr(os, "fstat", shorter)
    data, fingerprint = read_file(str(path))
    monkeypatch.undo()
    assert data == text.encode() and fingerprint.size == 10


def test_modules_imported_while_the_reader_warms_up_are_read_by_it(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The background reader starts for a module imported before the Reloader (at the first
    checkpoint), and while it imports the engine (the warm-up) the user imports another
    module: the reader reads and indexes that one too before it ends, so that a first save
    does not (it was 37-49 ms of rich's first save, the reader having left all of rich to it)."""
    import threading

    from hotswap._detect import baselines
    from hotswap._detect.tracker import TRACKER

    entered, go = threading.Event(), threading.Event()
    real = baselines.warm_up

    def held(collect: bool = False) -> None:
        entered.set()
        go.wait(60)
        real(collect)

    monkeypatch.setattr(baselines, "warm_up", held)
    first, later = workspace.name(), workspace.name()
    workspace.write(f"{first}.py", "A = 1\n")
    workspace.write(f"{later}.py", "B = 2\n")
    importlib.import_module(first)  # before the Reloader: the first checkpoint starts the reader
    with hotswap.Reloader() as r:
        r.check()
        assert entered.wait(60)  # the reader is in its warm-up
        importlib.import_module(later)
        r.check()  # (the checkpoint takes what the import hook saw)
        go.set()
        assert TRACKER.baselines_read(60)
        record = TRACKER.records[later]
        assert not record.pending and later not in TRACKER._unindexed
