"""The undo journal: rollback restores exactly, commit forgets."""

from __future__ import annotations

import types

from hotswap._engine.journal import Journal


def test_rollback_restores_attributes_items_and_cells() -> None:
    """Every kind of recorded mutation is undone, newest first."""

    class C:
        a = 1

    def f() -> int:
        return 1

    def g() -> int:
        return 2

    def outer() -> types.FunctionType:
        x = 1

        def inner() -> int:
            return x

        return inner  # type: ignore[return-value]

    closure = outer()
    cell = closure.__closure__[0]  # type: ignore[index]
    d = {"k": 1}
    journal = Journal()
    journal.setattr(C, "a", 2)
    journal.setattr(C, "b", 3)
    journal.delattr(C, "a")
    journal.setattr(f, "__code__", g.__code__)
    journal.setitem(d, "k", 5)
    journal.setitem(d, "new", 6)
    journal.set_cell(cell, 42)
    assert (f(), d, closure()) == (2, {"k": 5, "new": 6}, 42)
    journal.rollback()
    assert C.a == 1 and not hasattr(C, "b")
    assert f() == 1 and d == {"k": 1} and closure() == 1


def test_snapshot_restores_dict_contents_not_the_dict() -> None:
    """A module dict comes back with the same keys and values, and is the same object."""
    ns = {"a": 1, "b": [2]}
    b = ns["b"]
    journal = Journal()
    journal.snapshot_dict(ns)
    ns["a"] = 10
    ns["c"] = 3
    del ns["b"]
    journal.rollback()
    assert ns == {"a": 1, "b": [2]} and ns["b"] is b


def test_commit_forgets() -> None:
    """After commit, rollback has nothing to undo."""

    class C:
        a = 1

    journal = Journal()
    journal.setattr(C, "a", 2)
    journal.commit()
    journal.rollback()
    assert C.a == 2 and len(journal) == 0


def test_a_record_that_cannot_be_undone_does_not_stop_the_others() -> None:
    """Rollback runs every undo record and returns the errors of those that failed, so one bad
    record never leaves the rest of a failed reload applied."""

    class C:
        a = 1

    journal = Journal()
    journal.setattr(C, "a", 2)
    journal._undo.append(lambda: 1 / 0)  # a record whose undo raises
    journal.setattr(C, "b", 3)
    failed = journal.rollback()
    assert [type(e) for e in failed] == [ZeroDivisionError]
    assert C.a == 1 and not hasattr(C, "b")


def test_class_fields_outside_the_dict_are_restored() -> None:
    """``__bases__``, ``__name__`` and a metaclass swap are undone by assignment (they live in
    the type, not in its ``__dict__``)."""

    class Base:
        pass

    class Other:
        pass

    class C(Base):
        pass

    journal = Journal()
    journal.setattr(C, "__bases__", (Other,))
    journal.setattr(C, "__name__", "D")
    assert journal.rollback() == []
    assert C.__bases__ == (Base,) and C.__name__ == "C"


def test_a_record_whose_change_never_came_undoes_nothing() -> None:
    """An interruption between a record and its change leaves a record that finds the value
    in place: undoing it changes nothing, and does not fail on what cannot be assigned even
    its own value (``__class__`` of a class made by ``type``)."""

    class C:
        pass

    journal = Journal()
    journal.record_attribute(C, "__class__")  # (the assignment that was to follow never ran)
    journal.record_attribute(C, "__abstractmethods__")
    assert journal.rollback() == []
    assert type(C) is type and "__abstractmethods__" not in vars(C)


def test_a_snapshot_touching_every_key_restores_them_all() -> None:
    """While a statement that may bind any name runs (``from m import *``), the snapshot's
    touched keys hold ``EVERY_KEY``: a rollback then restores every key."""
    from hotswap._engine.journal import EVERY_KEY

    ns = {"a": 1}
    journal = Journal()
    touched = journal.snapshot_dict(ns)
    touched.update({"a", EVERY_KEY})
    ns.update(a=2, brought=3)
    journal.rollback()
    assert ns == {"a": 1}
