"""In-place updates: make an old object behave like its freshly executed counterpart.

``Patcher.value(old, new)`` returns the object the name should be bound to afterwards: ``old``
itself when it could be updated in place (a function gets the new ``__code__``, defaults and
annotations; a class gets the new members), or ``new`` when the runtime forbids an exact update
(a function whose free variables changed, a class whose instance layout changed). The engine
then rebinds every reference it knows of from ``old`` to ``new`` and reports a ``replaced``.

Every mutation of an object that existed before the reload goes through the journal. Objects
created by the reload itself (``new`` and what hangs off it) are discarded on rollback, so their
``__class__`` cells may be redirected to the kept class without a record.

Invariants:
- a method's ``__class__`` cell always points at the kept class, so zero-argument ``super()``
  works in edited and in newly added methods, on instances created before the edit;
- a class keeps the values of class-body statements that did not change (``keep``), so state
  stored on the class (registries, counters) survives an edit of one of its methods;
- patching recurses through the shapes decorators produce (``__wrapped__`` chains, closure cells,
  ``staticmethod``/``classmethod``/``property``) so the innermost edited function is updated and
  the decorator's wrapper (and its registrations) stays.
"""

from __future__ import annotations

import abc
import contextlib
import functools
import gc
import inspect
import sys
import types
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from hotswap._engine.batch import redirect_after_commit, retarget_after_commit, stuck_message
from hotswap._engine.graves import Graves
from hotswap._engine.journal import MISSING, Journal
from hotswap._engine.kinds import (
    dataclass_fields,
    drop_cached_values,
    fill_new_fields,
    instances,
    is_enum_pair,
    patch_enum,
    tuple_fields,
)
from hotswap._engine.relines import orphan
from hotswap._report import Change, Problem

# Class members that belong to the class object itself, not to the source.
_CLASS_INTERNALS = frozenset(
    {"__dict__", "__weakref__", "_abc_impl", "__abstractmethods__", "__slotnames__"}
)
# Made by class creation from a class's bases, not its body: ``class C(Generic[T])`` records
# ``__orig_bases__``, and ``Generic.__init_subclass__`` sets ``__parameters__``.
_FROM_BASES = frozenset({"__orig_bases__", "__parameters__"})
_FUNCTION_ATTRS = (
    "__defaults__",
    "__kwdefaults__",
    "__doc__",
    "__annotations__",
    "__name__",
    "__qualname__",
)
if sys.version_info >= (3, 12):
    _FUNCTION_ATTRS += ("__type_params__",)


