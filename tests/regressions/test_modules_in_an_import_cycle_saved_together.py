"""Two modules that import each other, saved together (a branch checkout), where one starts
importing a name the other gains in the same save: both apply, whatever order the cycle is
walked in.

Found checking out sympy 1.12.1 -> 1.13.0 (660 files): ``sympy.core.relational`` starts doing
``from .numbers import int_valued``, a function ``sympy.core.numbers`` gains in the same
checkout, and the two modules import each other. The reload of ``relational`` ran first,
failed with "cannot import name 'int_valued'", and held back ``numbers`` and every module
importing either: 68 modules kept their old code, in a checkout that a fresh interpreter
imports without error. A module whose reload fails only because it imports, from a module
reloaded later in the same save, a name that one has not got yet, is retried after it."""

from __future__ import annotations

import importlib
import sys

import hotswap
from conftest import Workspace


def test_a_name_gained_by_the_other_module_of_a_cycle(workspace: Workspace) -> None:
    """``cy_a`` gains ``helper``; ``cy_b`` (which ``cy_a`` imports, and which imports
    ``cy_a``) starts importing it: the save applies whole, and ``cy_b`` calls the new code."""
    a, b = workspace.name("cy_a"), workspace.name("cy_b")
    assert a < b  # the order the cycle is walked in: cy_b would run first
    workspace.write(f"{a}.py", f"import {b}\n\ndef value():\n    return 1\n")
    workspace.write(
        f"{b}.py",
        f"import {a}\n\ndef use():\n    return {a}.value()\n",
    )
    with hotswap.Reloader() as r:
        importlib.import_module(a)
        mod_b = importlib.import_module(b)
        workspace.write(
            f"{a}.py",
            f"import {b}\n\ndef value():\n    return 1\n\ndef helper():\n    return 2\n",
        )
        workspace.write(
            f"{b}.py",
            f"import {a}\nfrom {a} import helper\n\ndef use():\n    return helper() + 40\n",
        )
        report = r.check()
        assert report.ok, report
        assert sorted(report.reloaded) == sorted([a, b])
        assert mod_b.use() == 42


def test_a_name_the_other_module_never_gains_still_fails_once(workspace: Workspace) -> None:
    """A real error (the name exists in neither version) fails the save of that module, with
    the message and line, once."""
    a, b = workspace.name("cy_a"), workspace.name("cy_b")
    workspace.write(f"{a}.py", f"import {b}\n\ndef value():\n    return 1\n")
    workspace.write(f"{b}.py", f"import {a}\n\ndef use():\n    return 1\n")
    with hotswap.Reloader() as r:
        importlib.import_module(a)
        workspace.write(f"{a}.py", f"import {b}\n\ndef value():\n    return 2\n")
        workspace.write(
            f"{b}.py", f"import {a}\nfrom {a} import missing\n\ndef use():\n    return 1\n"
        )
        report = r.check()
        assert not report.ok
        (problem,) = [e for e in report.errors if e.module == b]
        assert problem.line == 2 and "cannot import name 'missing'" in problem.message
        assert len(report.errors) == 1


def test_a_module_needing_one_that_waits_for_another_waits_too(workspace: Workspace) -> None:
    """Three modules saved together: ``cyc1`` gains ``NEW1`` and imports the other two;
    ``cyc2`` starts importing ``NEW1`` (it must wait for ``cyc1``) and gains ``NEW2``; ``cyc3``
    starts reading ``cyc2.NEW2``. The walk meets ``cyc2``, then ``cyc3``, then ``cyc1``: ``cyc3``
    lacks ``NEW2`` only because ``cyc2`` waits. All three apply, as a fresh import of the new
    files does. (The sympy 1.12.1 -> 1.13.0 checkout left 132 modules unapplied this way.)"""
    m1, m2, m3 = workspace.name("cyc1"), workspace.name("cyc2"), workspace.name("cyc3")
    workspace.write(f"{m1}.py", f"import {m2}\nimport {m3}\n\ndef one():\n    return 1\n")
    workspace.write(f"{m2}.py", f"import {m1}\n\ndef two():\n    return 2\n")
    workspace.write(f"{m3}.py", "def three():\n    return 3\n")
    with hotswap.Reloader() as r:
        mod1 = importlib.import_module(m1)
        workspace.write(
            f"{m1}.py", f"NEW1 = 10\nimport {m2}\nimport {m3}\n\ndef one():\n    return 1\n"
        )
        workspace.write(f"{m2}.py", f"from {m1} import NEW1\nNEW2 = NEW1 + 10\n")
        workspace.write(f"{m3}.py", f"import {m2}\nX = {m2}.NEW2 + 10\n")
        report = r.check()
        assert report.ok, report
        assert mod1.NEW1 == 10 and sys.modules[m3].X == 30
