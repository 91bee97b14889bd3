"""What reaches a checkpoint: files caught while a save writes them, directories reached through
a symbolic link that is re-pointed, modules loaded by hand.

A save written in place (truncate, then write; or a write in chunks) can be caught in between.
The rule (README, "What is reloaded"): a file that is empty where it had content, or that ends
in the middle of a line and either does not compile or lost more than half of its top-level
definitions, is not applied by that checkpoint; the checkpoint says so once, and the next one
applies the file as it then is. (The API is tested here; tests/test_ipython.py,
tests/test_repl.py and tests/test_runner.py show the same at each front-end.)
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import types
from pathlib import Path

import pytest

import hotswap
from conftest import Workspace
from hotswap._detect.tracker import TRACKER

FOUR = """\
def a():
    return "a1"

def b():
    return "b1"

def c():
    return "c1"

def d():
    return "d1"
"""

FOUR_EDITED = FOUR.replace('"d1"', '"d2"')


def _names(module: object) -> list[str]:
    return sorted(n for n in ("a", "b", "c", "d") if hasattr(module, n))


def _waiting(report: hotswap.Report) -> list[str]:
    return [w.message for w in report.warnings if "still being written" in w.message]


# -- 3. a file seen while it is being written ----------------------------------------------------


def test_a_save_caught_mid_statement_waits_for_the_rest(workspace: Workspace) -> None:
    """The first chunk of a save ends inside a statement: the checkpoint applies nothing and
    says so once; the next one, after the rest was written, applies the whole file."""
    name = workspace.name()
    path = workspace.write(f"{name}.py", FOUR)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        path.write_text(FOUR_EDITED[: FOUR_EDITED.index("def c") + 12])  # "def c():\n   "
        workspace.bump(path)
        report = r.check()
        assert not report.reloaded and report.ok
        assert _waiting(report) == [
            "file ends in the middle of a statement (line 8): taken for a save still being "
            "written; applied at the next check if it stays so"
        ]
        assert _names(mod) == ["a", "b", "c", "d"] and mod.d() == "d1"
        path.write_text(FOUR_EDITED)
        workspace.bump(path)
        report = r.check()
    assert report.ok and report.reloaded == [name] and not report.warnings
    assert mod.d() == "d2"


def test_a_first_chunk_that_lost_most_definitions_waits(workspace: Workspace) -> None:
    """A chunk that compiles (it is cut inside a function's last line) but lost three of the
    four functions, and ends in the middle of a line: nothing is removed by that checkpoint."""
    name = workspace.name()
    path = workspace.write(f"{name}.py", FOUR)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        path.write_text('def a():\n    return "a2"')
        workspace.bump(path)
        report = r.check()
        assert not report.reloaded and report.ok
        assert [m.split(":")[0] for m in _waiting(report)] == [
            "file lost 3 of its 4 top-level definitions and ends in the middle of a line"
        ]
        assert _names(mod) == ["a", "b", "c", "d"] and mod.a() == "a1"
        path.write_text(FOUR.replace('"a1"', '"a2"'))
        workspace.bump(path)
        report = r.check()
    assert report.ok and report.reloaded == [name] and not report.warnings
    assert _names(mod) == ["a", "b", "c", "d"] and mod.a() == "a2"


def test_a_cut_off_file_that_stays_so_is_applied_at_the_next_checkpoint(
    workspace: Workspace,
) -> None:
    """A file really saved ending mid-statement: the first checkpoint waits, the next one
    applies it, which reports the syntax error (once) and keeps the module."""
    name = workspace.name()
    path = workspace.write(f"{name}.py", FOUR)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        path.write_text(FOUR + "def e(:")
        workspace.bump(path)
        assert _waiting(r.check())
        report = r.check()
        assert not report.ok and [e.line for e in report.errors] == [12]
        assert not _waiting(report)
        again = r.check()
    assert again.ok and not again
    assert mod.d() == "d1"


def test_definitions_removed_on_purpose_apply_at_the_next_checkpoint(
    workspace: Workspace,
) -> None:
    """Most definitions deleted and the file saved without a final newline: the first
    checkpoint waits once, the next one removes them."""
    name = workspace.name()
    path = workspace.write(f"{name}.py", FOUR)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        path.write_text('def a():\n    return "a1"')
        workspace.bump(path)
        assert _waiting(r.check())
        report = r.check()
    assert report.ok and report.reloaded == [name] and not report.warnings
    assert _names(mod) == ["a"]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(FOUR_EDITED.rstrip("\n"), id="no-final-newline"),
        pytest.param('def a():\n    return "a1"\n', id="most-definitions-removed"),
        pytest.param(FOUR + "def e(:\n", id="syntax-error-ending-a-line"),
    ],
)
def test_a_complete_save_is_applied_at_once(workspace: Workspace, text: str) -> None:
    """Editors end a file at a line: a save that does (even one that removes most of the
    file or has a syntax error), and one without a final newline that compiles and keeps its
    definitions, is applied (or fails) at the first checkpoint, with no wait."""
    name = workspace.name()
    path = workspace.write(f"{name}.py", FOUR)
    with hotswap.Reloader() as r:
        importlib.import_module(name)
        path.write_text(text)
        workspace.bump(path)
        report = r.check()
    assert not _waiting(report)
    assert report.reloaded == [name] or report.failed == [name]


# -- 8. directories reached through a symbolic link that is re-pointed -------------------------


def _release(root: Path, release: str, name: str, value: str) -> Path:
    directory = root / release
    directory.mkdir(exist_ok=True)
    path = directory / f"{name}.py"
    path.write_text(f"def version():\n    return {value!r}\n")
    return path


def _point(link: Path, target: str) -> None:
    """Re-point ``link`` the way deploy tools do (``ln -sfn``): a new link renamed over it."""
    fresh = link.with_name(link.name + ".new")
    os.symlink(target, fresh)
    os.replace(fresh, link)


def test_a_directory_symlink_repointed_is_seen_and_watched_again(
    workspace: Workspace,
) -> None:
    """``current -> release1`` is on ``sys.path``; re-pointing it to ``release2`` is a change
    of every module under it (their files are others now), and edits in ``release2`` are seen
    from then on."""
    name = workspace.name()
    root = workspace.root
    _release(root, "release1", name, "r1")
    second = _release(root, "release2", name, "r2")
    current = root / "current"
    os.symlink("release1", current)
    sys.path.insert(0, str(current))
    try:
        with hotswap.Reloader() as r:
            mod = importlib.import_module(name)
            held = mod.version
            assert mod.version() == "r1" and not r.check()
            _point(current, "release2")
            report = r.check()
            assert report.reloaded == [name] and held() == "r2"
            second.write_text("def version():\n    return 'r2 edited'\n")
            workspace.bump(second)
            report = r.check()
            assert report.reloaded == [name] and held() == "r2 edited"
    finally:
        sys.path.remove(str(current))


def test_a_repointed_symlink_is_seen_when_files_are_polled(workspace: Workspace) -> None:
    """The same without file events (``HOTSWAP_WATCH=stat``, network mounts): the stat of the
    file through the link moved."""
    name = workspace.name()
    root = workspace.root
    _release(root, "release1", name, "r1")
    _release(root, "release2", name, "r2")
    current = root / "current"
    os.symlink("release1", current)
    sys.path.insert(0, str(current))
    watcher = TRACKER.watcher
    try:
        with hotswap.Reloader() as r:
            TRACKER.set_watcher(None)
            mod = importlib.import_module(name)
            assert not r.check()
            _point(current, "release2")
            assert r.check().reloaded == [name] and mod.version() == "r2"
            TRACKER.set_watcher(watcher)
    finally:
        sys.path.remove(str(current))


# -- 7. modules that entered sys.modules another way -------------------------------------------


def test_a_module_loaded_by_hand_is_watched_from_the_next_checkpoint(
    workspace: Workspace,
) -> None:
    """``spec_from_file_location`` + ``exec_module`` never pass the import hook: the checkpoint
    after the module appeared takes its file as the baseline, and later edits apply."""
    name = workspace.name()
    path = workspace.write(f"{name}.py", "def f():\n    return 1\n")
    with hotswap.Reloader() as r:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        assert not r.check() and name in r.watched()
        workspace.write(f"{name}.py", "def f():\n    return 2\n")
        report = r.check()
    assert report.reloaded == [name] and module.f() == 2


def _load_by_hand(name: str, path: Path) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_modules_loaded_by_hand_are_found_however_sys_modules_moved(
    workspace: Workspace,
) -> None:
    """Modules that entered ``sys.modules`` without the import hook are found by the next
    checkpoint whatever else happened there meanwhile: appended after others, after the name
    that was last left it, after one left and came back (it is then last again), after one
    left for good. Each is watched and its next edit applied."""
    names = [workspace.name() for _ in range(5)]
    paths = [workspace.write(f"{n}.py", "def f():\n    return 1\n") for n in names]
    modules = {}
    with hotswap.Reloader() as r:
        r.check()
        importlib.import_module("json.tool")  # (a module that is not the program's)
        modules[names[0]] = _load_by_hand(names[0], paths[0])
        r.check()
        last = next(reversed(sys.modules))
        was = sys.modules.pop(last)
        modules[names[1]] = _load_by_hand(names[1], paths[1])
        r.check()
        sys.modules[last] = was  # it was not last any more; now it is again
        modules[names[2]] = _load_by_hand(names[2], paths[2])
        moved = next(iter(sys.modules))
        sys.modules[moved] = sys.modules.pop(moved)  # the first name, moved to the end
        modules[names[3]] = _load_by_hand(names[3], paths[3])
        r.check()
        del sys.modules[names[0]]
        modules[names[4]] = _load_by_hand(names[4], paths[4])
        extra = workspace.name()  # (as many in as out is not looked into, see ``arrivals``;
        workspace.write(f"{extra}.py", "")  # an import moves the count)
        importlib.import_module(extra)
        r.check()
        assert set(names[1:]) <= set(r.watched())
        for n in names[1:]:
            workspace.write(f"{n}.py", "def f():\n    return 2\n")
        report = r.check()
    assert sorted(report.reloaded) == sorted(names[1:]), report
    assert all(modules[n].f() == 2 for n in names[1:])


def test_a_module_loaded_by_hand_while_the_engine_warms_up_is_still_found(
    workspace: Workspace,
) -> None:
    """The background reader, once it imported the engine in idle time, takes the names that
    import added to ``sys.modules`` as looked at (so the first save does not compare them all);
    a module of the program loaded by hand in that moment keeps it from doing so, and is
    watched from the next checkpoint. Without one, the reader's own imports are taken."""
    name = workspace.name()
    path = workspace.write(f"{name}.py", "def f():\n    return 1\n")
    with hotswap.Reloader() as r:
        r.check()
        TRACKER.baselines_read()
        before = len(sys.modules)
        module = _load_by_hand(name, path)  # meanwhile, the program
        TRACKER._seen_own_imports(before)
        assert TRACKER._modules_size == before  # not taken: the program's module is new
        r.check()
        assert name in r.watched()
        workspace.write(f"{name}.py", "def f():\n    return 2\n")
        report = r.check()
        assert report.reloaded == [name] and module.f() == 2
        r.check()  # (the reload imported more of the engine: looked at)
        before = len(sys.modules)
        own = workspace.name("builtin_like")
        sys.modules[own] = types.ModuleType(own)  # (no file: not the program's)
        try:
            TRACKER._seen_own_imports(before)
            assert TRACKER._modules_size == len(sys.modules)  # the reader's own: taken
        finally:
            del sys.modules[own]


# -- 9 with 3: one save, several modules, one caught half-written -------------------------------


def test_an_importer_waits_for_a_dependency_caught_half_written(workspace: Workspace) -> None:
    """One save makes ``a`` use ``b.new()`` and adds ``new`` to ``b``, and the checkpoint
    catches ``b`` half-written: ``a`` is not applied against the old ``b`` either (one
    warning each); the next checkpoint applies both."""
    a, b = workspace.name("a"), workspace.name("b")
    workspace.write(f"{b}.py", "def old():\n    return 'old'\n")
    workspace.write(f"{a}.py", f"import {b}\n\ndef use():\n    return {b}.old()\n")
    with hotswap.Reloader() as r:
        mod_a = importlib.import_module(a)
        workspace.write(f"{a}.py", f"import {b}\n\ndef use():\n    return {b}.new()\n")
        workspace.write(f"{b}.py", "def old():\n    return 'old'\n\ndef new(")
        report = r.check()
        assert report.ok and not report.reloaded and mod_a.use() == "old"
        assert sorted(w.module for w in report.warnings) == sorted([a, b])
        workspace.write(f"{b}.py", "def old():\n    return 'old'\n\ndef new():\n    return 'new'\n")
        report = r.check()
    assert report.ok and sorted(report.reloaded) == sorted([a, b]) and not report.warnings
    assert mod_a.use() == "new"
