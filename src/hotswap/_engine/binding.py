"""Running one statement and binding what it made to the kept objects.

Each statement runs alone, in the module's own dict, compiled with its original line numbers;
a ``def`` or ``class`` binds into a scratch mapping first, so that the module never names the
fresh object. Each name it bound is then patched: the old object takes the new one's code and
members and is bound again (:class:`hotswap._engine.patch.Patcher`); a name that held an object
another statement made, or that a later one binds again, takes the new object. Names only the
old source bound go; what could not be kept in place is followed where it is held.
"""

from __future__ import annotations

import ast
import sys
import types
from typing import Any

from hotswap._detect.imports import resolve
from hotswap._engine.batch import redirect_after_commit
from hotswap._engine.classbody import ClassBodies, changes_behaviour_of_users
from hotswap._engine.decorated import kept_class, static_attribute
from hotswap._engine.functions import functions_in
from hotswap._engine.journal import EVERY_KEY, MISSING
from hotswap._engine.pairing import Step
from hotswap._engine.plan import ModulePlan
from hotswap._engine.propagate import exports
from hotswap._engine.redirect import forward_weak_callers, net_rebinds, rebound_to
from hotswap._engine.registries import decorators_of, reach_registries
from hotswap._engine.relines import orphan
from hotswap._engine.source import STAR, ParsedSource, Statement, compile_statement
from hotswap._engine.uses import never_called
from hotswap._engine.uses import quiet as mark_quiet
from hotswap._engine.walk import CONDITIONAL
from hotswap._report import Change, Problem


