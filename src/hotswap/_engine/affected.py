"""What behaves differently in a module once names it uses do: read off its live code objects.

A committed module's recoded names (functions whose code changed, names rebound) reach the
code of other modules that uses them; :func:`affected_functions` says which functions, class
members and classes of a module behave differently, transitively, from the names each code
object uses, following only code that ran. The checkpoint uses it to tell whether an importer
must run again (:mod:`hotswap._checkpoint.follow`) and what to tell that importer's own
importers. A module's :class:`Analysis` is kept between checkpoints while none of its code is
run by hotswap.
"""

from __future__ import annotations

import functools
import types
from typing import Any, NamedTuple

from hotswap._engine.uses import code_names, member_names, ran_code, touched

_KEPT: dict[str, Analysis] = {}  # analyses kept between checkpoints (see analysis_of)


def analysis_of(namespace: dict[str, Any], module: str) -> Analysis:
    """The :class:`Analysis` of a module, kept while hotswap runs none of its code and it holds
    as many names (``Analysis.size``): a save reaching it again reads its code once. Whether
    its code ran is asked again (code runs between checkpoints)."""
    found = _KEPT.get(module)
    if found is not None and found.namespace is namespace and found.size == found._size():
        if found._index is not None:
            found._index.ran.clear()
        return found
    found = _KEPT[module] = Analysis(namespace, module)
    return found


def forget_analysis(module: str, path: str) -> None:
    """Hotswap runs code of ``module`` (file ``path``): its functions and classes may become
    other objects, and its code objects no longer tell whether they ran
    (``_engine.uses.touched``)."""
    touched(path)
    _KEPT.pop(module, None)


SUBCLASS_HOOK = ".__init_subclass__"  # ``C.__init_subclass__`` affected: subclassing C changed

# Class members of these exact types hold no code (``member_names`` is None for them).
_PLAIN = frozenset(
    {bool, int, float, complex, str, bytes, tuple, list, dict, set, frozenset, type(None)}
    | {types.GetSetDescriptorType, types.MemberDescriptorType, types.WrapperDescriptorType}
)


# What a class runs when it is called (``K()``) or made a metaclass (``class A(metaclass=K)``);
# ``__call__`` of its metaclass too (see affected_functions).
_ENTRIES = ("__new__", "__init__", "__prepare__")


