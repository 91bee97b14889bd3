"""Class statements: which body to run, and which members to patch.

A changed class is patched in place, never replaced, when the runtime allows: its body runs
without the decorators that only register it, or without its bases when a base's
``__init_subclass__`` would register it again; when only methods or plain values changed,
just those run, in a stand-in class, and are patched onto the kept class
(:mod:`hotswap._engine.members`). What the statement diff says about the class body
(unchanged values to keep, names gone) goes to the patcher as a
:class:`hotswap._engine.patched.ClassPlan`.
"""

from __future__ import annotations

import abc
import ast
import builtins
import copy
import inspect
import types
from typing import Any

from hotswap._engine.decorated import forget_overloads, kept_class
from hotswap._engine.functions import functions_in
from hotswap._engine.journal import MISSING
from hotswap._engine.members import member_edit, member_name, shadowed_defs
from hotswap._engine.pairing import Step
from hotswap._engine.plan import class_maps
from hotswap._engine.redecorate import Redecorate
from hotswap._engine.source import ParsedSource, make_statement
from hotswap._report import Change


class ClassBodies(Redecorate):
    """Class statements (see the module docstring)."""

    def _class_node(self, step: Step, new: ParsedSource) -> ast.stmt | None:
        """The class statement to run for a changed class whose header did not change.

        Decorators that only register the class are left out (they must not run twice);
        decorators that generate members from the body (dataclass, total_ordering, attrs...)
        are applied again. When a base defines ``__init_subclass__`` (a registry, typically) and
        nothing else needs the real bases, the body runs as a class without bases: the hook does
        not run again, and the members move onto the kept class as usual.
        """
        node, old = step.new.node, step.old
        if not isinstance(node, ast.ClassDef) or old is None or step.status != "changed":
            return None
        old_node = old.node
        if not isinstance(old_node, ast.ClassDef) or old.decorators_key != step.new.decorators_key:
            return None
        namespace = self.module.__dict__
        if self._header_reached(node, new):
            # A decorator, the metaclass or a base's ``__init_subclass__`` behaves anew (edited
            # in this save with the body): apply it, as a fresh run does.
            return None
        current = namespace.get(node.name)
        if node.decorator_list and kept_class(current, self.name, node.name) is None:
            return None  # what the decorators made hides the class: make it again
        kept = [d for d in node.decorator_list if _generates_members(d, namespace)]
        bare = copy.copy(node)
        bare.decorator_list = kept
        same_header = _header(old_node) == _header(node)
        if (
            same_header
            and not kept
            and isinstance(current, type)
            and type(current) is type
            and any("__init_subclass__" in vars(base) for base in current.__mro__[1:-1])
            and not _binds_otherwise(old_node, node)
        ):
            bare.bases = []
            bare.keywords = []
            self.classes.body_only.add(node.name)
            return bare
        return bare if len(kept) != len(node.decorator_list) else None

    def _forget_overloads(self, node: ast.ClassDef) -> None:
        """See :func:`hotswap._engine.decorated.forget_overloads`."""
        forget_overloads(node, self.name, self.journal)

    def _header_reached(self, node: ast.ClassDef, new: ParsedSource) -> bool:
        """Whether a class's decorators, bases or keywords read a name a re-run rebound or
        call a function whose behaviour changed (a decorator edited in the same save)."""
        header = copy.copy(node)
        header.body = []
        info = make_statement(header, 0)
        return self.flow.sees_change(info.reads, info.calls, new)

    def _made_by(self, obj: Any, step: Step) -> bool:
        """Whether ``obj`` was made by the old version of ``step``'s statement (so patching it
        keeps the identity of *this* definition's object)."""
        if step.old is None:
            return self.old is None  # no old source known: every binding is taken as ours
        first, last = step.old.first, step.old.last
        if isinstance(obj, type):
            start = obj.__dict__.get("__firstlineno__")
            if isinstance(start, int):
                return first <= start <= last
        found = False
        prefix = f"{obj.__qualname__}." if isinstance(obj, type) else ""
        for func in functions_in(obj, self.path):  # (the first one usually tells)
            if not func.__qualname__.startswith(prefix):
                continue  # set on the class by a later statement (``C.__eq__ = _eq``)
            if first <= func.__code__.co_firstlineno <= last:
                return True
            found = True
        return not found  # nothing to tell by (a class without methods): assume it is

    def _kept_for_members(self, step: Step) -> type | None:
        """The kept class of a changed class statement whose header, decorators and metaclass
        leave its members to be patched one by one (see :meth:`_patch_members`), or None."""
        stmt, old_stmt = step.new, step.old
        node = stmt.node
        if old_stmt is None or not isinstance(node, ast.ClassDef):
            return None
        old_node = old_stmt.node
        if not isinstance(old_node, ast.ClassDef) or old_stmt.decorators_key != (
            stmt.decorators_key
        ):
            return None
        namespace = self.module.__dict__
        # (Decorated by something that returned another object: the class inside it.)
        current = kept_class(namespace.get(node.name), self.name, node.name)
        if not isinstance(current, type) or type(current) not in (type, abc.ABCMeta):
            return None  # a metaclass may make members from the body (enums, ...)
        if _header(old_node) != _header(node) or not self._made_by(current, step):
            return None
        if any(_generates_members(d, namespace) for d in node.decorator_list):
            return None
        return current

    def _patch_members(self, step: Step, new: ParsedSource) -> bool:
        """Run only the changed, added or removed methods of a changed class and patch them
        onto the kept class, when that is what re-running the class would do (see
        :mod:`hotswap._engine.members`); False (nothing done) when the class must run whole."""
        stmt, old_stmt = step.new, step.old
        node = stmt.node
        current = self._kept_for_members(step)
        if current is None or old_stmt is None or not isinstance(node, ast.ClassDef):
            return False
        namespace = self.module.__dict__
        postponed = new.postponed
        edit = member_edit(old_stmt, stmt, postponed)
        if edit is None:
            return False
        members = [node.body[j] for j in edit.run]
        names = [member_name(m) for m in members]
        if not _CREATION_EFFECTS.isdisjoint(names) or not _CREATION_EFFECTS.isdisjoint(
            edit.removed
        ):
            return False  # class creation derives other members from them: run the class
        own = vars(current)
        if any(isinstance(own.get(n), types.MemberDescriptorType) for n in names):
            return False  # a ``__slots__`` name: class creation would refuse it
        recorded = own.get("__static_attributes__")
        if isinstance(recorded, tuple) and not edit.old_stores <= edit.stores:
            return False  # ``self.y = ...`` went from a method: others may still store it
        before = len(self.outcome.changes)
        fresh: type | None = None
        if members:
            stand_in = copy.copy(node)  # same name (mangling, __qualname__) and type params
            stand_in.bases, stand_in.keywords, stand_in.decorator_list = [], [], []
            stand_in.body = [stmt.member_positioned(j) for j in edit.run]
            module = ast.Module(body=[stand_in], type_ignores=[])
            code = compile(module, self.path, "exec", flags=new.future_flags, dont_inherit=True)
            made: dict[str, Any] = {}
            exec(code, namespace, made)
            fresh = made[node.name]
        self._take(self.patcher.patch_members(current, fresh, names, edit.removed, node.name))
        # What class creation records (3.13): where the class starts, what ``self.X`` stores.
        if isinstance(recorded, tuple) and not edit.stores <= set(recorded):
            stores = tuple(sorted(set(recorded) | edit.stores))
            self.journal.setattr(current, "__static_attributes__", stores)
        start = own.get("__firstlineno__")
        if isinstance(start, int) and start != stmt.first:
            self.journal.setattr(current, "__firstlineno__", stmt.first)
        if edit.moved:
            self._shift_members(current, edit.moved)
        if edit.relined:
            self._reline_members(current, old_stmt, stmt, edit.relined, new)
        if changes_behaviour_of_users(node.name, current, self.outcome.changes[before:]):
            self.flow.recoded.add(node.name)
        return True

    def _plan_class(self, step: Step, new: type) -> None:
        """What patching the class a changed class statement made needs to know from the
        statement diff (see :class:`hotswap._engine.classpatch.ClassPlan`)."""
        stmt = step.new
        assert isinstance(stmt.node, ast.ClassDef)
        old_node = step.old.node if step.old is not None else None
        parsed = self.outcome.parsed
        # Class-body lines that call a changed function (``A = f(3)``) take the new value.
        flow = self.flow
        dirty = flow.dirty | flow.affected(parsed) if parsed is not None else flow.dirty
        maps = class_maps(
            old_node if isinstance(old_node, ast.ClassDef) else None,
            stmt.node,
            new.__qualname__,
            dirty,
        )
        shadowed = shadowed_defs(step.old, stmt) if step.old is not None else None
        if shadowed is not None:
            # Defs sharing a name pair up in order; a registry whose registering members
            # changed is the fresh one (holding the patched old functions).
            self.classes.shadowed[new.__qualname__] = shadowed.pairs
            keep = maps.keep.get(new.__qualname__)
            if keep is not None and shadowed.rebuild:
                maps.keep[new.__qualname__] = keep - shadowed.rebuild
        self.classes.keep.update(maps.keep)
        self.classes.removed.update(maps.removed)
        for qualname, names in self._dropped_attributes.items():
            if qualname in maps.removed:
                self.classes.removed[qualname] = maps.removed[qualname] | names
        if step.old is not None and step.old.decorators_key != stmt.decorators_key:
            # A decorator went away or changed: what the old one added may go as well.
            for qualname in maps.removed:
                self.classes.removed.pop(qualname, None)


