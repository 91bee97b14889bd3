"""A broken save that is undone (the file gets back the content that runs) must not stay listed
as a failure: ``r.failures`` would keep showing a problem that no longer exists on disk."""

from __future__ import annotations

import importlib

import hotswap
from conftest import Workspace


def test_undoing_a_broken_save_clears_the_failure(workspace: Workspace) -> None:
    """Save a syntax error, then save the original text back: the report says nothing changed
    and ``r.failures`` is empty again."""
    name = workspace.name()
    good = "def f():\n    return 1\n"
    workspace.write(f"{name}.py", good)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        workspace.write(f"{name}.py", "def f(:\n")
        assert not r.check().ok
        assert name in r.failures
        workspace.write(f"{name}.py", good)
        report = r.check()
        assert report.ok
        assert mod.f() == 1
        assert name not in r.failures
