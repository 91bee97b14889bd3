"""New module code that takes the module out of ``sys.modules`` (``del sys.modules[__name__]``)
or puts something else there (``sys.modules[__name__] = obj``) must not leave the session with
a half-registered module: the save is reported as an error and the module stays exactly as it
was, ``sys.modules`` entry included; the next good save applies.

Seen in the bad-input suite: both saves were reported ok, the new code ran, and afterwards
``sys.modules`` no longer held the module (hotswap then forgot the module: the next good save
was not applied)."""

from __future__ import annotations

import importlib
import sys

import pytest

import hotswap
from conftest import Workspace


@pytest.mark.parametrize(
    "tail", ["del sys.modules[__name__]\n", "sys.modules[__name__] = 42\n"], ids=["del", "replace"]
)
def test_a_module_that_leaves_sys_modules(workspace: Workspace, tail: str) -> None:
    """The save fails naming the file; ``sys.modules`` still holds the module; a fix applies."""
    name = workspace.name()
    path = workspace.write(f"{name}.py", "import sys\n\n\ndef f():\n    return 1\n")
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        workspace.write(f"{name}.py", "import sys\n\n\ndef f():\n    return 2\n\n\n" + tail)
        report = r.check()
        assert sys.modules.get(name) is mod
        assert not report.ok
        assert report.errors[0].path == str(path)
        assert mod.f() == 1
        workspace.write(f"{name}.py", "import sys\n\n\ndef f():\n    return 3\n")
        assert r.check().ok
        assert mod.f() == 3
