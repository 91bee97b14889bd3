"""The checkpoint's event source: saves seen at once, in constant time, with a stat fallback.

Most tests drive the tracker through a fake event source (``TRACKER.set_watcher``, the test
seam); the ``inotify`` ones use the real kernel queue on Linux, with no sleeps: a save that has
returned is in the queue before the next checkpoint reads it.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

import hotswap
from conftest import Workspace
from hotswap._detect.events import Inotify, default_watcher
from hotswap._detect.tracker import EAGER_BASELINES, TRACKER

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux")


class FakeWatcher:
    """An event source the test fires by hand."""

    def __init__(self, unwatchable: tuple[str, ...] = ()) -> None:
        self.unwatchable = set(unwatchable)
        self.watched: set[str] = set()
        self.fired: set[str] = set()
        self.overflow = False

    def watch(self, path: str) -> bool:
        if path in self.unwatchable:
            return False
        self.watched.add(path)
        return True

    def changed(self) -> set[str] | None:
        if self.overflow:
            self.overflow = False
            return None
        fired, self.fired = self.fired, set()
        return fired

    def close(self) -> None:
        pass

    def fire(self, path: Path) -> None:
        self.fired.add(str(path))


@pytest.fixture
def reloader(workspace: Workspace) -> Iterator[hotswap.Reloader]:
    with hotswap.Reloader() as r:
        had_events = TRACKER.watcher is not None
        try:
            yield r
        finally:
            TRACKER.set_watcher(default_watcher() if had_events else None)


def _module(workspace: Workspace, source: str) -> tuple[str, Path]:
    name = workspace.name()
    return name, workspace.write(f"{name}.py", source)


def test_a_file_with_events_is_looked_at_only_when_an_event_names_it(
    workspace: Workspace, reloader: hotswap.Reloader
) -> None:
    """With an event source, the checkpoint does not stat files: an edit is picked up when the
    event for it arrives (a real source delivers it before the save returns)."""
    fake = FakeWatcher()
    TRACKER.set_watcher(fake)
    name, path = _module(workspace, "def f():\n    return 1\n")
    mod = importlib.import_module(name)
    assert not reloader.check()  # the new module is looked at once
    workspace.write(f"{name}.py", "def f():\n    return 2\n")
    assert not reloader.check().reloaded and mod.f() == 1
    fake.fire(path)
    assert reloader.check().reloaded == [name] and mod.f() == 2


def test_files_that_cannot_be_watched_are_polled_at_every_checkpoint(
    workspace: Workspace, reloader: hotswap.Reloader
) -> None:
    """A directory without events (network file system, watch limit) is stat-polled."""
    name, path = _module(workspace, "def f():\n    return 1\n")
    TRACKER.set_watcher(FakeWatcher(unwatchable=(str(path),)))
    mod = importlib.import_module(name)
    reloader.check()
    workspace.write(f"{name}.py", "def f():\n    return 2\n")
    assert reloader.check().reloaded == [name] and mod.f() == 2


def test_without_any_event_source_every_edit_is_still_seen(
    workspace: Workspace, reloader: hotswap.Reloader
) -> None:
    """The stat fallback (other platforms, HOTSWAP_WATCH=stat) sees every save."""
    TRACKER.set_watcher(None)
    name, _path = _module(workspace, "def f():\n    return 1\n")
    mod = importlib.import_module(name)
    for value in (2, 3, 4):
        workspace.write(f"{name}.py", f"def f():\n    return {value}\n")
        assert reloader.check().reloaded == [name] and mod.f() == value


def test_a_lost_event_queue_makes_every_file_looked_at(
    workspace: Workspace, reloader: hotswap.Reloader
) -> None:
    """When the kernel's queue overflowed, no edit is missed: every file is looked at once."""
    fake = FakeWatcher()
    TRACKER.set_watcher(fake)
    name, _path = _module(workspace, "def f():\n    return 1\n")
    mod = importlib.import_module(name)
    reloader.check()
    workspace.write(f"{name}.py", "def f():\n    return 2\n")
    fake.overflow = True
    assert reloader.check().reloaded == [name] and mod.f() == 2


def test_a_change_outside_the_scope_waits_until_the_module_is_included(
    workspace: Workspace, reloader: hotswap.Reloader
) -> None:
    """An event for an excluded module is kept, not dropped: including it later reloads it."""
    fake = FakeWatcher()
    TRACKER.set_watcher(fake)
    name, path = _module(workspace, "def f():\n    return 1\n")
    mod = importlib.import_module(name)
    reloader.exclude(name)
    reloader.check()
    workspace.write(f"{name}.py", "def f():\n    return 2\n")
    fake.fire(path)
    assert not reloader.check().reloaded and mod.f() == 1
    reloader.include(name)
    assert reloader.check().reloaded == [name] and mod.f() == 2


