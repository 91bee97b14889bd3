"""A ``from __future__ import ...`` that is not at the top of the file is a ``SyntaxError`` for
Python ("from __future__ imports must occur at the beginning of the file"): a fresh import of
the saved file fails. hotswap compiles each statement on its own, so the statement compiled
fine and the save was applied (``report.ok`` true, the new code running) although the file
cannot be imported."""

from __future__ import annotations

import importlib

import hotswap
from conftest import Workspace


def test_a_late_future_import_fails_like_a_fresh_import(workspace: Workspace) -> None:
    """The save is rejected at line 4 and ``f`` stays the old one."""
    name = workspace.name()
    path = workspace.write(f"{name}.py", "def f():\n    return 1\n")
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        late = "def f():\n    return 2\n\nfrom __future__ import annotations\n"
        workspace.write(f"{name}.py", late)
        report = r.check()
    assert not report.ok
    assert report.errors[0].path == str(path)
    assert report.errors[0].line == 4
    assert mod.f() == 1