class Patcher:
    def __init__(
        self,
        journal: Journal,
        module: str,
        path: str,
        changes: list[Change],
        warnings: list[Problem],
    ) -> None:
        self.journal = journal
        # Functions and classes given their new lines in this reload (ids; see shift_objects).
        self.placed: set[int] = set()
        self.module = module
        self.path = path
        self.changes = changes
        self.warnings = warnings
        self.replaced: list[tuple[Any, Any]] = []  # (old, new): identity could not be kept
        self._memo: dict[tuple[int, int], Any] = {}
        self.nested: dict[int, tuple[types.CodeType, types.CodeType]] = {}
        self.stale_cached: set[str] = set()
        self.keep_cell_state = False
        # Attributes of kept classes that now hold another object (``Level.HIGH`` re-created):
        # (dotted name, old, new), read by the dataflow as ``Level.HIGH``.
        self.member_rebinds: list[tuple[str, Any, Any]] = []
        # Other class attributes that now hold another value (``C.A = K`` re-run), run other
        # code or went away: read by the dataflow and by cache clearing as ``C.A``.
        self.changed_attributes: list[str] = []
        # Classes whose fresh body was run without bases (see Transaction._class_node): keep
        # the bases, metaclass and layout of the kept class.
        self.body_only: set[str] = set()  # cached_property names whose getter changed
        # Class-body names to keep, by qualname; filled by the engine from the plan.
        self.class_keep: dict[str, frozenset[str]] = {}
        self.class_removed: dict[str, frozenset[str]] = {}
        # Definitions earlier saves removed, restored in place when added back (see _graves).
        self.graves = Graves()
        # Class-body defs sharing a name, paired in order: (old line, new line) by name.
        self.class_shadowed: dict[str, dict[str, list[tuple[int, int]]]] = {}

    def restore(self, qualname: str, new: Any) -> Any:
        """What an added ``qualname`` binds: the object an earlier save removed under that
        name, patched from ``new`` (identity kept for those who held it), or ``new``."""
        kept = self.graves.take(qualname)
        if kept is None:
            return new
        before = len(self.changes)
        result = self.value(kept, new, qualname)
        if result is kept:
            self.graves.raised.add(qualname)
            # Reported as added (by the caller), not as patched.
            self.changes[before:] = [c for c in self.changes[before:] if c.qualname != qualname]
        return result

    # -- dispatch ----------------------------------------------------------------------------

    def value(self, old: Any, new: Any, qualname: str) -> Any:
        """Update ``old`` from ``new`` where possible; return what the name should hold."""
        if old is new:
            return old
        key = (id(old), id(new))
        if key in self._memo:
            return self._memo[key]
        result: Any
        if type(old) is not type(new) and self._memo.get((id(type(old)), id(type(new)))) is type(
            old
        ):
            # An instance the fresh class statement made stands for one the kept class has (a
            # singleton's ``_instance``, made by its metaclass): the kept one stays, so those
            # who hold it still hold the class's instance (sympy's ``S.Catalan``).
            result = old
        elif not _same_definition(old, new):
            result = new  # ``Number = int`` -> ``Number = float``: a rebinding, not an edit
        elif isinstance(old, types.FunctionType) and isinstance(new, types.FunctionType):
            result = self._function(old, new, qualname)
        elif isinstance(old, type) and isinstance(new, type):
            result = self._class(old, new, qualname)
        elif type(old) is type(new) and isinstance(old, staticmethod | classmethod):
            inner = self.value(old.__func__, new.__func__, qualname)
            result = old if inner is old.__func__ else type(new)(inner)
        elif type(old) is type(new) is property:
            result = self._property(old, new, qualname)
        elif type(old) is type(new) and isinstance(old, functools.singledispatchmethod):
            result = self._dispatch_method(old, new, qualname)
        elif type(old) is type(new) and isinstance(old, functools.cached_property):
            result = self._cached_property(old, new, qualname)
        elif type(old) is type(new) and isinstance(old, functools.partial):
            result = self._partial(old, new, qualname)
        elif (
            type(old) is type(new)
            and hasattr(old, "__wrapped__")
            and not isinstance(old, type | types.ModuleType)
        ):
            result = self._wrapper(old, new, qualname)
        else:
            result = new
        self._memo[key] = result
        return result

    # -- functions ---------------------------------------------------------------------------

    def _function(self, old: types.FunctionType, new: types.FunctionType, qualname: str) -> Any:
        self._memo[(id(old), id(new))] = old  # recursion through closures may come back here
        kind = inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR
        if old.__code__.co_freevars != new.__code__.co_freevars or (
            old.__code__.co_flags & kind != new.__code__.co_flags & kind
        ):
            # 3.13 deprecates giving a plain function a generator's code (and back): a function
            # that becomes a generator or coroutine is replaced like one whose cells changed.
            # A function's closure is fixed at creation: ``__code__`` with other free
            # variables cannot be assigned. The new object takes the name; references are
            # rebound by the engine.
            self._memo[(id(old), id(new))] = new
            self.replaced.append((old, new))
            self._change(qualname, "replaced", new)
            return new
        for name, old_cell, new_cell in zip(
            old.__code__.co_freevars, old.__closure__ or (), new.__closure__ or (), strict=False
        ):
            if name == "__class__":
                continue  # keep pointing at the kept class
            try:
                incoming = new_cell.cell_contents
            except ValueError:
                continue
            try:
                current = old_cell.cell_contents
            except ValueError:
                self.journal.set_cell(old_cell, incoming)
                continue
            if self.keep_cell_state and not _is_code_like(current):
                continue
            result = self.value(current, incoming, qualname)
            if result is not current:
                self.journal.set_cell(old_cell, result)
        previous = old.__code__
        differs = previous != new.__code__
        updates: list[tuple[str, Any]] = []
        if differs or previous.co_firstlineno != new.__code__.co_firstlineno:
            updates.append(("__code__", new.__code__))
        self.placed.add(id(old))  # it has the new code's lines: no statement below moves it
        # Code that only moved (a line added above it) runs as before: not "patched".
        recoded = differs and not _moved_only(previous, new.__code__)
        changed = recoded or defaults_differ(old, new)  # ``f(x, d=0)`` -> ``d=1`` changes f(0)
        for attr in _FUNCTION_ATTRS:
            incoming = getattr(new, attr)
            if getattr(old, attr) is not incoming:
                updates.append((attr, incoming))
        self.journal.setattrs(old, updates)  # at once, as other threads see it
        for name, incoming in new.__dict__.items():
            current = old.__dict__.get(name, MISSING)
            result = incoming if current is MISSING else self.value(current, incoming, qualname)
            if result is not current:
                self.journal.setitem(old.__dict__, name, result)
        if differs:
            self._map_nested(previous, new.__code__)
        if changed:
            self._change(qualname, "patched", old)
        return old

    def _map_nested(self, old: types.CodeType, new: types.CodeType) -> None:
        """Remember nested code objects (inner functions, lambdas) that the edit changed."""
        before = {c.co_qualname: c for c in old.co_consts if isinstance(c, types.CodeType)}
        for code in new.co_consts:
            if not isinstance(code, types.CodeType):
                continue
            previous = before.get(code.co_qualname)
            if previous is not None and (
                previous != code or previous.co_firstlineno != code.co_firstlineno
            ):
                self.nested[id(previous)] = (previous, code)
                self._map_nested(previous, code)

    def retarget_closures(self) -> None:
        """Give closures made by old code before the edit (``inc = make_adder(1)``) the new
        inner code, as a fresh run would have made them: one scan of the heap, for the whole
        checkpoint (see ``_redirect.retarget_after_commit``)."""
        if not self.nested or not _may_be_in_use(self.nested):
            return
        followed = frozenset(id(old) for old, _new in self.replaced)
        stuck = retarget_after_commit(self.nested, followed, self.journal, self.module, self.path)
        for code, number in (stuck or {}).items():
            message = stuck_message(code, number)
            self.warnings.append(Problem(self.module, self.path, code.co_firstlineno, message))

    def _property(self, old: property, new: property, qualname: str) -> Any:
        parts = []
        same = old.__doc__ == new.__doc__
        for before, after in ((old.fget, new.fget), (old.fset, new.fset), (old.fdel, new.fdel)):
            if before is None or after is None:
                parts.append(after)
                same = same and before is after
            else:
                kept = self.value(before, after, qualname)
                parts.append(kept)
                same = same and kept is before
        if same:
            return old
        parts_any: list[Any] = parts
        return property(parts_any[0], parts_any[1], parts_any[2], new.__doc__)

    def _dispatch_method(
        self,
        old: functools.singledispatchmethod[Any],
        new: functools.singledispatchmethod[Any],
        qualname: str,
    ) -> Any:
        """A ``singledispatchmethod`` re-made with its registered members: the kept one
        dispatches through the fresh registry (whose functions the engine pairs with the old
        ones, patched) and keeps its identity."""
        inner = self.value(old.func, new.func, qualname)
        if inner is not old.func:
            self.journal.setattr(old, "func", inner)
        if old.dispatcher is not new.dispatcher:
            self.journal.setattr(old, "dispatcher", new.dispatcher)
        cache = getattr(old, "_method_cache", None)  # 3.12.x: bound dispatchers by instance
        if cache is not None:
            self.journal.setattr(old, "_method_cache", type(cache)())
        return old

    def _cached_property(
        self, old: functools.cached_property[Any], new: functools.cached_property[Any], q: str
    ) -> Any:
        before = len(self.changes)
        inner = self.value(old.func, new.func, q)
        if inner is not old.func:
            self.journal.setattr(old, "func", inner)
        if self._code_changed_since(before):
            self.stale_cached.add(old.attrname or "")
        return old

    def _partial(self, old: functools.partial[Any], new: functools.partial[Any], q: str) -> Any:
        func = self.value(old.func, new.func, q)
        state = (func, new.args, new.keywords or None, new.__dict__ or None)
        before = old.__reduce__()[2]
        setstate: Callable[[Any], None] = old.__setstate__  # type: ignore[attr-defined]
        setstate(state)
        self.journal.on_rollback(lambda: setstate(before))
        return old

    def _wrapper(self, old: Any, new: Any, qualname: str) -> Any:
        """A callable object wrapping a function (``lru_cache``, class-based decorators)."""
        inner = self.value(old.__wrapped__, new.__wrapped__, qualname)
        if inner is not old.__wrapped__:
            self.replaced.append((old, new))
            self._change(qualname, "replaced", new)
            return new
        clear = getattr(old, "cache_clear", None)
        if callable(clear):
            clear()  # results computed by the old code must not be served again
        return old

    # -- classes -----------------------------------------------------------------------------

    def _forget_cached(self, current: Any, result: Any) -> None:
        """A ``cached_property`` that became something else or went away: what it cached in
        instances' ``__dict__`` would shadow the new member (or keep a removed name alive)."""
        if (
            isinstance(current, functools.cached_property)
            and current.attrname
            and not isinstance(result, functools.cached_property)
        ):
            self.stale_cached.add(current.attrname)

    def _class(self, old: type, new: type, qualname: str) -> Any:
        if qualname in self.body_only:
            problem = None if _own_slots(old) == _own_slots(new) else "__slots__ changed"
        else:
            problem = self._swap_type_links(old, new)
        if problem is not None:
            count = len(instances(old))
            self._warn(new, f"{qualname}: {problem} ({count} live instance(s))")
            self.replaced.append((old, new))
            self._change(qualname, "replaced", new)
            return new
        self._memo[(id(old), id(new))] = old
        redirect_class_cells(new, old)
        keep = self.class_keep.get(qualname, frozenset())
        touched = False
        handled: set[str] = set()
        if is_enum_pair(old, new):
            handled, recreated = patch_enum(old, new, self.journal)
            touched = True
            for member, before, fresh in recreated:
                self.member_rebinds.append((f"{qualname}.{member}", before, fresh))
                self._warn(
                    new,
                    f"{qualname}.{member}: the value of a member of an {_member_type(old)}"
                    "-based enum changed; the member is a new object (the old one keeps its value)",
                )
        fields_before = dataclass_fields(old)
        tuple_before = tuple_fields(old)
        self._pair_shadowed(old, new, qualname)
        for name, incoming in list(new.__dict__.items()):
            if name in _CLASS_INTERNALS or name in handled:
                continue
            if isinstance(incoming, types.MemberDescriptorType):
                continue
            current = old.__dict__.get(name, MISSING)
            if current is not MISSING and name in keep and not _is_code_like(current):
                continue  # unchanged class-body statement: keep the live value (state)
            touched = self._member(old, name, incoming, qualname) or touched
        removable = self.class_removed.get(qualname)
        for name in list(old.__dict__):
            if name in new.__dict__ or name in _CLASS_INTERNALS or name in handled:
                continue
            dunder = name.startswith("__") and name.endswith("__")
            if removable is not None and name not in removable and not dunder:
                # Set from outside the class body: not ours to remove. (Dunders missing from the
                # fresh class were made by class creation or a decorator: ``__hash__ = None``.)
                continue
            if name in _FROM_BASES and qualname in self.body_only:
                # The body ran without the bases: what class creation made from them is still
                # right (the stand-in class lacks it).
                continue
            if isinstance(old.__dict__[name], types.MemberDescriptorType):
                continue
            self._forget_cached(old.__dict__[name], MISSING)
            self.changed_attributes.append(f"{qualname}.{name}")
            self.graves.bury(self.module, f"{qualname}.{name}", old.__dict__[name])
            self._orphan(old.__dict__[name])
            self.journal.delattr(old, name)
            self._change(f"{qualname}.{name}", "removed", None)
            touched = True
        if self.stale_cached:
            self._drop_cached_values(old)
        if fields_before is not None and fill_new_fields(old, fields_before, self.journal):
            self._warn(
                new,
                f"{qualname}: instances made before the edit lack the new fields "
                "that have no default",
            )
        if tuple_before is not None and tuple_before != tuple_fields(old):
            count = len(instances(old))
            if count:
                self._warn(
                    new,
                    f"{qualname}: fields changed; {count} instance(s) made before the "
                    f"edit keep their old fields {tuple_before}",
                )
        if isinstance(old, abc.ABCMeta):
            self._refresh_abc(old)
        if touched:
            self._change(qualname, "patched", old)
            invalidate_abc_negative_caches()
        return old

    def _pair_shadowed(self, old: type, new: type, qualname: str) -> None:
        """Patch each old function of a name several class-body ``def``s bind with the new
        function of the def it pairs with (the n-th with the n-th; found by first line), and
        let what holds the new one (a fresh registry, a property) hold the patched old one.
        The class dict keeps the one the last new ``def`` pairs with (or the new one)."""
        shadowed = self.class_shadowed.pop(qualname, None)
        if not shadowed:
            return
        olds = self._functions_by_line(old, shadowed)
        news = self._functions_by_line(new, shadowed)
        new_dict = [
            d for d in gc.get_referents(new) if type(d) is dict and d.keys() == new.__dict__.keys()
        ]
        pairs: list[tuple[Any, Any]] = []
        for name, lines in shadowed.items():
            for old_line, new_line in lines:
                before = olds.get((name, old_line))
                after = news.get((name, new_line))
                if before is None or after is None:
                    continue
                if self.value(before, after, f"{qualname}.{name}") is before:
                    pairs.append((after, before))
            last = new.__dict__.get(name)
            current = old.__dict__.get(name)
            if isinstance(last, types.FunctionType) and current is not None:
                paired = next((b for a, b in pairs if a is last), last)
                self._memo[(id(current), id(last))] = paired
        # Not redirected: the new class dict (the member loop updates the kept class from
        # it) and this method's own bookkeeping.
        own = [*new_dict, pairs, olds, news, self._memo, *pairs]
        skip = {id(obj) for obj in own}
        redirect_after_commit(  # (at the end of the checkpoint: one scan for all)
            [(after, before, lambda ref: id(ref) in skip) for after, before in pairs],
            self.journal,
            self.module,
            self.path,
            own,
        )

    def _functions_by_line(
        self, cls: type, shadowed: dict[str, list[tuple[int, int]]]
    ) -> dict[tuple[str, int], types.FunctionType]:
        prefix = cls.__qualname__ + "."
        out = {}
        for func in functions_in(cls, self.path):
            code = func.__code__
            if code.co_name in shadowed and code.co_qualname == prefix + code.co_name:
                out[(code.co_name, code.co_firstlineno)] = func
        return out

    def _member(self, old: type, name: str, incoming: Any, qualname: str) -> bool:
        """Make member ``name`` of the kept class ``old`` the fresh ``incoming`` (patched in
        place where it can be); whether anything changed."""
        current = old.__dict__.get(name, MISSING)
        member = f"{qualname}.{name}"
        if current is MISSING:
            incoming = self.restore(member, incoming)
            self.journal.setattr(old, name, incoming)
            _set_name(incoming, old, name)
            if not name.startswith("__") or any(functions_in(incoming, self.path)):
                self._change(member, "added", incoming)  # ``__repr__`` too; not ``__hash__``
            return True
        before = len(self.changes)
        result = self.value(current, incoming, member)
        if self._code_changed_since(before):
            self.changed_attributes.append(member)  # ``self.m()`` now runs other code
        if result is current:
            return False
        if member not in self.changed_attributes:
            self.changed_attributes.append(member)  # ``foo = C.foo`` took the one it replaces
        self._forget_cached(current, result)
        self.journal.setattr(old, name, result)
        _set_name(result, old, name)
        if not _is_code_like(incoming) and not name.startswith("__"):
            self._change(member, "rebound", result)
            self.changed_attributes.append(member)
        return True

    def patch_members(
        self, old: type, fresh: type | None, names: list[str], removed: list[str], qualname: str
    ) -> None:
        """What :meth:`_class` does for the members ``names`` only: ``fresh`` is a stand-in
        class in which only the edited ``def`` statements ran; ``removed`` went from the body."""
        touched = False
        if fresh is not None:
            redirect_class_cells(fresh, old)
            for name in names:
                incoming = fresh.__dict__.get(name, MISSING)
                if incoming is not MISSING:
                    touched = self._member(old, name, incoming, qualname) or touched
        for name in removed:
            value = old.__dict__.get(name, MISSING)
            if name in names or value is MISSING:
                continue
            self._forget_cached(value, MISSING)
            self.changed_attributes.append(f"{qualname}.{name}")
            self.graves.bury(self.module, f"{qualname}.{name}", value)
            self._orphan(value)
            self.journal.delattr(old, name)
            self._change(f"{qualname}.{name}", "removed", None)
            touched = True
        if self.stale_cached:
            self._drop_cached_values(old)
        if names or removed:  # (a hook patched in place leaves ``touched`` False)
            if isinstance(old, abc.ABCMeta):
                self._refresh_abc(old)  # ``__subclasshook__`` or abstract methods changed
            if touched:
                invalidate_abc_negative_caches()

    def _swap_type_links(self, old: type, new: type) -> str | None:
        """Give ``old`` the bases and metaclass of ``new``; say why not if the runtime refuses."""
        if _layout(old) != _layout(new):
            return (
                "instance layout (__slots__ or base layout) changed; new instances use the new "
                "class, instances created before keep the old one"
            )
        bases = old.__bases__
        if bases != new.__bases__:
            try:
                self.journal.setattr(old, "__bases__", new.__bases__)
            except TypeError as exc:
                return f"bases changed and cannot be swapped in place ({exc})"
        if type(old) is not type(new):
            try:
                self.journal.setattr(old, "__class__", type(new))
            except TypeError as exc:
                if old.__bases__ is not bases:
                    old.__bases__ = bases
                return f"metaclass changed and cannot be swapped in place ({exc})"
        return None

    def _orphan(self, value: Any) -> None:
        """A member left the source: what still holds its functions sees no other's lines."""
        orphan(functions_in(value, self.path, nested_only=True), self.path, self.journal)

    def _drop_cached_values(self, cls: type) -> None:
        names, self.stale_cached = self.stale_cached, set()
        drop_cached_values(cls, names, self.journal)

    def _code_changed_since(self, before: int) -> bool:
        """Whether a change recorded after the first ``before`` gave something other code."""
        return any(c.action in ("patched", "replaced") for c in self.changes[before:])

    def _warn(self, obj: Any, message: str) -> None:
        self.warnings.append(Problem(self.module, self.path, _first_line(obj), message))

    def _refresh_abc(self, cls: type) -> None:
        """Recompute abstract methods of ``cls`` and its subclasses (base first) and reset
        their isinstance caches."""
        for klass in [cls, *_all_subclasses(cls)]:
            before: frozenset[str] = getattr(klass, "__abstractmethods__", frozenset())
            with contextlib.suppress(AttributeError, TypeError):
                abc.update_abstractmethods(klass)
            after: frozenset[str] = getattr(klass, "__abstractmethods__", frozenset())
            if before != after:
                self.journal.on_rollback(
                    functools.partial(type.__setattr__, klass, "__abstractmethods__", before)
                )
            clear = getattr(klass, "_abc_caches_clear", None)
            if callable(clear):
                clear()

    # -- reporting ---------------------------------------------------------------------------

    def _change(self, qualname: str, action: Any, obj: Any) -> None:
        line = _first_line(obj)
        where = f"{self.path}:{line}" if line else self.path
        self.changes.append(Change(self.module, qualname, action, where))


