"""Reformatting ``@overload`` stubs above a function (``...`` joined onto the ``def`` line, as
formatters do) moves the function's lines as a fresh run has them.

Found checking out click 8.1.7 -> 8.1.8 (``click.globals.get_current_context``: its stubs went
from two lines each to one, and the function kept its old first line, two lines off). Each stub
binds the function's name, so relining a stub touched the function itself; it was then taken
for already moved and its own shift was skipped."""

from __future__ import annotations

import importlib
import traceback

import hotswap
from conftest import Workspace

BEFORE = '''\
import typing as t


@t.overload
def get(silent: "t.Literal[False]" = False) -> int:
    ...


@t.overload
def get(silent: bool = ...) -> t.Optional[int]:
    ...


def get(silent: bool = False) -> t.Optional[int]:
    raise ValueError("no context")
'''
AFTER = BEFORE.replace("-> int:\n    ...", "-> int: ...").replace(
    "-> t.Optional[int]:\n    ...", "-> t.Optional[int]: ..."
)


def test_the_function_below_reformatted_stubs_moves_with_them(workspace: Workspace) -> None:
    """``get`` is held before the save; after it, its traceback line is its ``raise``."""
    name = workspace.name()
    workspace.write(f"{name}.py", BEFORE)
    with hotswap.Reloader() as r:
        module = importlib.import_module(name)
        held = module.get
        workspace.write(f"{name}.py", AFTER)
        assert r.check().ok
    assert held is module.get and held.__code__.co_firstlineno == 12
    try:
        held()
    except ValueError as exc:
        frame = traceback.extract_tb(exc.__traceback__)[-1]
    assert frame.lineno == 13 and frame.line == 'raise ValueError("no context")'
