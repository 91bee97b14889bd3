"""Source given as text (``Reloader.apply_sources``): what a Dask worker does with a push.

The text is applied as a save of it would be, and the process's own (stale) copy of the file is
never taken for an edit afterwards; a real change of the file is.
"""

from __future__ import annotations

import importlib
import linecache
import sys

import hotswap
from conftest import Workspace

OLD = "STATE = []\ndef f():\n    return 1\nclass C:\n    def m(self):\n        return 'old'\n"
NEW = "STATE = []\ndef f():\n    return 2\nclass C:\n    def m(self):\n        return 'new'\n"


def test_pushed_text_is_applied_and_identity_kept(workspace: Workspace) -> None:
    """Pushed text reloads the module in place: the same function and class objects run the
    new code, an instance made before keeps working, module state stays."""
    name = workspace.name()
    workspace.write(f"{name}.py", OLD)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        f, cls, state = mod.f, mod.C, mod.STATE
        obj = mod.C()
        state.append("kept")
        report = r.apply_sources({name: NEW.encode()})
        assert report.ok and report.reloaded == [name]
        assert mod.f is f and f() == 2 and mod.C is cls and obj.m() == "new"
        assert mod.STATE is state and state == ["kept"]


def test_stale_file_is_not_taken_for_an_edit(workspace: Workspace) -> None:
    """After a push, the process's own older file (touched, or looked at again) does not bring
    the old code back: the pushed text stays the source."""
    name = workspace.name()
    path = workspace.write(f"{name}.py", OLD)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        r.apply_sources({name: NEW.encode()})
        workspace.bump(path)  # a stat that moved: the file is read, and is the stale copy
        report = r.check()
        assert not report and mod.f() == 2


def test_real_edit_after_a_push_is_applied(workspace: Workspace) -> None:
    """A change of the file to content other than the stale copy is a real edit: it applies,
    and the file is the module's source again."""
    name = workspace.name()
    workspace.write(f"{name}.py", OLD)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        r.apply_sources({name: NEW.encode()})
        workspace.write(f"{name}.py", OLD.replace("return 1", "return 3"))
        report = r.check()
        assert report.reloaded == [name] and mod.f() == 3 and mod.C().m() == "old"


def test_broken_pushed_text_is_rolled_back_with_file_and_line(workspace: Workspace) -> None:
    """A pushed text that raises leaves the module exactly as it was, and the error names the
    module's file and the line of the pushed text that failed; the stale file is still no
    edit afterwards."""
    name = workspace.name()
    path = workspace.write(f"{name}.py", OLD)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        broken = NEW + "raise RuntimeError('boom')\n"
        report = r.apply_sources({name: broken.encode()})
        assert not report.ok and report.failed == [name]
        (error,) = report.errors
        assert error.path == str(path) and error.line == 7 and "boom" in error.message
        assert mod.f() == 1 and mod.C().m() == "old"
        workspace.bump(path)
        assert not r.check() and mod.f() == 1


def test_a_second_push_replaces_the_first(workspace: Workspace) -> None:
    """A later push applies over the earlier one; the file is still no edit after it."""
    name = workspace.name()
    path = workspace.write(f"{name}.py", OLD)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        r.apply_sources({name: NEW.encode()})
        r.apply_sources({name: NEW.replace("return 2", "return 4").encode()})
        workspace.bump(path)
        assert not r.check() and mod.f() == 4


def test_module_pushed_before_its_import_runs_the_text(workspace: Workspace) -> None:
    """A module pushed before it is imported never runs its stale file: the import runs the
    pushed text (tracebacks show it), and the file is no edit afterwards."""
    name = workspace.name()
    path = workspace.write(f"{name}.py", OLD)
    with hotswap.Reloader() as r:
        assert not r.apply_sources({name: NEW.encode()})
        mod = importlib.import_module(name)
        assert mod.f() == 2 and mod.C().m() == "new"
        assert linecache.getline(str(path), 3) == "    return 2\n"
        workspace.bump(path)
        assert not r.check() and mod.f() == 2
        del sys.modules[name]


def test_same_text_as_running_does_nothing(workspace: Workspace) -> None:
    """Pushing the text a module already runs reloads nothing."""
    name = workspace.name()
    workspace.write(f"{name}.py", OLD)
    with hotswap.Reloader() as r:
        importlib.import_module(name)
        assert not r.apply_sources({name: OLD.encode()})
