"""Bugs the commit replay (docs/replay.md) found in real projects' history, each fixed with a test.

click's history has commits where many methods start or stop using a closure variable or
``super()`` in one save: each such function is replaced (its code cannot be swapped) and the
lists holding it are pointed at the new one. The journal's copy of each rewritten list (for
rollback) was itself found by the next redirection and copied again, so the copies doubled with
every replaced function: a checkpoint of click's history took 22 to 55 seconds, and twenty
replaced methods took 26 seconds in an empty interpreter (forty would take days).
"""

from __future__ import annotations

import importlib

from tests.conftest import Workspace

import hotswap

COUNT = 40


def _source(body: str) -> str:
    classes = "".join(f"class C{i}:\n    def f(self):\n        {body}\n\n\n" for i in range(COUNT))
    return classes


def test_a_save_replacing_forty_methods_rebinds_every_list_holding_them(
    workspace: Workspace,
) -> None:
    """Forty methods start using ``super()`` in one save: each becomes a new function, and a
    list the session holds with all forty old ones now holds the forty new ones, once each."""
    name = workspace.name()
    workspace.write(f"{name}.py", _source("return 1"))
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        handlers = [getattr(mod, f"C{i}").__dict__["f"] for i in range(COUNT)]
        workspace.write(f"{name}.py", _source("return super().__hash__() and 2"))
        report = r.check()
    assert report.ok, str(report)
    assert handlers == [getattr(mod, f"C{i}").__dict__["f"] for i in range(COUNT)]
    assert len({id(f) for f in handlers}) == COUNT
    assert [f(getattr(mod, f"C{i}")()) for i, f in enumerate(handlers)] == [2] * COUNT
