"""When a save cannot be read (permission denied) tracebacks must keep showing the lines of the
code that runs, as they do after a save that fails to compile or run.

Seen in the bad-input suite: after ``chmod 000`` on a saved file (read as an unprivileged
user), hotswap reported the error and kept the module, but ``linecache`` was not pinned to the
executing source, so once the file was readable again tracebacks and ``inspect`` showed the
lines of the new, never-executed file (``return 2`` for code that returns 1)."""

from __future__ import annotations

import contextlib
import importlib
import linecache
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import hotswap
from conftest import Workspace
from hotswap._detect.prepare import warm_up
from hotswap._detect.tracker import TRACKER


@contextlib.contextmanager
def _unprivileged() -> Iterator[None]:
    if os.geteuid() != 0:
        yield
        return
    os.setegid(65534)
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


def test_tracebacks_show_the_running_code_after_an_unreadable_save() -> None:
    """Line 2 of the file, as tracebacks see it, is the ``return 1`` that runs."""
    root = Path(tempfile.mkdtemp(prefix="hotswap-perm-"))
    root.chmod(0o755)
    sys.path.insert(0, str(root))
    workspace = Workspace(root)
    name = workspace.name()
    try:
        path = workspace.write(f"{name}.py", "def f():\n    return 1\n")
        with hotswap.Reloader() as r:
            mod = importlib.import_module(name)
            workspace.write(f"{name}.py", "def f():\n    return 2\n")
            path.chmod(0)
            # Only this module: "nobody" may not even stat the test suite's own files when the
            # checkout sits in a private directory (mktemp -d), and each failure is remembered
            # by the process's tracker (a later test of the same worker found them there).
            r.mode = "explicit"
            r.include(name)
            # And nothing left to read or import as "nobody": the background reader done, the
            # engine imported (from a private directory, "nobody" could not import it).
            assert TRACKER.baselines_read(60)
            warm_up()
            importlib.import_module("hotswap._detect.reads")
            with _unprivileged():
                report = r.check()
            r.mode = "all"
            path.chmod(0o644)
        assert not report.ok
        assert mod.f() == 1
        assert linecache.getline(str(path), 2) == "    return 1\n"
    finally:
        sys.modules.pop(name, None)
        sys.path.remove(str(root))
        linecache.cache.pop(str(root / f"{name}.py"), None)
        shutil.rmtree(root)
