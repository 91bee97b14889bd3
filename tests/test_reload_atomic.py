"""What another thread can see while a reload patches a function it is calling."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import hotswap
from conftest import Workspace

SOURCE = """\
def free(y={k}):
    return ({k}, y)


class Shape:
    def scaled(self, n={k}):
        return ({k}, n)
"""


def test_code_and_defaults_of_a_patched_function_change_at_once(workspace: Workspace) -> None:
    """A thread calling ``f(y=1)``-style functions while the reload patches them gets the old
    code with the old defaults or the new code with the new defaults, never a mix
    (``test_thread_hammer`` saw ``(1, 0)`` once in about a thousand runs).

    Deterministic stand-in for a thread switch: another thread can run only where this one is
    between bytecodes of a Python frame, which is where a profile hook is called; the hook calls
    the functions there and records any mix."""
    name = workspace.name()
    workspace.write(f"{name}.py", SOURCE.format(k=0))
    module = importlib.import_module(name)
    free, shape = module.free, module.Shape()
    mixed: list[tuple[Any, ...]] = []

    def look(_frame: Any, _event: str, _arg: Any) -> None:
        for result in (free(), shape.scaled()):
            if result[0] != result[1]:
                mixed.append(result)

    with hotswap.Reloader() as reloader:
        reloader.check()
        workspace.write(f"{name}.py", SOURCE.format(k=1))
        sys.setprofile(look)
        try:
            report = reloader.check()
        finally:
            sys.setprofile(None)
    assert report.reloaded == [name]
    assert free() == (1, 1) and shape.scaled() == (1, 1)
    assert mixed == []
