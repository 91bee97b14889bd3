"""What a class's making set (a base's ``__init_subclass__``, a metaclass) follows an edit of
the base, in subclasses here and in other modules, while what code set on a class from outside
its body stays: see ``hotswap._detect.creation``. Found on sympy's 1.13.3 -> 1.14.0 checkout:
``PSpace`` dropped ``is_real = None``, and eleven subclasses kept the ``is_real = None`` that
``Basic.__init_subclass__`` had derived from it."""

from __future__ import annotations

import importlib

import hotswap
from conftest import Workspace

BASE = """
class Root:
    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        for b in cls.__mro__[1:]:
            if "flag" in vars(b):
                cls.derived = vars(b)["flag"]
                break

class P(Root):
    {flag} = 1

class Q(P):
    pass
"""


def test_an_attribute_a_base_hook_no_longer_derives_leaves_every_subclass(
    workspace: Workspace,
) -> None:
    """``Root.__init_subclass__`` sets ``derived`` on each subclass of a class that has
    ``flag``; ``P`` loses ``flag``. As in a fresh run, neither ``Q`` (same module) nor ``C``
    (another module) has ``derived`` then, and the report says so; both are the same classes
    as before."""
    base, sub = workspace.name(), workspace.name()
    workspace.write(f"{base}.py", BASE.format(flag="flag"))
    workspace.write(f"{sub}.py", f"from {base} import P\n\nclass C(P):\n    pass\n")
    with hotswap.Reloader() as r:
        mod_base = importlib.import_module(base)
        mod_sub = importlib.import_module(sub)
        kept = (mod_base.Q, mod_sub.C)
        assert (kept[0].derived, kept[1].derived) == (1, 1)
        workspace.write(f"{base}.py", BASE.format(flag="other"))
        report = r.check()
    assert report.ok, str(report)
    assert kept == (mod_base.Q, mod_sub.C)
    assert "derived" not in vars(kept[0]) and "derived" not in vars(kept[1])
    assert "Q.derived" in str(report) and "C.derived" in str(report)


def test_members_set_on_a_class_from_outside_its_body_stay_when_it_is_made_again(
    workspace: Workspace,
) -> None:
    """``C.extra = 1`` below the class, ``setattr(C, "also", 2)``, and ``C.later = 3`` from the
    session: a save of the base makes ``C`` again (its hook changed what it derives), and all
    three stay, as a fresh run (or the session) would have them; ``derived`` goes."""
    base, sub = workspace.name(), workspace.name()
    workspace.write(f"{base}.py", BASE.format(flag="flag"))
    source = f"from {base} import P\n\nclass C(P):\n    pass\n\nC.extra = 1\n"
    source += 'setattr(C, "also", 2)\n'
    workspace.write(f"{sub}.py", source)
    with hotswap.Reloader() as r:
        importlib.import_module(base)
        mod_sub = importlib.import_module(sub)
        mod_sub.C.later = 3
        workspace.write(f"{base}.py", BASE.format(flag="other"))
        report = r.check()
    assert report.ok, str(report)
    members = vars(mod_sub.C)
    assert (members["extra"], members["also"], members["later"]) == (1, 2, 3)
    assert "derived" not in members


def test_an_edit_of_a_hooked_class_body_keeps_what_the_hook_set(workspace: Workspace) -> None:
    """``Root.__init_subclass__`` (another module) tags every subclass; a save that edits only
    ``P``'s methods and nested class runs its body without the bases, so the hook does not run
    again: ``P`` keeps its tag, as the fresh run's ``P`` has it, and gets the new members."""
    root, name = workspace.name(), workspace.name()
    hook = "class Root:\n    def __init_subclass__(cls, **kw):\n"
    hook += "        super().__init_subclass__(**kw)\n        cls.tag = cls.__name__.lower()\n"
    workspace.write(f"{root}.py", hook)
    source = f"from {root} import Root\n\nclass P(Root):\n    class N:\n        a = {{a}}\n"
    workspace.write(f"{name}.py", source.format(a=1))
    with hotswap.Reloader() as r:
        importlib.import_module(root)
        mod = importlib.import_module(name)
        kept = mod.P
        edited = source.format(a=2) + "    def k(self):\n        return 3\n"
        workspace.write(f"{name}.py", edited)
        report = r.check()
    assert report.ok, str(report)
    assert mod.P is kept and (kept.N.a, kept().k(), kept.tag) == (2, 3, "p")
