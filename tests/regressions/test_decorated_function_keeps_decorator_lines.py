"""Editing the body of a decorated function must keep its first line at the decorator, as a
fresh import has it: ``inspect.getsource`` shows the decorator and ``co_firstlineno`` points
at it. Seen by the fuzzer with ``@functools.lru_cache(maxsize=None)``: after the edit,
``inspect.getsource(f)`` lost the decorator line and the first line moved down by one."""

from __future__ import annotations

import importlib
import inspect

import hotswap
from conftest import Workspace

SOURCE = """\
import functools


@functools.lru_cache(maxsize=None)
def f(x):
    return {value}
"""


def test_an_edited_decorated_function_starts_at_its_decorator(workspace: Workspace) -> None:
    """After editing the body, getsource starts with the decorator line (line 4), as fresh."""
    name = workspace.name()
    workspace.write(f"{name}.py", SOURCE.format(value=1))
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        assert inspect.unwrap(mod.f).__code__.co_firstlineno == 4
        workspace.write(f"{name}.py", SOURCE.format(value=2))
        assert r.check().ok
    assert mod.f(0) == 2
    assert inspect.getsource(mod.f).startswith("@functools.lru_cache(maxsize=None)\n")
    assert inspect.unwrap(mod.f).__code__.co_firstlineno == 4
