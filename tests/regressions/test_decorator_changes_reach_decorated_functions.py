"""When a decorator's code changes what it does at decoration time (here: it starts using
``functools.wraps``), the functions it decorated must end up as a fresh run decorates them,
also in other modules: the name, docstring and ``__wrapped__`` of the wrapper, and so
``inspect.getsource`` and the first line.

Seen by the fuzzer: ``deco1`` in ``fza`` gained ``@functools.wraps(fn)`` on its inner
function; ``fzb.f4`` (decorated with ``@fza.deco1``) kept ``__name__ == 'inner'`` and
``inspect.getsource`` showed the decorator's inner function, where a fresh run has ``'f4'`` and
the source of ``f4``. Fixed for decorators reached through the module, a from-import or the same
module; seen again (campaign seed 7000) with ``from fza import *``."""

from __future__ import annotations

import importlib
import inspect

import pytest

import hotswap
from conftest import Workspace

DECO = """\
import functools


def deco(fn):
{wraps}    def inner(*args, **kwargs):
        return fn(*args, **kwargs) * 2
    return inner
"""


@pytest.mark.parametrize("style", ["attribute", "from-import", "star import", "same module"])
def test_a_decorator_that_starts_using_wraps(workspace: Workspace, style: str) -> None:
    """``f.__name__`` is ``'f'`` and ``f.__wrapped__`` exists after the decorator's edit."""
    a, b = workspace.name("a"), workspace.name("b")
    user = {
        "attribute": f"import {a}\n\n\n@{a}.deco\ndef f(x):\n    return x\n",
        "from-import": f"from {a} import deco\n\n\n@deco\ndef f(x):\n    return x\n",
        "star import": f"from {a} import *\n\n\n@deco\ndef f(x):\n    return x\n",
        "same module": "\n\n@deco\ndef f(x):\n    return x\n",
    }[style]
    if style == "same module":
        workspace.write(f"{b}.py", DECO.format(wraps="") + user)
    else:
        workspace.write(f"{a}.py", DECO.format(wraps=""))
        workspace.write(f"{b}.py", user)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(b)
        assert mod.f.__name__ == "inner"
        wraps = "    @functools.wraps(fn)\n"
        if style == "same module":
            workspace.write(f"{b}.py", DECO.format(wraps=wraps) + user)
        else:
            workspace.write(f"{a}.py", DECO.format(wraps=wraps))
        assert r.check().ok
    assert mod.f(3) == 6
    assert mod.f.__name__ == "f"
    assert inspect.getsource(mod.f).lstrip().startswith("@")