# -- helpers used by the engine ------------------------------------------------------------


def functions_in(
    obj: Any, path: str | None = None, depth: int = 0, nested_only: bool = False
) -> Iterator[types.FunctionType]:
    """Functions reachable from ``obj`` the way decorators nest them (optionally from ``path``).

    ``nested_only``: a class reached through a function (a decorator's closure holding the
    class its method belongs to) is entered only when it is defined inside ``obj`` (its
    qualified name says so): the functions *defined in* ``obj``'s lines, for shifting them,
    without walking the whole class from each of its methods.
    """
    root = getattr(obj, "__qualname__", None) if nested_only else None
    seen: set[int] = set()
    stack: list[tuple[Any, int]] = [(obj, depth)]
    while stack:
        current, level = stack.pop()
        if id(current) in seen or level > 8:
            continue
        seen.add(id(current))
        if isinstance(current, types.FunctionType):
            if path is None or current.__code__.co_filename == path:
                yield current
            for cell in current.__closure__ or ():
                with contextlib.suppress(ValueError):  # an empty cell
                    stack.append((cell.cell_contents, level + 1))
            registry = current.__dict__.get("registry")
            if type(registry) is types.MappingProxyType:  # a ``singledispatch`` function
                stack.extend((f, level + 1) for f in list(registry.values()))
            wrapped = current.__dict__.get("__wrapped__")
            if wrapped is not None:
                stack.append((wrapped, level + 1))
        elif isinstance(current, functools.singledispatchmethod):
            stack.append((current.dispatcher, level + 1))
            stack.append((current.func, level + 1))
        elif isinstance(current, staticmethod | classmethod):
            stack.append((current.__func__, level + 1))
        elif isinstance(current, property):
            stack.extend((f, level + 1) for f in (current.fget, current.fset, current.fdel) if f)
        elif isinstance(current, type):
            # A class's own members; classes it refers to only when they come from ``path``.
            if level == depth or path is None or _defined_in(current, path):
                if nested_only and level != depth and not _nested_in(current, root):
                    continue
                stack.extend((v, level + 1) for v in list(vars(current).values()))
        elif isinstance(current, functools.partial | functools.cached_property):
            stack.append((current.func, level + 1))
        else:
            wrapped = getattr(current, "__wrapped__", None) if _is_code_like(current) else None
            if wrapped is not None:
                stack.append((wrapped, level + 1))


