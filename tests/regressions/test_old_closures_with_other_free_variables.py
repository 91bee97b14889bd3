"""A closure made before an edit (``inc = make(1)``) whose inner function now has other free
variables cannot take the new code in place (a function's cells are fixed when it is made).
The design says what cannot be done in place is *said*: one warning naming the object. The
report warns: ``make.<locals>.add: 1 function(s) made before the edit keep the old code``
(``inc(3)`` still gives 4, where a fresh run gives 300).

The fuzzer keeps the free variables of its factories stable for this reason (see
tests/_fuzz_program.py); this test shows the case itself. It passes if hotswap either gives the
closure the new behaviour or warns about it."""

from __future__ import annotations

import importlib

import hotswap
from conftest import Workspace


def test_an_old_closure_whose_free_variables_changed_is_updated_or_named(
    workspace: Workspace,
) -> None:
    """``inc(3)`` gives 300, or the report warns about the closures of ``make``."""
    name = workspace.name()
    source = "def make(k):\n    def add(x):\n        return {body}\n    return add\n"
    workspace.write(f"{name}.py", source.format(body="k + x"))
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        inc = mod.make(1)
        assert inc(3) == 4
        workspace.write(f"{name}.py", source.format(body="x * 100"))
        report = r.check()
    assert report.ok
    assert mod.make(1)(3) == 300
    warned = [w for w in report.warnings if "add" in w.message or "make" in w.message]
    assert inc(3) == 300 or warned, f"silently kept the old code; report: {report}"
