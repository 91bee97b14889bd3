"""A save that Python refuses to compile as a whole module must be rejected, even when every
statement compiles on its own: a fresh import of the file fails with ``SyntaxError``.

Found while extending the bad-input list: a module-level ``global x`` after an assignment to
``x`` ("name 'x' is assigned to before global declaration"), after a use of ``x``, or of an
annotated name. hotswap compiles statement by statement, so each statement was fine and the
save was applied (``report.ok`` true, the new ``f`` running) although the file cannot be
imported. (The same family as a late ``from __future__`` import, which is now rejected.)"""

from __future__ import annotations

import importlib

import pytest

import hotswap
from conftest import Workspace

CASES = {
    "assigned before global": ("x = 1\nglobal x\n", 5),
    "used before global": ("if False:\n    print(x)\nglobal x\n", 6),
    "annotated global": ("x: int = 1\nglobal x\n", 5),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_module_python_cannot_compile_is_rejected(workspace: Workspace, case: str) -> None:
    """The save fails at the ``global`` line; ``f`` stays the old one."""
    tail, line = CASES[case]
    name = workspace.name()
    path = workspace.write(f"{name}.py", "def f():\n    return 1\n")
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        workspace.write(f"{name}.py", "def f():\n    return 2\n\n" + tail)
        report = r.check()
    assert not report.ok
    assert report.errors[0].path == str(path)
    assert report.errors[0].line == line
    assert mod.f() == 1