def _nested_in(cls: type, root: str | None) -> bool:
    """Whether ``cls`` was defined inside the object named ``root`` (or inside a function)."""
    qualname = cls.__qualname__
    return "<locals>" in qualname or (root is not None and qualname.startswith(root + "."))


def redirect_class_cells(new: type, old: type) -> None:
    """Point every ``__class__`` cell of functions created with ``new`` at ``old``."""
    for func in functions_in(new):
        code = func.__code__
        if "__class__" not in code.co_freevars or not func.__closure__:
            continue
        cell = func.__closure__[code.co_freevars.index("__class__")]
        try:
            if cell.cell_contents is new:
                cell.cell_contents = old
        except ValueError:
            pass


def shift_code(code: types.CodeType, delta: int) -> types.CodeType:
    """The same code ``delta`` lines further down (nested code objects too).

    Code objects store line numbers relative to ``co_firstlineno`` (the 3.11+ location
    table is delta-encoded from it), so moving the first line moves every line.
    """
    consts = tuple(
        shift_code(c, delta) if isinstance(c, types.CodeType) else c for c in code.co_consts
    )
    return code.replace(co_firstlineno=code.co_firstlineno + delta, co_consts=consts)


def shift_objects(
    items: Iterable[tuple[Any, int, int, int]],
    path: str,
    journal: Journal,
    nested: dict[int, tuple[types.CodeType, types.CodeType]],
    done: set[int],
) -> None:
    """For each ``(obj, first, last, delta)``: shift line numbers of the functions from ``path``
    in ``obj`` that were defined in lines ``first..last`` by ``delta``.

    Inner functions already made from the old code (``handler = make_handler()``) are listed in
    ``nested`` (old code -> shifted code) for :meth:`Patcher.retarget_closures`. ``done`` holds
    the ids of functions and classes this reload already gave their new lines (patched,
    shifted or relined): a statement below that binds the same object again (``from .m import
    C`` in a ``__main__`` block) must not move them a second time, now that their new lines may
    lie within its old ones.
    """
    funcs, codes = journal.moved_codes()
    add_func, add_code = funcs.append, codes.append
    function_type, code_type = types.FunctionType, types.CodeType
    for obj, first, last, delta in items:
        if type(obj) is function_type and obj.__closure__ is None and not obj.__dict__:
            # The common case (a plain function moved by an edit above it), without the walk:
            # nothing nested to pair, nothing wrapped, no class. Thousands move in a large module.
            code = obj.__code__
            line = code.co_firstlineno
            if code.co_filename != path or not first <= line <= last or id(obj) in done:
                continue
            if code_type not in map(type, code.co_consts):
                add_func(obj)  # the undo record first, then the change
                add_code(code)
                obj.__code__ = code.replace(co_firstlineno=line + delta)
                done.add(id(obj))
                continue
        for func in functions_in(obj, path, nested_only=True):
            line = func.__code__.co_firstlineno
            if first <= line <= last and id(func) not in done:
                shifted = shift_code(func.__code__, delta)
                _pair_nested(func.__code__, shifted, nested)
                journal.setattr(func, "__code__", shifted)
                done.add(id(func))
        for cls in _classes_in(obj, path):
            start = cls.__dict__.get("__firstlineno__")
            if isinstance(start, int) and first <= start <= last and id(cls) not in done:
                journal.setattr(cls, "__firstlineno__", start + delta)
                done.add(id(cls))