@linux_only
def test_a_save_is_seen_by_the_very_next_check_with_inotify(
    workspace: Workspace, reloader: hotswap.Reloader
) -> None:
    """Saves in quick succession, without mtime bumps or sleeps, are each seen at once."""
    TRACKER.set_watcher(Inotify())
    name, path = _module(workspace, "def f():\n    return 0\n")
    mod = importlib.import_module(name)
    reloader.check()
    for value in range(1, 6):
        path.write_text(f"def f():\n    return {value}\n")
        assert reloader.check().reloaded == [name] and mod.f() == value


@linux_only
def test_an_atomic_save_by_rename_is_seen_with_inotify(
    workspace: Workspace, reloader: hotswap.Reloader
) -> None:
    """Editors that write a temporary file and rename it over the module are seen too."""
    TRACKER.set_watcher(Inotify())
    name, path = _module(workspace, "def f():\n    return 1\n")
    mod = importlib.import_module(name)
    reloader.check()
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text("def f():\n    return 2\n")
    os.replace(temporary, path)
    assert reloader.check().reloaded == [name] and mod.f() == 2


@linux_only
def test_a_package_directory_moved_away_and_back_is_seen_with_inotify(
    workspace: Workspace, reloader: hotswap.Reloader
) -> None:
    """A checkout that replaces a whole directory: its modules are looked at again."""
    TRACKER.set_watcher(Inotify())
    package = workspace.name()
    workspace.write(f"{package}/__init__.py", "")
    path = workspace.write(f"{package}/mod.py", "def f():\n    return 1\n")
    mod = importlib.import_module(f"{package}.mod")
    reloader.check()
    directory = path.parent
    aside = directory.with_name(directory.name + "_old")
    directory.rename(aside)
    aside.rename(directory)
    path.write_text("def f():\n    return 2\n")
    assert reloader.check().reloaded == [f"{package}.mod"] and mod.f() == 2


@linux_only
def test_a_symlinked_module_is_seen_when_its_target_is_edited(
    workspace: Workspace, reloader: hotswap.Reloader, tmp_path: Path
) -> None:
    """A module file that is a symbolic link: saves land in the target's directory."""
    TRACKER.set_watcher(Inotify())
    target = tmp_path / "elsewhere" / "real.py"
    target.parent.mkdir()
    target.write_text("def f():\n    return 1\n")
    name = workspace.name()
    (workspace.root / f"{name}.py").symlink_to(target)
    mod = importlib.import_module(name)
    reloader.check()
    target.write_text("def f():\n    return 2\n")
    assert reloader.check().reloaded == [name] and mod.f() == 2


def test_many_modules_loaded_before_the_reloader_keep_their_state_on_edit(
    workspace: Workspace,
) -> None:
    """Beyond the eager limit, sources of modules loaded before the Reloader are read in the
    background; once read, an edit re-runs only what changed (module state is kept)."""
    prefix = workspace.name()
    names = [f"{prefix}_{i}" for i in range(EAGER_BASELINES + 4)]
    for name in names:
        workspace.write(f"{name}.py", "STATE = []\n\n\ndef f():\n    return 1\n")
    modules = [importlib.import_module(n) for n in names]
    modules[-1].STATE.append("kept")
    with hotswap.Reloader() as r:
        assert TRACKER.baselines_read(60)
        workspace.write(f"{names[-1]}.py", "STATE = []\n\n\ndef f():\n    return 2\n")
        report = r.check()
    assert report.reloaded == [names[-1]]
    assert modules[-1].f() == 2 and modules[-1].STATE == ["kept"]


def test_a_save_before_the_background_read_leaves_no_stale_baseline(
    workspace: Workspace,
) -> None:
    """Beyond the eager limit, an edit made right after the Reloader was created (possibly
    before the background reader got to the file) is still reloaded: either from the baseline
    read before it, or, if the read cannot be proven to precede the save, by re-running the
    whole module. The edit is never taken for the baseline."""
    prefix = workspace.name()
    names = [f"{prefix}_{i}" for i in range(EAGER_BASELINES + 4)]
    for name in names:
        workspace.write(f"{name}.py", "def f():\n    return 1\n")
    modules = [importlib.import_module(n) for n in names]
    with hotswap.Reloader() as r:
        for name in names:
            workspace.write(f"{name}.py", "def f():\n    return 2\n")
        report = r.check()
        assert TRACKER.baselines_read(60)
    assert sorted(report.reloaded) == sorted(names)
    assert all(m.f() == 2 for m in modules)


