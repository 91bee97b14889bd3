"""A docstring edit of a class whose metaclass computes ``__doc__`` (a read-only property)
applies, and a failed save of such a class rolls back whole.

Found replaying sympy 1.13.1 -> 1.13.3 (a checkout of 28 files): sympy's ``PredicateMeta``
defines ``__doc__`` as a property without a setter (it appends the handler's documentation to
the class's own ``_orig_doc``), and ``assumptions/relation/equality.py`` changed only
docstrings. The reload failed with "property '__doc__' of 'PredicateMeta' object has no
setter", and its rollback could not undo everything either. A fresh run stores the new
docstring in the class's own ``__dict__`` (what instances see) and the metaclass reads
``_orig_doc``: both must follow the edit."""

from __future__ import annotations

import importlib

import hotswap
from conftest import Workspace

SOURCE = '''
class Meta(type):
    def __new__(mcs, name, bases, namespace):
        namespace["_orig_doc"] = namespace.get("__doc__", "")
        return super().__new__(mcs, name, bases, namespace)

    @property
    def __doc__(cls):
        return cls._orig_doc + " (computed)"


class Pred(metaclass=Meta):
    """{doc}"""

    def ask(self):
        return {answer}
'''


def test_a_docstring_edit_under_a_metaclass_doc_property(workspace: Workspace) -> None:
    """The class keeps its identity; ``Pred.__doc__`` reads the new text through the
    metaclass, instances read it from the class; the method edit of the same save applies."""
    name = workspace.name()
    workspace.write(f"{name}.py", SOURCE.format(doc="old words", answer=1))
    with hotswap.Reloader() as r:
        module = importlib.import_module(name)
        cls, obj = module.Pred, module.Pred()
        assert cls.__doc__ == "old words (computed)"
        workspace.write(f"{name}.py", SOURCE.format(doc="new words", answer=2))
        report = r.check()
        assert report.ok, report
        assert not report.warnings, report.warnings
        assert module.Pred is cls and obj.ask() == 2
        assert cls.__doc__ == "new words (computed)"
        assert obj.__doc__ == vars(cls)["__doc__"] == "new words"


def test_a_failed_save_of_such_a_class_rolls_back_whole(workspace: Workspace) -> None:
    """The same edit with an error further down: nothing of it stays, and the rollback has
    nothing it could not undo (no warning)."""
    name = workspace.name()
    workspace.write(f"{name}.py", SOURCE.format(doc="old words", answer=1))
    with hotswap.Reloader() as r:
        module = importlib.import_module(name)
        cls = module.Pred
        broken = SOURCE.format(doc="new words", answer=2) + "\nraise RuntimeError('late')\n"
        workspace.write(f"{name}.py", broken)
        report = r.check()
        assert not report.ok and not report.warnings, report
        assert cls.__doc__ == "old words (computed)" and vars(cls)["__doc__"] == "old words"
        assert cls._orig_doc == "old words" and cls().ask() == 1