# Methods from which class creation derives other members (``__eq__`` without ``__hash__``
# makes ``__hash__`` None): a class that gains or loses one is made anew, whole.
_CREATION_EFFECTS = frozenset({"__eq__", "__hash__"})


def _binds_otherwise(old: ast.ClassDef, new: ast.ClassDef) -> bool:
    """Whether a class body's statements other than its functions and docstring changed: the
    values a base's ``__init_subclass__`` reads from the class may differ (sympy's
    assumptions: ``is_hermitian = None`` added)."""
    return _values_of(old) != _values_of(new)


def _values_of(node: ast.ClassDef) -> list[str]:
    return sorted(
        ast.dump(stmt)
        for index, stmt in enumerate(node.body)
        if not isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        and not (index == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant))
    )


def _header(node: ast.ClassDef) -> str:
    return ast.dump(ast.Tuple(elts=[*node.bases, *(k.value for k in node.keywords)]))


def changes_behaviour_of_users(name: str, value: Any, changes: list[Change]) -> bool:
    """Whether statements that apply ``value`` (call it, decorate with it, derive from it, use it
    as a metaclass) must re-run: its code changed where that application runs it."""
    if isinstance(value, types.FunctionType):
        return any(c.qualname == name and c.action == "patched" for c in changes)
    if isinstance(value, type):
        if issubclass(value, type):  # a metaclass: any change may change the classes it makes
            return any(c.action in ("patched", "added", "removed") for c in changes)
        # ``__init_subclass__`` runs for every subclass; a dataclass's fields are inherited.
        hooks = {f"{name}.__init_subclass__"}
        if "__dataclass_fields__" in vars(value):
            hooks.add(f"{name}.__init__")
        if any(c.qualname in hooks for c in changes):
            return True
        # A hook that reads what its subclasses inherit (sympy's ``Basic.__init_subclass__``
        # copies the assumptions ``is_hermitian = None`` states into each subclass): a value
        # added, removed or changed gives a subclass made now something else. (Not a method
        # added: every subclass everywhere would be made again for it.)
        prefix = name + "."
        return _has_subclass_hook(value) and any(
            c.action in ("added", "removed", "rebound")
            and c.qualname.startswith(prefix)
            and _is_value(vars(value).get(c.qualname[len(prefix) :], MISSING))
            for c in changes
        )
    return False