class Binding(ClassBodies):
    """Running a statement, binding and removing names (see the module docstring)."""

    def _run(self, step: Step, new: ParsedSource) -> None:
        namespace = self.module.__dict__
        stmt = step.new
        star = STAR in stmt.binds
        names = [n for n in stmt.binds if n != STAR]
        before_all = dict(namespace) if star else None
        before = {n: namespace.get(n, MISSING) for n in names}
        # Rollback restores the names the statement binds, and only those: a global another
        # thread updates while the reload runs keeps its update (see Journal.snapshot_dict).
        self.touched.update(names)
        if isinstance(stmt.node, CONDITIONAL):
            self._unbind_first(names, stmt, new)
        variant = self._class_node(step, new)
        code = compile_statement(stmt, self.path, new.future_flags, variant, self._reuse(step, new))
        if isinstance(stmt.node, ast.ClassDef) and step.old is not None:
            self._forget_overloads(stmt.node)
        # A ``def`` or ``class`` binds its name in a scratch mapping (its functions still get
        # the module's globals): until the patched old object is bound back, ``module.C`` never
        # names the fresh, temporary one that another thread could call or instantiate.
        made: dict[str, Any] | None = {} if stmt.is_def or stmt.is_class else None
        if before_all is not None:
            self.touched.add(EVERY_KEY)  # (the record, until what the change bound is known)
        try:
            exec(code, namespace, made)
        finally:
            if before_all is not None:  # ``from m import *``: whatever it bound
                self.touched.update(
                    k for k in namespace if namespace[k] is not before_all.get(k, MISSING)
                )
                self.touched.discard(EVERY_KEY)
        if before_all is not None:
            for key, value in namespace.items():
                if key not in before and before_all.get(key, MISSING) is not value:
                    before[key] = before_all.get(key, MISSING)
            names = list(before)
        if stmt.is_class:
            self.flow.rebuilt.update(names)  # what later statements set on it is set again
        kind_changed = step.status != "same"
        for name in names:
            self.touched.add(name)
            if self._shadowed(name, step, new):
                # A later ``def``/``class`` of the same name wins, as in a fresh run.
                if made is not None:
                    continue
                if before[name] is MISSING:
                    namespace.pop(name, None)
                else:
                    namespace[name] = before[name]
                continue
            value = namespace.get(name, MISSING) if made is None else made.get(name, MISSING)
            held = before[name]
            if variant is not None and isinstance(value, type):
                # The class ran without its decorators: what they made from the class (a
                # handle, a wrapper subclass) stays bound; the class inside it is patched.
                kept = kept_class(held, self.name, value.__qualname__)
                if kept is not None and kept is not held:
                    self._bind(name, kept, value, step, kind_changed)
                    namespace[name] = held
                    continue
            self._bind(name, held, value, step, kind_changed)

    def _reuse(self, step: Step, new: ParsedSource) -> tuple[Statement, type] | None:
        """For a class statement: its old statement and the live class made from it, whose
        methods the edit left alone keep their code (see ``compile_statement``)."""
        stmt, old = step.new, step.old
        if not stmt.is_class or old is None or self.old is None:
            return None
        live = self.module.__dict__.get(stmt.name or "")
        if not isinstance(live, type) or self.old.future_flags != new.future_flags:
            return None
        return old, live

    def _unbind_first(self, names: list[str], stmt: Statement, new: ParsedSource) -> None:
        """Take out the names a compound statement may leave unbound and no earlier statement
        binds: in a fresh run they do not exist when it runs, so one that it no longer binds
        (an import moved under ``if TYPE_CHECKING:``, a loop over what became empty) is
        removed, not left with the value its last run gave. (Undone on rollback: the names
        are among those ``_run`` marks touched.)"""
        namespace = self.module.__dict__
        if any(b.index < stmt.index for b in new.named(STAR)):
            return  # an earlier star import may bind any of them
        for name in names:
            if "." in name or name not in namespace:
                continue
            if any(b.index < stmt.index for b in new.named(name)):
                continue  # an earlier statement's value (run again at this point if need be)
            if is_submodule(namespace[name], self.name):
                continue  # ``pkg.sub`` set by the import system stays
            del namespace[name]

    def _bound_later(self, name: str, stmt: Statement) -> bool:
        """Whether a statement after ``stmt`` binds ``name`` again (so it made its value)."""
        parsed = self.outcome.parsed
        return parsed is not None and any(b.index > stmt.index for b in parsed.named(name))

    def _shadowed(self, name: str, step: Step, new: ParsedSource) -> bool:
        stmt = step.new
        if not (stmt.is_def or stmt.is_class) or stmt.index in self._at_point:
            return False
        later = [s for s in new.named(name) if s.index > stmt.index]
        return bool(later) and all(s.is_def or s.is_class for s in later)

    def _bind(self, name: str, old: Any, new: Any, step: Step, changed: bool) -> None:
        """Bind ``name`` to what its statement made: the object it held, patched from ``new``
        where that keeps the identity. ``changed``: the statement itself changed (not only
        re-run by dataflow, which keeps the state its closures captured)."""
        namespace = self.module.__dict__
        stmt = step.new
        if new is MISSING or old is MISSING:
            self._bind_one_side(name, old, new, stmt, changed)
            return
        if isinstance(stmt.node, ast.ClassDef) and isinstance(new, type) and not self._full:
            self._plan_class(step, new)
        patched_before = len(self.outcome.changes)
        # A function whose code never ran (since the module last ran code through hotswap)
        # computed nothing that is held: what calls it now runs its new code, and nothing
        # needs to run again for it, here or in its importers (sympy's ``filldedent``, imported
        # by 51 modules: its first save followed 94 modules). Asked before the patch, which
        # gives it fresh code.
        quiet = type(old) is types.FunctionType and never_called(old)
        ours = (stmt.is_def or stmt.is_class) and self._made_by(old, step)
        if (stmt.is_def or stmt.is_class) and not ours:
            # The name held an object another statement made (``def _`` registered with
            # ``singledispatch`` several times): this statement's result is a new object.
            result = new
        elif self.flow.bound_now.get(name, stmt.index) != stmt.index or self._bound_later(
            name, stmt
        ):
            # ``_f = ...`` used for one class, then for another: what the name holds now was
            # made by another statement; patching it would change the other class's method.
            result = new
        else:
            result = self._take(self.patcher.patch(old, new, name, keep_cells=not changed))
        if ours and result is new and callable(old):
            self.patcher.follow(old, new)  # ``@deco`` removed: holders follow
        if quiet and type(result) is types.FunctionType:
            mark_quiet(result.__code__)  # (the next save asks again, see ``_engine.uses``)
        elif changes_behaviour_of_users(name, result, self.outcome.changes[patched_before:]):
            self.flow.recoded.add(name)
        if namespace.get(name, MISSING) is not result:
            namespace[name] = result
        self.flow.bound_now[name] = stmt.index
        if result is old and result is not new and (stmt.is_class or bool(stmt.decorators_key)):
            self._redirects.append((new, old, self._skip_referrer(new)))
        if result is not old:
            self.flow.dirty.add(name)
            self.outcome.rebinds.append((name, old, result))
            if not (stmt.is_def or stmt.is_class) and changed:
                self.outcome.changes.append(Change(self.name, name, "rerun", self._where(stmt)))

    def _bind_one_side(
        self, name: str, old: Any, new: Any, stmt: Statement, changed: bool
    ) -> None:
        """:meth:`_bind` when the name was not bound before, or is not bound now."""
        if new is MISSING:
            if old is not MISSING:
                self.patcher.graves.bury(self.name, name, old)
                self.flow.dirty.add(name)
                self.outcome.rebinds.append((name, old, MISSING))
                self.outcome.changes.append(Change(self.name, name, "removed", self._where(stmt)))
            return
        if stmt.is_def or stmt.is_class:  # removed by an earlier save: back in place
            kept = self._take(self.patcher.restore(name, new, keep_cells=not changed))
            if kept is not new and (stmt.is_class or bool(stmt.decorators_key)):
                self._redirects.append((new, kept, self._skip_referrer(new)))
            new = kept
        self.module.__dict__[name] = new
        self.flow.dirty.add(name)
        self.outcome.rebinds.append((name, MISSING, new))
        self.outcome.changes.append(Change(self.name, name, "added", self._where(stmt)))

    def _follow_replaced(self, parsed: ParsedSource) -> None:
        """What held an object that could not be kept (``replaced``) holds the new one: the
        heap scan at once, or at the end of the checkpoint; weak references are forwarded,
        and those that cannot follow are named."""
        replaced, redirects = self.patcher.log.replaced, self._redirects
        now = bool(self.integrations)  # a framework's ``after`` reads its registries: not later
        if redirects and not now:  # (fresh twins of kept objects, in registries near their hooks)
            namespace = self.module.__dict__
            reach_registries(redirects, namespace, decorators_of(redirects, parsed), self.journal)
        self.outcome.rebinds = rebinds = net_rebinds(self.outcome.rebinds)  # (one per name)
        skip = self._skip_referrer(None, {id(replaced), *map(id, replaced)})  # (pairs: not rebuilt)
        redirects.extend((old, rebound_to(new, rebinds), skip) for old, new in replaced)
        redirect_after_commit(redirects, self.journal, self.name, self.path, replaced, now)
        for old, replacement in replaced:
            left = forward_weak_callers(old, rebound_to(replacement, rebinds), self.journal)
            if left:
                inner = static_attribute(old, "__wrapped__") if callable(old) else None
                named = old if isinstance(old, types.FunctionType) else inner
                name = getattr(named, "__qualname__", None) or type(old).__name__
                message = (
                    f"{name}: {left} weak reference(s) to it cannot follow the new object"
                    " (they die with the old one)"
                )
                self.outcome.warnings.append(Problem(self.name, self.path, None, message))

    def _remove_gone(self, plan: ModulePlan, new: ParsedSource) -> None:
        """Names only the old source bound go (but what a star import still brings, a
        script's plain statements, and submodules the import system set)."""
        namespace = self.module.__dict__
        starred = self._star_sources(new)
        for name in sorted(plan.removed):
            if star_bound(name, namespace.get(name), starred):
                continue  # ``from a import X`` became ``from a import *``: X is still bound
            if self.definitions_only and (
                self.old is None or not any(defines(s.node) for s in self.old.named(name))
            ):
                continue  # (a running script's plain statements stay, as they ran)
            value = namespace.get(name, MISSING)
            if value is MISSING or is_submodule(value, self.name):
                continue  # ``pkg.sub`` set by the import system stays
            self._remove(name, value)
        self._remove_star_names(starred, new)

    def _remove(self, name: str, value: Any) -> None:
        self.patcher.graves.bury(self.name, name, value)
        self.touched.add(name)
        orphan(functions_in(value, self.path, nested_only=True), self.path, self.journal)
        del self.module.__dict__[name]
        self.flow.dirty.add(name)
        self.outcome.rebinds.append((name, value, MISSING))
        self.outcome.changes.append(Change(self.name, name, "removed", self.path))

    def _remove_star_names(self, starred: list[types.ModuleType], new: ParsedSource) -> None:
        """``from a import *`` left the source: the names it brought go, as a fresh run would
        not have them, but for those the new source binds or another star import still brings."""
        if self.old is None or self.definitions_only:
            return
        namespace = self.module.__dict__
        own = new.bound_names()
        for module in self._star_sources(self.old):
            if any(module is m for m in starred):
                continue
            source_ns = vars(module)
            for name in sorted(exports(set(source_ns), source_ns.get("__all__"))):
                value = namespace.get(name, MISSING)
                if name in own or value is MISSING or value is not source_ns.get(name):
                    continue
                if star_bound(name, value, starred):
                    continue
                self._remove(name, value)

    def _star_sources(self, parsed: ParsedSource) -> list[types.ModuleType]:
        """Modules a source star-imports (their names are bound, not removed)."""
        out = []
        package = hasattr(self.module, "__path__")
        for stmt in parsed.named(STAR):  # the statements that bind ``*``
            node = stmt.node
            if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
                source = resolve(node.module, node.level, self.name, package)
                module = sys.modules.get(source or "")
                if module is not None:
                    out.append(module)
        return out

    def _tidy_changes(self) -> None:
        """A member the class body lacked, removed when the body ran, and set again by a later
        statement did not go; a temporary bound and deleted again did not come: neither is a
        change to report."""
        namespace = self.module.__dict__
        changes = self.outcome.changes
        added = {c.qualname for c in changes if c.action == "added" and "." not in c.qualname}
        gone = {
            c.qualname
            for c in changes
            if c.action == "removed" and c.qualname in added and c.qualname not in namespace
        }

        def back(change: Change) -> bool:
            if change.action in ("added", "removed") and change.qualname in gone:
                return True
            if change.action != "removed" or "." not in change.qualname:
                return False
            owner, _, attribute = change.qualname.rpartition(".")
            target: Any = namespace
            for part in owner.split("."):
                target = (target if isinstance(target, dict) else vars(target)).get(part)
                if not isinstance(target, type):
                    return False
            return attribute in vars(target)

        changes[:] = [c for c in changes if not back(c)]


def star_bound(name: str, value: Any, starred: list[types.ModuleType]) -> bool:
    """Whether one of the star-imported modules still brings ``value`` under ``name``."""
    return any(getattr(module, name, MISSING) is value for module in starred)


def is_submodule(value: Any, package: str) -> bool:
    return isinstance(value, types.ModuleType) and value.__name__.startswith(package + ".")


def defines(node: ast.stmt) -> bool:
    return isinstance(
        node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Import | ast.ImportFrom
    )