def _may_be_in_use(nested: dict[int, tuple[types.CodeType, types.CodeType]]) -> bool:
    """Whether any function made before the edit may still run one of the old inner codes.

    Every function object holds a reference to its code. An old inner code held only by the
    constants of its old outer code and by ``nested`` has the reference count of a code that
    no function uses (measured once, the same way, by :func:`_unused_count`): then no closure
    made from it is alive and the heap need not be searched for one. Anything else holding it
    (a function, a running frame, a tracer) makes the count higher, and the search runs.
    """
    if getattr(sys, "_is_gil_enabled", lambda: True)() is False:
        return True  # free-threaded builds defer reference counts of code objects
    unused = _unused_count()
    return any(count > unused for count in _reference_counts(nested))


def _reference_counts(nested: dict[int, tuple[types.CodeType, types.CodeType]]) -> list[int]:
    return [sys.getrefcount(old) for old, _new in nested.values()]


_UNUSED: list[int] = []


def _unused_count() -> int:
    """The reference count :func:`_reference_counts` gives for an inner code that only its
    outer code's constants and the ``nested`` map hold (what ``_pair_nested`` leaves)."""
    if not _UNUSED:
        module = compile("def outer():\n    def inner():\n        pass\n", "<hotswap>", "exec")
        outer = next(c for c in module.co_consts if isinstance(c, types.CodeType))
        nested: dict[int, tuple[types.CodeType, types.CodeType]] = {}
        _pair_nested(outer, shift_code(outer, 1), nested)
        _UNUSED.append(_reference_counts(nested)[0])
    return _UNUSED[0]