class Analysis:
    """The code of a module's functions and classes (see :func:`affected_functions`): every
    name each function and class member holds (``raw``: read at C speed), checked by the exact
    rule only for the code a change reaches (:meth:`uses`)."""

    def __init__(self, namespace: dict[str, Any], module: str) -> None:
        self.namespace = namespace
        self.functions: list[tuple[str, frozenset[str]]] = []
        self.function_values: list[Any] = []
        self.classes: list[tuple[str, type, dict[str, frozenset[str]]]] = []
        # Whether it holds caches that changed code could have filled (``lru_cache`` functions,
        # ``cached_property`` members; see ``_engine.kinds.clear_caches_reading``).
        self.caches = False
        for name, value in list(namespace.items()):
            if getattr(value, "__module__", None) != module:
                continue
            if isinstance(value, type):
                members = {}
                for attr, member in list(vars(value).items()):
                    if type(member) in _PLAIN:
                        continue  # (half the members of sympy's printers: no getattr each)
                    used = member_names(member, raw=True)
                    if used is not None:
                        members[attr] = used
                    if isinstance(member, functools.cached_property):
                        self.caches = True
                self.classes.append((name, value, members))
                continue
            if callable(getattr(value, "cache_clear", None)):
                self.caches = True
            if isinstance(value, types.FunctionType) or hasattr(value, "__wrapped__"):
                self.functions.append((name, code_names(value, raw=True)))
                self.function_values.append(value)
        self.names_of = {
            id(value): name for name, value in namespace.items() if isinstance(value, type)
        }
        # Every name some code of the module uses, and its classes' bases and metaclasses
        # (``K.__call__`` changed: calling a class ``K`` makes behaves differently): seeds
        # outside it reach nothing.
        every: set[str] = set()
        for _name, cls, _members in self.classes:
            every.update(filter(None, (self.names_of.get(id(b)) for b in cls.__mro__)))
            meta = self.names_of.get(id(type(cls)))
            if meta is not None:
                every.add(meta)
        self.kinds = frozenset(every)  # (the names a seed ``K.m`` reaches classes by)
        for _name, names in self.functions:
            every |= names
        for name, _cls, members in self.classes:
            every.add(name)
            for names in members.values():
                every |= names
        self.used = frozenset(every)
        self._index: _Index | None = None
        self.size = self._size()

    def reaches(self, seed: str) -> bool:
        """Whether :func:`affected_functions` can find anything from ``seed``: code uses
        each of its parts (``a.b.c``: ``a``, ``b`` and ``c``), or, for ``K.m``, ``K`` names a
        class of the module, a base or a metaclass of one. (``sympy.StrPrinter.m`` reaches a
        module that does ``import sympy`` and never names ``StrPrinter``: nothing.)"""
        used = self.used
        head, dot, attr = seed.partition(".")
        if not dot:
            return seed in used
        if head not in used:
            return False
        if "." not in attr and head in self.kinds:
            return True
        return all(part in used for part in attr.split("."))

    def _size(self) -> int:  # names in the module and its classes (see analysis_of)
        return len(self.namespace) + sum(len(vars(cls)) for _name, cls, _members in self.classes)

    def index(self) -> _Index:
        """Who uses what, built when first asked (most modules a change reaches use none of
        it: ``used`` tells)."""
        if self._index is not None:
            return self._index
        names_of = self.names_of
        units: list[tuple[str, frozenset[str], int]] = [
            (name, used, -1) for name, used in self.functions
        ]
        classes: list[tuple[str, dict[str, frozenset[str]], list[str]]] = []
        class_named: dict[str, int] = {}
        subclasses: dict[str, list[int]] = {}
        by_meta: dict[str, list[int]] = {}
        for j, (name, cls, members) in enumerate(self.classes):
            bases = [b for b in (names_of.get(id(base)) for base in cls.__mro__[1:]) if b]
            classes.append((name, members, bases))
            class_named[name] = j
            for base in bases:
                subclasses.setdefault(base, []).append(j)
            meta = names_of.get(id(type(cls)))
            if meta is not None:
                by_meta.setdefault(meta, []).append(j)
            units.extend((f"{name}.{attr}", used, j) for attr, used in members.items())
        users: dict[str, list[int]] = {}
        for unit, (_name, used, _j) in enumerate(units):
            for name in used:
                found = users.get(name)
                if found is None:
                    users[name] = [unit]
                else:
                    found.append(unit)
        self._index = _Index(units, users, classes, class_named, subclasses, by_meta, {}, {})
        return self._index

    def uses(self, unit: int, names: tuple[str, ...] | list[str]) -> bool:
        """Whether unit ``unit`` of :meth:`index` may have run (``_engine.uses.may_have_run``,
        asked once per checkpoint) and uses all of ``names`` by the exact rule
        (``_engine.uses.names_in``)."""
        index = self.index()
        name, _used, j = index.units[unit]
        if j < 0:
            value = self.function_values[unit]
        else:
            value = vars(self.classes[j][1]).get(name.rpartition(".")[2])
        found = index.ran.get(unit)
        if found is None:
            found = index.ran[unit] = ran_code(value)
        if not found:
            return False
        exact = index.exact.get(unit)
        if exact is None:
            exact = code_names(value) if j < 0 else member_names(value) or frozenset()
            index.exact[unit] = exact
        return exact.issuperset(names)


