"""What hotswap does *not* do: run files the session did not import, write files, start
processes, touch the network, or follow symlinks out of the watched directories.

The first tests run a whole session (imports, good, broken and fixed saves, a file watcher
applying a save, a new module and a new package dropped next to the watched ones, a symlink
out of the directory and a symlink loop) under a ``sys.addaudithook`` recorder, in a process of
its own (``tests/_safety_driver.py``), and check every event hotswap's work raised.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import hotswap
from conftest import Workspace

DRIVER = Path(__file__).with_name("_safety_driver.py")
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
FORBIDDEN = (
    "socket.",
    "subprocess.",
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.fork",
    "os.startfile",
    "os.remove",
    "os.unlink",
    "os.rename",
    "os.replace",
    "os.rmdir",
    "os.mkdir",
    "os.chmod",
    "os.chown",
    "os.utime",
    "os.truncate",
    "os.symlink",
    "os.link",
    "shutil.",
    "urllib.",
    "http.",
    "ftplib.",
    "smtplib.",
)


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("safety")
    proc = subprocess.run(
        [sys.executable, str(DRIVER), str(work)], capture_output=True, text=True, timeout=100
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("@@")]
    assert lines, proc.stderr[-4000:]
    result: dict[str, Any] = json.loads(lines[-1][2:])
    return result


def test_a_session_really_ran(session: dict[str, Any]) -> None:
    """(The recorded session did what the other tests assume: saves applied, the watcher too.)"""
    assert session["g"] == 103
    assert session["watcher_reported"]
    assert any(e[1] == "hotswap-watch" for e in session["events"])


def test_new_files_next_to_watched_modules_are_never_run(session: dict[str, Any]) -> None:
    """A module and a package dropped into a watched directory, and a module behind a symlink
    out of it, are neither imported nor executed by any save, checkpoint or watcher event."""
    assert not session["dropped_ran"]
    assert not session["package_ran"]
    assert session["imported"] == []
    imported = [e[2][0] for e in session["events"] if e[0] == "import"]
    assert not [name for name in imported if name.startswith(("hs_dropped", "hs_pkg", "hs_out"))]


def _allowed_path(path: str, session: dict[str, Any]) -> bool:
    path = os.path.abspath(path)
    roots = tuple(root.rstrip(os.sep) + os.sep for root in session["library_roots"])
    return (
        path in session["session_files"]
        or path.startswith((*roots, "/proc/"))
        or _bytecode_cache(path, session)
    )


def _bytecode_cache(path: str, session: dict[str, Any]) -> bool:
    """Whether ``path`` is the ``__pycache__`` entry of a module the session imported (the
    import system reads and writes it while hotswap is on, as it does without hotswap)."""
    path = os.path.abspath(path)
    folder, base = os.path.split(path)
    if os.path.basename(folder) != "__pycache__":
        return os.path.basename(path) == "__pycache__" and any(
            os.path.dirname(f) == os.path.dirname(path) for f in session["session_files"]
        )
    stem = base.split(".", 1)[0]
    parent = os.path.dirname(folder)
    return any(
        os.path.dirname(f) == parent and os.path.basename(f) == stem + ".py"
        for f in session["session_files"]
    )


def _spill(event: str, thread: str, args: list[Any]) -> bool:
    """Whether this is the background reader making the spill file: a file with no name
    (``O_TMPFILE``), which holds compressed baselines (``hotswap._detect.spill``)."""
    tmpfile = getattr(os, "O_TMPFILE", 0)
    flags = args[2] if event == "open" and len(args) > 2 else None
    return (
        thread == "hotswap-baselines"
        and isinstance(flags, int)
        and bool(tmpfile)
        and flags & tmpfile == tmpfile
    )


def test_the_one_file_written_is_the_spill_that_has_no_name(session: dict[str, Any]) -> None:
    """hotswap makes one file, for the baselines it keeps out of memory: with no name (it
    cannot be opened by another process, nor is it left behind), once per process."""
    made = [args for event, thread, args in session["events"] if _spill(event, thread, args)]
    if getattr(os, "O_TMPFILE", 0):
        assert len(made) == 1, made


def test_only_files_of_the_session_are_read_and_compiled(session: dict[str, Any]) -> None:
    """Every file hotswap opens or compiles is a module the session imported (or library code
    hotswap itself loads); the files it compiles are the watched modules'."""
    for event, thread, args in session["events"]:
        if _spill(event, thread, args):
            continue
        if event == "open" and isinstance(args[0], str):
            assert _allowed_path(args[0], session), (event, thread, args)
        if event == "compile" and isinstance(args[1], str) and not args[1].startswith("<"):
            assert _allowed_path(args[1], session), (event, thread, args)