def _moved_only(old: types.CodeType, new: types.CodeType) -> bool:
    """Whether ``new`` is ``old`` moved by whole lines (code objects compare their lines)."""
    delta = new.co_firstlineno - old.co_firstlineno
    return bool(delta) and shift_code(old, delta) == new


def _pair_nested(
    old: types.CodeType,
    new: types.CodeType,
    nested: dict[int, tuple[types.CodeType, types.CodeType]],
) -> None:
    for before, after in zip(old.co_consts, new.co_consts, strict=False):
        if isinstance(before, types.CodeType) and isinstance(after, types.CodeType):
            # Comprehension and generator-expression bodies never outlive their frame.
            if not before.co_name.startswith("<") or before.co_name == "<lambda>":
                nested[id(before)] = (before, after)
            _pair_nested(before, after, nested)


def _classes_in(obj: Any, path: str) -> Iterator[type]:
    if isinstance(obj, type) and _defined_in(obj, path):
        yield obj
        for value in list(vars(obj).values()):
            if isinstance(value, type) and value.__qualname__.startswith(obj.__qualname__ + "."):
                yield from _classes_in(value, path)


def _defined_in(cls: type, path: str) -> bool:
    module = sys.modules.get(cls.__module__)
    return getattr(module, "__file__", None) == path


