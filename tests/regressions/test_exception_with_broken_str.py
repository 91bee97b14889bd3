"""Module code that raises an exception whose ``str()`` itself raises must give a failed
report like any other exception, not crash the checkpoint.

Seen in the bad-input suite: ``class Weird(Exception): def __str__(self): raise ValueError``
then ``raise Weird()`` at module level. The reload was rolled back, but ``r.check()`` then
raised ``ValueError`` from inside hotswap while it wrote the error message, so the user got a
traceback from hotswap instead of "m failed at m.py:6 ... (kept the previous version)"."""

from __future__ import annotations

import importlib

import hotswap
from conftest import Workspace

BROKEN = """\
def f():
    return 2


class Weird(Exception):
    def __str__(self):
        raise ValueError("no str")


raise Weird()
"""


def test_an_exception_whose_str_raises_is_reported(workspace: Workspace) -> None:
    """``check()`` returns a failed report naming line 10; ``f`` is the old one."""
    name = workspace.name()
    path = workspace.write(f"{name}.py", "def f():\n    return 1\n")
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        workspace.write(f"{name}.py", BROKEN)
        report = r.check()
    assert not report.ok
    assert report.errors[0].path == str(path)
    assert report.errors[0].line == 10
    assert "Weird" in report.errors[0].message
    assert mod.f() == 1
