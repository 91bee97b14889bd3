"""Removing ``from a import *`` from a module must remove the names it brought, as a fresh run
of the module would not have them (code that still uses one gets its ``NameError``).

Seen by the fuzzer: after ``from fza import *`` became ``from fza import f1`` (or went away),
``fzc`` still held ``deco4`` and ``functools`` from the old star import, and again after the
next save of ``fzc``."""

from __future__ import annotations

import importlib

import hotswap
from conftest import Workspace


def test_names_of_a_removed_star_import_go_away(workspace: Workspace) -> None:
    """``helper`` and ``OTHER`` came from the star import; after the edit only ``f`` is left
    of them."""
    a, c = workspace.name("a"), workspace.name("c")
    source = "def f():\n    return 1\n\n\ndef helper():\n    return 2\n\n\nOTHER = 3\n"
    workspace.write(f"{a}.py", source)
    workspace.write(f"{c}.py", f"from {a} import *\n\n\ndef g():\n    return f()\n")
    with hotswap.Reloader() as r:
        mod = importlib.import_module(c)
        assert {"f", "helper", "OTHER"} <= set(vars(mod))
        workspace.write(f"{c}.py", f"from {a} import f\n\n\ndef g():\n    return f()\n")
        assert r.check().ok
    public = sorted(k for k in vars(mod) if not k.startswith("_"))
    assert public == ["f", "g"]
