"""What each class of a module held when the module's import ended: what its body and its
making (a metaclass, a base's ``__init_subclass__``) put in it.

A class patched from a fresh twin loses the members the twin lacks that its old body bound;
what was set on it from outside (``C.extra = 1`` below it, a registry's attribute set later) is
not the body's to take back, and stays. What its *making* set is neither: a base's hook that set
``derived`` on every subclass, and no longer does after an edit of the base, leaves a fresh run
without ``derived`` on those subclasses (sympy's ``Basic.__init_subclass__`` set ``is_real =
None`` on each subclass of ``PSpace`` while ``PSpace`` said ``is_real = None``; 1.14 dropped
that line, and eleven classes of a checkout kept the attribute).

So the import hook records, when a module's code has run, the names each class it defines
holds (:func:`snapshot`: top-level classes whose making runs code), weakly by class; a class
patched from a twin is recorded as the twin was made (:func:`remember`). A recorded name that
the module's code outside functions never assigns as an attribute (``C.name = ...``,
``setattr(C, "name", ...)``, read from its parse) came from the class's making:
:func:`made_names`. Not recorded: nested classes, classes of modules imported before
the first Reloader (their members stay, as before), and what another module sets on a class
while this one imports (taken for the making's).
"""

from __future__ import annotations

import types
import weakref

# id(class) -> (weak reference to it, the names it held when its module's import ended)
_HELD: dict[int, tuple[weakref.ref[type], tuple[str, ...]]] = {}
_SWEEP_AT = 4096  # entries: dead ones are dropped each time the table doubles past this


def snapshot(module: types.ModuleType) -> None:
    """Record the names each class ``module`` defines holds now, its code having just run:
    only classes whose making could add any (a metaclass, a base's ``__init_subclass__``),
    keys only (read at C speed: a module's import pays a few microseconds)."""
    name = module.__name__
    for value in list(module.__dict__.values()):
        if isinstance(value, type) and value.__module__ == name and _hooked(value):
            remember(value, tuple(value.__dict__))


def _hooked(cls: type) -> bool:
    """Whether making ``cls`` ran code that could set members: a metaclass, or a base's
    ``__init_subclass__``."""
    if type(cls) is not type:
        return True
    mro = cls.__mro__
    if len(mro) <= 2:  # (the usual case, answered without a generator: every import asks)
        return False
    return any("__init_subclass__" in base.__dict__ for base in mro[1:-1])


def names_of(cls: type) -> tuple[str, ...]:
    """What :func:`snapshot` records of ``cls`` (empty: nothing to record)."""
    return tuple(cls.__dict__) if _hooked(cls) else ()


def remember(cls: type, names: tuple[str, ...]) -> None:
    """Record ``names`` as what ``cls`` held when made (empty: drop any record)."""
    key = id(cls)
    if not names:
        _HELD.pop(key, None)
        return
    _HELD[key] = (weakref.ref(cls), names)
    size = len(_HELD)
    if size >= _SWEEP_AT and size & (size - 1) == 0:
        for dead in [k for k, (ref, _names) in list(_HELD.items()) if ref() is None]:
            _HELD.pop(dead, None)


def held_names(cls: type) -> tuple[str, ...]:
    found = _HELD.get(id(cls))
    if found is None or found[0]() is not cls:
        return ()
    return found[1]


def made_names(cls: type, outside: frozenset[str] | None) -> frozenset[str]:
    """The names ``cls`` held when made that its module's code outside functions never assigns
    as an attribute (``outside``; None: not known, and then none)."""
    held = held_names(cls)
    if not held or outside is None:
        return frozenset()
    return frozenset(held).difference(outside)
