"""A Ctrl-C that lands while hotswap itself works between two statements of the new code is
reported as ``KeyboardInterrupt``, without "raised at" some file the user never wrote.

Seen in CI (3.13, ``test_ctrl_c_from_outside_while_module_code_runs``): the SIGINT arrived
right after the new code printed, while hotswap walked the next statement's syntax tree, and
the failed report said ``KeyboardInterrupt (raised at .../lib/python3.13/ast.py:290)``. Where
a Ctrl-C lands outside the user's module says nothing about their code; "raised at" is for
exceptions that code outside the module raised (a library the module calls, an integration).
Here an integration stands in for hotswap's own work: it raises ``KeyboardInterrupt`` from
this file, after the module's code ran."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest

import hotswap
from conftest import Workspace
from hotswap import integrations
from hotswap.integrations import Applied, Integration


class CtrlC(Integration):
    name = "ctrl-c"
    requires = ("json",)  # always imported in a test run: the integration is active

    def __init__(self) -> None:
        self.armed = False

    def after(self, applied: Applied) -> None:
        if self.armed:
            raise KeyboardInterrupt


@pytest.fixture
def ctrl_c() -> Iterator[CtrlC]:
    made = CtrlC()
    integrations.register(made)
    yield made
    integrations.unregister(made)


def test_a_ctrl_c_outside_module_code_is_just_keyboard_interrupt(
    workspace: Workspace, ctrl_c: CtrlC
) -> None:
    """The save is rolled back and the one error reads ``KeyboardInterrupt``, no line."""
    name = workspace.name()
    workspace.write(f"{name}.py", "def f():\n    return 1\n")
    with hotswap.Reloader() as r:
        module = importlib.import_module(name)
        ctrl_c.armed = True
        workspace.write(f"{name}.py", "def f():\n    return 2\n")
        report = r.check()
        assert not report.ok and module.f() == 1
        assert [(e.line, e.message) for e in report.errors] == [(None, "KeyboardInterrupt")]
        ctrl_c.armed = False
        workspace.write(f"{name}.py", "def f():\n    return 3\n")
        assert r.check().ok and module.f() == 3


def test_a_library_error_names_the_module_line_that_called_it(workspace: Workspace) -> None:
    """An exception a library raises for a statement of the module names that statement."""
    name = workspace.name()
    workspace.write(f"{name}.py", "import json\nX = 1\n")
    with hotswap.Reloader() as r:
        importlib.import_module(name)
        workspace.write(f"{name}.py", "import json\nX = json.loads('{')\n")
        report = r.check()
        assert not report.ok
        (problem,) = report.errors
        assert problem.line == 2 and problem.message.startswith("JSONDecodeError")
