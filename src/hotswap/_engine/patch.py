"""In-place updates: make an old object behave like its freshly executed counterpart.

``Patcher.patch(old, new)`` returns a :class:`~hotswap._engine.patched.Patched` whose ``value``
is the object the name should be bound to afterwards: ``old`` itself when it could be updated
in place (a function gets the new ``__code__``, defaults and annotations; a class gets the new
members), or ``new`` when the runtime forbids an exact update (a function whose free variables
changed, a class whose instance layout changed); and what the patch did to class members, which
the walk's dataflow reads. The engine then rebinds every reference it knows of from ``old`` to
``new`` and reports a ``replaced``. Functions are patched here, classes in
:mod:`hotswap._engine.classpatch`.

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

import functools
import inspect
import sys
import types
from collections.abc import Callable
from typing import Any

from hotswap._detect.tracker import TRACKER
from hotswap._engine.batch import retarget_after_commit, retarget_closures, stuck_message
from hotswap._engine.classpatch import ClassPatching
from hotswap._engine.functions import (
    defaults_differ,
    is_code_like,
    known_users,
    local_users,
    moved_only,
    same_definition,
)
from hotswap._engine.graves import Graves
from hotswap._engine.journal import MISSING, Journal
from hotswap._engine.patched import ClassPlan, Patched, PatchLog, same_scalar
from hotswap._report import Change, Problem

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


class Patcher(ClassPatching):
    def __init__(
        self,
        journal: Journal,
        module: str,
        path: str,
        *,
        changes: list[Change],
        warnings: list[Problem],
        graves: Graves,
        classes: ClassPlan,
    ) -> None:
        self.journal = journal
        self.module = module
        self.path = path
        self.changes = changes  # (the outcome's: patching reports into them)
        self.warnings = warnings
        # Definitions earlier saves removed, restored in place when added back.
        self.graves = graves
        self.classes = classes
        self.log = PatchLog()
        self._memo: dict[tuple[int, int], Any] = {}
        self.stale_cached: set[str] = set()  # cached_property names whose getter changed
        self._keep_cells = False
        # What the patch being made did to members (handed over in its :class:`Patched`).
        self._member_rebinds: list[tuple[str, Any, Any]] = []
        self._recoded: list[str] = []
        self._changed_attributes: list[str] = []

    def patch(self, old: Any, new: Any, qualname: str, *, keep_cells: bool = False) -> Patched:
        """Update ``old`` from ``new`` where possible; ``value`` of the result is what the name
        should hold. ``keep_cells``: a statement re-run only by dataflow keeps the state in the
        closures it made before (``get, put = make()``): the code is new, the captured values
        stay."""
        self._keep_cells = keep_cells
        return self._done(self._value(old, new, qualname))

    def restore(self, qualname: str, new: Any, *, keep_cells: bool = False) -> Patched:
        """:meth:`_restore`, as :meth:`hotswap._engine.patch.Patcher.patch` hands it over."""
        self._keep_cells = keep_cells
        return self._done(self._restore(qualname, new))

    def follow(self, old: Any, new: Any) -> None:
        """What holds ``old`` is to hold ``new`` (its identity could not be kept)."""
        self.log.replaced.append((old, new))

    def _value(self, old: Any, new: Any, qualname: str) -> Any:
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
        elif not same_definition(old, new):
            result = new  # ``Number = int`` -> ``Number = float``: a rebinding, not an edit
        elif isinstance(old, types.FunctionType) and isinstance(new, types.FunctionType):
            result = self._function(old, new, qualname)
        elif isinstance(old, type) and isinstance(new, type):
            result = self._class(old, new, qualname)
        elif type(old) is type(new) and isinstance(old, staticmethod | classmethod):
            inner = self._value(old.__func__, new.__func__, qualname)
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
            self.log.replaced.append((old, new))
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
            if self._keep_cells and not is_code_like(current):
                continue
            result = self._value(current, incoming, qualname)
            if result is not current:
                self.journal.set_cell(old_cell, result)
        previous = old.__code__
        differs = previous != new.__code__
        updates: list[tuple[str, Any]] = []
        if differs or previous.co_firstlineno != new.__code__.co_firstlineno:
            updates.append(("__code__", new.__code__))
        self.log.placed.add(id(old))  # it has the new code's lines: no statement below moves it
        # Code that only moved (a line added above it) runs as before: not "patched".
        recoded = differs and not moved_only(previous, new.__code__)
        changed = recoded or defaults_differ(old, new)  # ``f(x, d=0)`` -> ``d=1`` changes f(0)
        for attr in _FUNCTION_ATTRS:
            incoming = getattr(new, attr)
            if getattr(old, attr) is not incoming:
                updates.append((attr, incoming))
        self.journal.setattrs(old, updates)  # at once, as other threads see it
        self._function_dict(old, new, qualname)
        if differs:
            self._map_nested(previous, new.__code__)
        if changed:
            self._change(qualname, "patched", old)
        return old

    def _function_dict(
        self, old: types.FunctionType, new: types.FunctionType, qualname: str
    ) -> None:
        """``old``'s attributes as the new definition set them."""
        for name, incoming in new.__dict__.items():
            current = old.__dict__.get(name, MISSING)
            result = incoming if current is MISSING else self._value(current, incoming, qualname)
            if result is not current:
                self.journal.setitem(old.__dict__, name, result)
                if not _is_dunder(name) and not same_scalar(current, result):
                    # (``Y = g.tag`` in an importer read what a changed decorator set)
                    self._member_rebinds.append((f"{qualname}.{name}", current, result))
        for name in [n for n in old.__dict__ if n not in new.__dict__ and _is_dunder(n)]:
            # A marker its old decorator set (``__isabstractmethod__``): the new one did not.
            # Other attributes are state the program keeps on its function: they stay.
            self.journal.delitem(old.__dict__, name)

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
                self.log.nested[id(previous)] = (previous, code)
                self._map_nested(previous, code)

    def retarget_closures(self) -> None:
        """Give closures made by old code before the edit (``inc = make_adder(1)``) the new
        inner code, as a fresh run would have made them: one scan of the heap, for the whole
        checkpoint (see ``_engine.batch.retarget_after_commit``)."""
        nested = self.log.nested
        users = known_users(nested) if nested else []
        if users is None:
            users = local_users(nested, self._holding_namespaces)
        if users == []:
            return  # no function made before the edit runs an old inner code
        followed = frozenset(id(old) for old, _new in self.log.replaced)
        stuck: dict[types.CodeType, int] | None
        if users is not None:  # the closures an earlier scan found are all there are
            stuck = retarget_closures(nested, followed, self.journal, users)
        else:
            stuck = retarget_after_commit(nested, followed, self.journal, self.module, self.path)
        for code, number in (stuck or {}).items():
            message = stuck_message(code, number)
            self.warnings.append(Problem(self.module, self.path, code.co_firstlineno, message))

    def _holding_namespaces(self, outers: set[str]) -> list[dict[str, Any]]:
        """The namespaces where closures made inside the module's top-level functions or
        classes ``outers`` are likely held: the module's own, and those of the modules that
        import one of them by name (the importer index: no scan of the project)."""
        modules = sys.modules
        own = modules.get(self.module)
        if own is None:
            return []
        out = [vars(own)]
        for record in TRACKER.holders(self.module, outers):
            module = modules.get(record.name)
            if module is not None and module is not own:
                out.append(vars(module))
        return out

    def _property(self, old: property, new: property, qualname: str) -> Any:
        parts = []
        same = old.__doc__ == new.__doc__
        for before, after in ((old.fget, new.fget), (old.fset, new.fset), (old.fdel, new.fdel)):
            if before is None or after is None:
                parts.append(after)
                same = same and before is after
            else:
                kept = self._value(before, after, qualname)
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
        inner = self._value(old.func, new.func, qualname)
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
        inner = self._value(old.func, new.func, q)
        if inner is not old.func:
            self.journal.setattr(old, "func", inner)
        if self._code_changed_since(before):
            self.stale_cached.add(old.attrname or "")
        return old

    def _partial(self, old: functools.partial[Any], new: functools.partial[Any], q: str) -> Any:
        func = self._value(old.func, new.func, q)
        state = (func, new.args, new.keywords or None, new.__dict__ or None)
        before = old.__reduce__()[2]
        setstate: Callable[[Any], None] = old.__setstate__  # type: ignore[attr-defined]
        self.journal.on_rollback(functools.partial(setstate, before))
        setstate(state)
        return old

    def _wrapper(self, old: Any, new: Any, qualname: str) -> Any:
        """A callable object wrapping a function (``lru_cache``, class-based decorators)."""
        inner = self._value(old.__wrapped__, new.__wrapped__, qualname)
        if inner is not old.__wrapped__:
            self.log.replaced.append((old, new))
            self._change(qualname, "replaced", new)
            return new
        clear = getattr(old, "cache_clear", None)
        if callable(clear):
            clear()  # results computed by the old code must not be served again
        return old


def _is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")