def test_nothing_is_written_spawned_or_sent(session: dict[str, Any]) -> None:
    """No file opened for writing, no file removed, renamed or created (but the spill file,
    which has no name), no process started, no socket made: a reload only reads. (Importing a
    module writes its cached bytecode, as the import system does without hotswap: hotswap's
    import hook keeps Python's own loader.)"""
    cache_fd = False  # the cache file is written through the descriptor opened just before
    for event, thread, args in session["events"]:
        if args and isinstance(args[0], str) and _bytecode_cache(args[0], session):
            assert event in ("open", "os.mkdir", "os.replace", "os.rename", "os.chmod"), args
            cache_fd = event == "open"
            continue
        if cache_fd and event == "open" and isinstance(args[0], int):
            cache_fd = False
            continue
        cache_fd = False
        if _spill(event, thread, args):
            continue
        assert not event.startswith(FORBIDDEN), (event, thread, args)
        if event == "open":
            mode, flags = args[1], args[2]
            assert mode in (None, "r", "rb"), (event, thread, args)
            assert not (isinstance(flags, int) and flags & WRITE_FLAGS), (event, thread, args)


def _inotify_watches() -> set[int] | None:
    """Inodes watched by this process's inotify descriptors (Linux), or None elsewhere."""
    fds = Path("/proc/self/fd")
    if not fds.is_dir():
        return None
    found: set[int] = set()
    for fd in fds.iterdir():
        try:
            if "inotify" not in os.readlink(fd):
                continue
            info = (Path("/proc/self/fdinfo") / fd.name).read_text()
        except OSError:
            continue
        for line in info.splitlines():
            if line.startswith("inotify wd:"):
                fields = dict(part.split(":", 1) for part in line.split()[1:])
                found.add(int(fields["ino"], 16))
    return found


def test_the_watcher_does_not_follow_symlinks_out(workspace: Workspace, tmp_path: Path) -> None:
    """A watched directory holding a symlink to another directory (and a symlink loop): the
    watchers put their inotify watches on the watched directory, never on the other one."""
    if _inotify_watches() is None:
        pytest.skip("needs /proc/self/fdinfo (Linux) to list inotify watches")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "hs_elsewhere.py").write_text("X = 1\n")
    (workspace.root / "to_outside").symlink_to(outside)
    (workspace.root / "loop").symlink_to(workspace.root / "loop")
    name = workspace.name()
    workspace.write(f"{name}.py", "def f():\n    return 1\n")
    reports: list[hotswap.Report] = []
    with hotswap.Reloader() as reloader:
        mod = importlib.import_module(name)
        with hotswap.watch(reloader, quiet=True, on_report=reports.append):
            workspace.write(f"{name}.py", "def f():\n    return 2\n")
            deadline = time.monotonic() + 60
            while mod.f() != 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            (outside / "hs_elsewhere.py").write_text("X = 2\n")
            watched = _inotify_watches()
        assert mod.f() == 2
    assert watched, "no inotify watch at all: the watcher did not use events"
    assert workspace.root.stat().st_ino in watched
    assert outside.stat().st_ino not in watched
    assert "hs_elsewhere" not in sys.modules