def _is_code_like(obj: Any) -> bool:
    return callable(obj) or isinstance(
        obj, staticmethod | classmethod | property | functools.cached_property
    )


def _own_slots(cls: type) -> Any:
    return cls.__dict__.get("__slots__", None)


def _layout(cls: type) -> tuple[Any, ...]:
    slots = cls.__dict__.get("__slots__", None)
    if isinstance(slots, str):
        slots = (slots,)
    return (
        tuple(slots) if slots is not None else None,
        cls.__basicsize__,
        cls.__itemsize__,
        cls.__dictoffset__,
        cls.__weakrefoffset__,
    )


def _all_subclasses(cls: type) -> list[type]:
    out: list[type] = []
    stack: list[type] = list(type.__subclasses__(cls))
    while stack:
        sub = stack.pop()
        out.append(sub)
        stack.extend(type.__subclasses__(sub))
    return out


_HEAPTYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: a class made by a class statement


def defaults_differ(old: types.FunctionType, new: types.FunctionType) -> bool:
    """Whether calls that leave out arguments get other values from ``new`` than from ``old``."""
    for attr in ("__defaults__", "__kwdefaults__"):
        before, after = getattr(old, attr), getattr(new, attr)
        if before is after:
            continue
        try:
            if bool(before != after):
                return True
        except Exception:  # an array default compares elementwise: take it as changed
            return True
    return False