def test_a_name_a_package_exports_follows_into_a_relative_import_of_it(
    workspace: Workspace, reloader: hotswap.Reloader
) -> None:
    """``from . import LIMIT`` names no module, yet it still follows an edit of the package
    (propagation looks only at modules that may import the changed one, by their text)."""
    package = workspace.name()
    workspace.write(f"{package}/__init__.py", "LIMIT = 1\n")
    source = "from . import LIMIT\n\n\ndef limit():\n    return LIMIT\n"
    workspace.write(f"{package}/user.py", source)
    user = importlib.import_module(f"{package}.user")
    reloader.check()
    workspace.write(f"{package}/__init__.py", "LIMIT = 2\n")
    report = reloader.check()
    assert report.ok and user.LIMIT == 2 and user.limit() == 2


@linux_only
def test_a_forked_child_that_checks_does_not_take_the_parents_events(
    workspace: Workspace, reloader: hotswap.Reloader
) -> None:
    """A child process inherits the inotify descriptor; when it runs a checkpoint it opens its
    own, so the parent still sees a save made while the child was checking."""
    TRACKER.set_watcher(Inotify())
    name, path = _module(workspace, "def f():\n    return 1\n")
    mod = importlib.import_module(name)
    reloader.check()
    go_read, go_write = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork() with threads (3.12+)
        child = os.fork()
    if child == 0:  # pragma: no cover - the child process
        try:
            os.read(go_read, 1)  # the parent has saved the file
            reloader.check()
        finally:
            os._exit(0)
    path.write_text("def f():\n    return 2\n")
    os.write(go_write, b"x")
    os.waitpid(child, 0)
    os.close(go_read)
    os.close(go_write)
    assert reloader.check().reloaded == [name] and mod.f() == 2


@linux_only
def test_a_package_directory_that_is_gone_for_a_while_is_watched_again(
    workspace: Workspace, reloader: hotswap.Reloader
) -> None:
    """A checkout that removes a package and restores it later: while it is gone the module keeps
    its last version (said once); once it is back, the next edit is seen at once."""
    TRACKER.set_watcher(Inotify())
    package = workspace.name()
    workspace.write(f"{package}/__init__.py", "")
    path = workspace.write(f"{package}/mod.py", "def f():\n    return 1\n")
    mod = importlib.import_module(f"{package}.mod")
    reloader.check()
    aside = path.parent.with_name(path.parent.name + "_aside")
    path.parent.rename(aside)
    gone = reloader.check()
    assert {(w.module, w.message) for w in gone.warnings} == {
        (name, "file was deleted; keeping the last version")
        for name in (package, f"{package}.mod")
    }
    aside.rename(path.parent)
    assert not reloader.check().reloaded and mod.f() == 1
    path.write_text("def f():\n    return 2\n")
    assert reloader.check().reloaded == [f"{package}.mod"] and mod.f() == 2


# The quiet answer depends on everything the process's tracker holds (a module of another test
# whose file is gone stays polled, and rightly makes every checkpoint look): these run in a
# fresh interpreter of their own.
_SESSION_HEAD = """
import importlib, os, sys, threading
import hotswap
from hotswap._checkpoint.reloader import _LOCK
from hotswap._detect.events import Inotify
from hotswap._detect.tracker import TRACKER

sys.path.insert(0, os.getcwd())
seen = []


def save(text, path):
    stamp = os.stat(path).st_mtime_ns + 2_000_000_000 if os.path.exists(path) else None
    with open(path, "w") as f:
        f.write(text)
    if stamp:
        os.utime(path, ns=(stamp, stamp))


def start(name, text):
    save(text, name + ".py")
    reloader = hotswap.Reloader().__enter__()
    if not isinstance(TRACKER.watcher, Inotify):
        print("NO-INOTIFY")
        raise SystemExit(0)
    return reloader, importlib.import_module(name)
"""


