"""A session that imported a module *and* from-imported a name of another module must keep its
own names when that other module stops importing the first one.

Seen by the fuzzer: ``import fza, fzc`` and ``from fzc import f8`` in the session; saving
``fzc.py`` without its ``import fza`` line deleted ``fza`` from the session namespace (the
next use of ``fza`` raised ``NameError``). The engine took the session for a
``from fzc import *`` user, because every public name of ``fzc`` (``fza`` and ``f8``) was there.
"""

from __future__ import annotations

import hotswap
from conftest import Workspace


def test_a_module_name_the_user_imported_stays_in_the_session(workspace: Workspace) -> None:
    """``fza`` is still bound in the session after ``fzc`` drops its ``import fza``."""
    a, c = workspace.name("a"), workspace.name("c")
    workspace.write(f"{a}.py", "K = 1\n")
    workspace.write(f"{c}.py", f"import {a}\n\n\ndef f():\n    return {a}.K\n")
    ns: dict[str, object] = {}
    exec(f"import {a}, {c}\nfrom {c} import f\n", ns)
    with hotswap.Reloader(namespace=ns) as r:
        workspace.write(f"{c}.py", "def f():\n    return 2\n")
        assert r.check().ok
    assert a in ns, "the session lost a module it imported itself"
    assert ns["f"]() == 2  # type: ignore[operator]