def _is_value(member: Any) -> bool:
    """Whether a class member is a value (``is_hermitian = None``), not code; MISSING too."""
    return not (
        inspect.isroutine(member) or isinstance(member, property | staticmethod | classmethod)
    )


def _has_subclass_hook(cls: type) -> bool:
    """Whether making a subclass of ``cls`` runs an ``__init_subclass__`` written in Python."""
    return any(
        isinstance(vars(k).get("__init_subclass__"), types.FunctionType | classmethod)
        for k in cls.__mro__[:-1]
    )


# Packages whose class decorators build members from the class body: re-applied to a re-run
# class even when the decorator line did not change.
_GENERATORS = frozenset(
    {
        "dataclasses",
        "functools",
        "typing",
        "typing_extensions",
        "enum",
        "abc",
        "attr",
        "attrs",
        "pydantic",
        "msgspec",
    }
)


def _generates_members(decorator: ast.expr, namespace: dict[str, Any]) -> bool:
    root: ast.expr = decorator
    while isinstance(root, ast.Call | ast.Attribute):
        root = root.func if isinstance(root, ast.Call) else root.value
    if not isinstance(root, ast.Name):
        return False
    value = namespace.get(root.id, getattr(builtins, root.id, None))
    if isinstance(value, types.ModuleType):
        owner = value.__name__
    else:
        owner = getattr(value, "__module__", None) or ""
    return owner.partition(".")[0] in _GENERATORS