def _session(script: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """``script`` (after :data:`_SESSION_HEAD`) run in a fresh interpreter in ``tmp_path``;
    skipped where there is no inotify queue."""
    done = subprocess.run(
        [sys.executable, "-c", _SESSION_HEAD + script], cwd=tmp_path, capture_output=True,
        text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    if done.stdout.strip() == "NO-INOTIFY":
        pytest.skip("no inotify queue here (HOTSWAP_WATCH=stat or a remote file system)")
    return done


_QUIET_SESSION = """

def meanwhile(label, work, inside, release):
    # r.quiet() while another thread runs work and waits in it (inside: it got there;
    # release: it goes on)
    other = threading.Thread(target=work)
    other.start()
    inside.wait()
    try:
        seen.append((label, r.quiet()))
    finally:
        release.set()
        other.join()


def elsewhere(lock):
    held, release = threading.Event(), threading.Event()

    def hold():
        with lock:
            held.set()
            release.wait()

    meanwhile("held elsewhere", hold, held, release)


def mid_drain():  # another thread took the events from the source, not yet marked dirty
    inside, release = threading.Event(), threading.Event()
    real = TRACKER.watcher

    class Slow:
        def watch(self, path):
            return real.watch(path)

        def changed(self):
            inside.set()
            release.wait()
            return real.changed()

        def close(self):
            pass

    TRACKER._watcher = Slow()
    try:
        meanwhile("drained elsewhere", TRACKER.take_events, inside, release)
    finally:
        TRACKER._watcher = real


class Telling:
    def __init__(self):
        self.fired = set()

    def watch(self, path):
        return True

    def changed(self):
        fired, self.fired = self.fired, set()
        return fired

    def close(self):
        pass

    def quiet(self):
        return not self.fired


r, mod = start("qm", "def f():\\n    return 1\\n")
seen.append(("imported", r.quiet()))
r.check()
TRACKER.baselines_read()
r.check()
seen.append(("nothing since", r.quiet()))
save("def f():\\n    return 2\\n", "qm.py")
seen.append(("saved", r.quiet()))
seen.append(("applied", r.check().reloaded == ["qm"] and mod.f() == 2))
r.check()  # (the first reload imported the engine's modules: looked at once)
seen.append(("nothing since", r.quiet()))
elsewhere(_LOCK)  # a checkpoint in another thread
elsewhere(TRACKER._events)  # another thread resolving a baseline: nothing to hide
mid_drain()  # another thread draining events
seen.append(("after both", r.quiet()))
source = Telling()
TRACKER.set_watcher(source)
r.check()
seen.append(("a source that tells", r.quiet()))
save("def f():\\n    return 3\\n", "qm.py")
source.fired.add(os.path.abspath("qm.py"))
seen.append(("its event", r.quiet()))
seen.append(("applied", r.check().reloaded == ["qm"] and mod.f() == 3))
seen.append(("nothing since", r.quiet()))
TRACKER.set_watcher(None)  # every file polled: looked at every time
r.check()
seen.append(("no source", r.quiet()))
print(seen)
"""


def test_a_quiet_checkpoint_is_told_at_once_and_never_hides_a_save(tmp_path: Path) -> None:
    """Between cells where nothing changed, the checkpoint is answered from a few fields and
    one poll of the event queue (``Reloader.quiet``, what the IPython extension asks before
    every cell). A save, an import, a checkpoint or an event drain in another thread (caught
    between taking the events and marking their files), or an event source that cannot tell
    make it look: the save made right after a quiet answer is applied by the next check."""
    done = _session(_QUIET_SESSION, tmp_path)
    assert done.stdout.strip() == str(
        [
            ("imported", False),
            ("nothing since", True),
            ("saved", False),
            ("applied", True),
            ("nothing since", True),
            ("held elsewhere", False),
            ("held elsewhere", True),
            ("drained elsewhere", False),
            ("after both", True),
            ("a source that tells", True),
            ("its event", False),
            ("applied", True),
            ("nothing since", True),
            ("no source", False),
        ]
    ), done.stderr


_GONE_SESSION = """
r, mod = start("gm", "def f():\\n    return 1\\n")
r.check()
TRACKER.baselines_read()
r.check()
os.remove("gm.py")
r.check()  # (says the file is gone, once)
r.check()
seen.append(("file gone, module loaded", r.quiet()))
del sys.modules["gm"]
r.check()
seen.append(("module gone too", r.quiet(), "gm" in TRACKER.records))
save("def f():\\n    return 2\\n", "gm.py")
again = importlib.import_module("gm")
r.check()
save("def f():\\n    return 3\\n", "gm.py")
seen.append(("imported again, saved", r.check().reloaded == ["gm"] and again.f() == 3))
print(seen)
"""


def test_a_module_gone_from_sys_modules_is_no_longer_looked_at(tmp_path: Path) -> None:
    """A module whose file was deleted is stat-ed at every checkpoint while it is loaded (the
    file may come back). Once the module is gone from ``sys.modules`` too (a test's clean-up,
    an import that failed), hotswap forgets it: cells are quiet again. Imported again, it is
    watched again and its saves apply."""
    done = _session(_GONE_SESSION, tmp_path)
    assert done.stdout.strip() == str(
        [
            ("file gone, module loaded", False),
            ("module gone too", True, False),
            ("imported again, saved", True),
        ]
    ), done.stderr