def _same_definition(old: Any, new: Any) -> bool:
    """Whether ``new`` is the fresh run of the definition that made ``old`` (same module and
    qualified name; for classes, both made by class statements). Anything else is rebound."""
    if isinstance(old, types.FunctionType | type) or isinstance(new, types.FunctionType | type):
        if type(old) is not type(new) and not (isinstance(old, type) and isinstance(new, type)):
            return False
        if getattr(old, "__module__", None) != getattr(new, "__module__", None):
            return False
        if getattr(old, "__qualname__", None) != getattr(new, "__qualname__", None):
            return False
        if isinstance(old, type):
            return bool(old.__flags__ & _HEAPTYPE) and bool(new.__flags__ & _HEAPTYPE)
    return True


class _Invalidator(abc.ABC):  # noqa: B024 - exists only to be registered with
    pass


class _Registered:
    pass


def invalidate_abc_negative_caches() -> None:
    """Every ABC caches "``C`` is not a subclass"; a changed class may now be one.
    ``ABCMeta.register`` bumps the global invalidation counter that those caches check."""
    _Invalidator._abc_registry_clear()  # type: ignore[attr-defined]
    _Invalidator.register(_Registered)  # registering again bumps the counter; nothing grows


def _set_name(value: Any, owner: type, name: str) -> None:
    """What ``type.__new__`` does for each attribute: tell descriptors their owner and name."""
    hook = getattr(type(value), "__set_name__", None)
    if hook is not None:
        hook(value, owner, name)


def _member_type(enum_class: Any) -> str:
    return str(enum_class._member_type_.__name__)


def _first_line(obj: Any) -> int | None:
    for func in functions_in(obj) if obj is not None else ():
        return func.__code__.co_firstlineno
    line = getattr(obj, "__firstlineno__", None)
    return line if isinstance(line, int) else None