def affected_functions(
    namespace: dict[str, Any], module: str, seeds: set[str], analysis: Analysis | None = None
) -> set[str]:
    """What behaves differently in a module when the names in ``seeds`` do (``a.X``: an
    attribute ``X`` of ``a``), told from its live code objects (the names a code object and
    the code nested in it use: a superset of what its body reads), transitively:

    - a function of the module whose code uses such a name;
    - ``K.m`` for a method (or property...) ``m`` of a class ``K`` of the module whose code
      uses such a name or another such method of ``K`` (``self.n()``), or that ``K`` inherits
      unchanged from a base ``B`` with ``B.m`` among them; so ``K.__init_subclass__`` says
      that subclassing ``K`` behaves differently;
    - ``K`` itself when calling it does (its ``__new__``, ``__init__`` or ``__prepare__`` is
      among them, or its metaclass's ``__call__``, or a base is), not merely because some
      method changed: ``K()`` and ``class A(metaclass=K)`` then compute something else.

    Code that never ran is not followed (``Analysis.uses``): it computed nothing that is held
    (a value stored at import, a cached result). sympy's ``filldedent`` is reached from
    thousands of functions; those that ran are few.

    Each name found is followed once, to the code that uses it (``Analysis.users``): the cost
    is what it reaches, not the module's code times the rounds of a fixed point.
    """
    if analysis is None:
        analysis = Analysis(namespace, module)
    if not any(analysis.reaches(n) for n in seeds):
        return set(seeds)  # no code of the module uses any of them
    reach = _Reach(analysis, seeds)
    while reach.work:
        item = reach.work.pop()
        head, dot, attr = item.rpartition(".")
        if dot:
            reach.attribute(head, attr)
        else:
            reach.name(item)
    return reach.affected


class _Reach:
    """One :func:`affected_functions`: what was found, and what is still to follow."""

    def __init__(self, analysis: Analysis, seeds: set[str]) -> None:
        self.index = index = analysis.index()
        self.users, self.units, self.classes = index.users, index.units, index.classes
        self.uses = analysis.uses
        self.affected = set(seeds)
        self.work = list(self.affected)
        self.own: set[tuple[int, str]] = set()

    def add(self, name: str) -> None:
        if name not in self.affected:
            self.affected.add(name)
            self.work.append(name)

    def owns(self, j: int, attr: str) -> None:
        """``attr`` behaves differently in class ``j`` (its own member, or inherited)."""
        if (j, attr) in self.own:
            return
        self.own.add((j, attr))
        name = self.classes[j][0]
        self.add(f"{name}.{attr}")
        units = self.units
        for unit in self.users.get(attr, ()):  # ``self.n()`` in another member of the class
            if units[unit][2] == j and self.uses(unit, (attr,)):
                self.add(units[unit][0])
        if attr in _ENTRIES:
            self.add(name)

    def name(self, item: str) -> None:
        """A plain name behaves differently: the code that uses it, the classes it is a base
        or the metaclass of (its ``__call__`` may be what changed)."""
        for unit in self.users.get(item, ()):
            if self.uses(unit, (item,)):
                self.add(self.units[unit][0])
        for j in self.index.subclasses.get(item, ()):
            self.add(self.classes[j][0])  # a base behaves differently
        for j in self.index.by_meta.get(item, ()):
            self.add(self.classes[j][0])

    def attribute(self, head: str, attr: str) -> None:
        """``head.attr`` behaves differently: the code that reads it, and for a class ``head``
        of the module, the member in it and in its subclasses (and what its metaclass makes)."""
        parts = head.split(".")
        units = self.units
        for unit in self.users.get(attr, ()):
            if units[unit][1].issuperset(parts) and self.uses(unit, [*parts, attr]):
                self.add(units[unit][0])
        if len(parts) > 1:
            return
        index, classes = self.index, self.classes
        named = index.class_named.get(head)
        if named is not None and attr in classes[named][1]:
            self.owns(named, attr)
        for j in index.subclasses.get(head, ()):
            if attr not in classes[j][1]:
                self.owns(j, attr)  # inherited unchanged from the base
        if attr == "__call__":
            for j in index.by_meta.get(head, ()):
                self.add(classes[j][0])


class _Index(NamedTuple):
    """Who uses what in a module (see :meth:`Analysis.index`)."""

    # the functions and class members: (name it is affected as, names it uses, class or -1)
    units: list[tuple[str, frozenset[str], int]]
    users: dict[str, list[int]]  # name -> units whose code uses it
    classes: list[tuple[str, dict[str, frozenset[str]], list[str]]]  # name, members, bases
    class_named: dict[str, int]
    subclasses: dict[str, list[int]]  # base name -> classes with it in their MRO
    by_meta: dict[str, list[int]]  # metaclass name -> classes it makes
    ran: dict[int, bool]  # whether each unit asked about may have run
    exact: dict[int, frozenset[str]]  # units' names by the exact rule, once asked
