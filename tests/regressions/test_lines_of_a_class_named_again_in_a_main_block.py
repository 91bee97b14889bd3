"""A method that an edit above moved keeps the right line when a statement below the class
binds the class's name again (``from .live import Live`` in an ``if __name__ == "__main__":``
block).

Found replaying rich 14.0 -> 14.1: ``Live.process_renderables`` got line 299 where a fresh
run has 274, so tracebacks and debuggers pointed 25 lines off. The method was moved once with
the class's other members, and then again with the statements below the edit: those are moved
by what their names are bound to, and the ``__main__`` block binds ``Live``; the method's new
line fell inside the block's old lines."""

from __future__ import annotations

import importlib
import traceback

import hotswap
from conftest import Workspace

BEFORE = """\
class Live:
    def start(self):
        return 1

    def later(self):
        raise ValueError("here")


if __name__ == "__main__":
    from {name} import Live
    print(Live)
"""


def test_a_moved_method_is_not_moved_twice(workspace: Workspace) -> None:
    """``start`` grows by five lines: ``later`` (line 5 before) is on line 10, as a fresh
    run says, and a traceback through it shows its ``raise``."""
    name = workspace.name()
    before = BEFORE.format(name=name)
    after = before.replace("        return 1\n", "        a = 1\n" * 5 + "        return 1\n")
    workspace.write(f"{name}.py", before)
    with hotswap.Reloader() as r:
        module = importlib.import_module(name)
        workspace.write(f"{name}.py", after)
        assert r.check().ok
    fresh: dict[str, object] = {"__name__": "fresh"}
    exec(compile(after, "fresh.py", "exec"), fresh)
    expected = fresh["Live"].later.__code__.co_firstlineno  # type: ignore[attr-defined]
    assert expected == 10
    assert module.Live.later.__code__.co_firstlineno == expected
    try:
        module.Live().later()
    except ValueError as exc:
        line = traceback.extract_tb(exc.__traceback__)[-1]
    assert line.lineno == 11 and line.line == 'raise ValueError("here")'
