"""A value computed at import time from another module's attribute (``K7 = b.K4`` after
``import b``) must follow a change of that attribute, in the module and in a session that
from-imported it, as a fresh run computes it.

Seen by the fuzzer: after ``K4 = 0`` became ``K4 = 1`` in ``b``, ``c.K7`` and the session's
``K7`` (from ``from c import K7``) were still 0 while a fresh interpreter has 1. (With
``from b import K4`` in ``c`` instead, the change propagates.)"""

from __future__ import annotations

import importlib

import hotswap
from conftest import Workspace


def test_a_constant_derived_through_an_attribute(workspace: Workspace) -> None:
    """``c.K7`` and the session's ``K7`` both become 1."""
    b, c = workspace.name("b"), workspace.name("c")
    workspace.write(f"{b}.py", "K4 = 0\n")
    workspace.write(f"{c}.py", f"import {b}\n\nK7 = {b}.K4\n")
    ns: dict[str, object] = {}
    setup = f"import {b}, {c}\nfrom {c} import K7\n"
    with hotswap.Reloader(namespace=ns) as r:
        r.observe(setup)
        exec(setup, ns)
        workspace.write(f"{b}.py", "K4 = 1\n")
        assert r.check().ok
    assert importlib.import_module(c).K7 == 1
    assert ns["K7"] == 1
