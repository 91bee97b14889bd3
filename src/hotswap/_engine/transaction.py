"""The reload transaction of one module.

Algorithm (one module, one new source):

1. Parse the new source into top-level statements; diff them against the statements that are
   executing (:mod:`hotswap._engine.plan`). A syntax error stops here, nothing touched.
2. Journal the module dict, then walk the new statements in source order. A statement runs when
   it changed, when the strategy is ``full``, or when it reads a name that an earlier step
   rebound to a different object (dataflow; names rebound by other modules arrive as ``dirty``).
   Each statement is compiled alone with its original line numbers and executed in the module
   dict itself, so later statements and new functions see the real globals. A statement also
   runs when it *touches* (:mod:`hotswap._engine.touch`) a class whose body ran again (``C.__eq__ =
   f`` after the body); an object whose touching statement went away is made again, and so is
   one a re-running statement touches (``REG[k] = v`` in a loop over a changed table); a
   re-running statement sees each name as it stands at its line (``_f`` bound again later).
   When the walk finds it needed an earlier statement it did not run, it is undone and starts
   again with that statement forced (:class:`_Replan`); what re-running statements change on
   the objects they touch is journaled.
3. Right after a statement runs, every name it bound is patched: the old object is updated in
   place from the new one (:class:`hotswap._engine.patch.Patcher`) and the name is bound back to the
   old object, so the next statement already sees the kept identity. A changed decorated ``def``
   whose decorator lines are unchanged is compiled without its decorators and only the innermost
   function is patched: the decorator (and whatever it registered) does not run again. A
   changed class whose header and other statements are unchanged, where only methods (or plain
   ``NAME = value`` members) changed, came or went, runs just those members in a stand-in class
   of the same name and patches them onto the kept class (:mod:`hotswap._engine.members`);
   the report then names exactly them.
4. A statement that did not run but moved gets its functions' line numbers shifted. Names bound
   only by the old source are deleted.
5. Any exception (``SyntaxError``, errors raised by module code, ``SystemExit``,
   ``KeyboardInterrupt``) rolls every journaled mutation back: the module dict, code objects,
   class members and cells are exactly as before. Otherwise the journal is dropped (commit).

Invariants: the module object and its dict are never replaced or cleared; a name that held a
function or class before holds the same object afterwards unless the runtime forbids an
in-place update (reported as ``replaced``); nothing references the old source after commit.
"""

from __future__ import annotations
import __future__

import abc
import ast
import builtins
import contextlib
import copy
import functools
import inspect
import itertools
import operator
import sys
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from hotswap import _hooks as integrations
from hotswap._detect.imports import resolve
from hotswap._detect.text import SourceError
from hotswap._engine.batch import redirect_after_commit
from hotswap._engine.decorated import forget_overloads, kept_class, restub, static_attribute
from hotswap._engine.graves import Graves
from hotswap._engine.journal import MISSING, Journal
from hotswap._engine.kinds import clear_caches_reading, clear_module_caches
from hotswap._engine.members import (
    member_binds,
    member_edit,
    member_name,
    registers_into,
    shadowed_defs,
)
from hotswap._engine.patch import Patcher, defaults_differ, functions_in, shift_objects
from hotswap._engine.plan import ModulePlan, Step, class_maps, diff
from hotswap._engine.propagate import exports
from hotswap._engine.redirect import Redirect, forward_weak_callers, net_rebinds, rebound_to
from hotswap._engine.registries import decorators_of, reach_registries
from hotswap._engine.relines import code_pairs, orphan, reline_objects, uniform_shift
from hotswap._engine.source import (
    STAR,
    ParsedSource,
    Statement,
    compile_statement,
    make_statement,
    parse,
)
from hotswap._engine.touch import (
    called_touches,
    head,
    label,
    main_guard,
    set_attributes,
    touches,
    unknown_effects,
)
from hotswap._errors import HotswapError
from hotswap._report import Change, Problem


@dataclass
class Outcome:
    """What one module transaction did; ``error`` set means it was rolled back."""

    module: str
    changes: list[Change] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    error: Problem | None = None
    rebinds: list[tuple[str, Any, Any]] = field(default_factory=list)  # (name, old, new)
    recoded: set[str] = field(default_factory=set)  # functions patched with new code
    parsed: ParsedSource | None = None
    ran: int = 0


class Transaction:
    def __init__(
        self,
        module: types.ModuleType,
        path: str,
        old: ParsedSource | None,
        strategy: str,
        dirty: set[str] | None = None,
        preset: dict[str, Any] | None = None,
        recoded: set[str] | None = None,
        definitions_only: bool = False,
        graves: dict[str, Any] | None = None,
    ) -> None:
        self.module = module
        self.name = module.__name__
        self.path = path
        self.old = old
        self.strategy = strategy
        self._given = (set(dirty or ()), set(recoded or ()))
        self.preset = preset or {}
        # A running script (``python -m hotswap run``): its top level is the program, which is
        # running right now; only definitions and imports are applied, nothing else re-runs.
        self.definitions_only = definitions_only
        self._full = strategy == "full" or old is None
        # Statements a walk found it needed before it reached them (the maker of an object a
        # later statement touches, the binder of a name as it stands at a later line): the
        # walk is undone and starts again with them forced (see :class:`_Replan`).
        self._replan: set[int] = set()
        self._at_point: set[int] = set()  # run for a later line's view of a name: not shadowed
        self._graves = graves  # what earlier saves removed (see _graves)
        self.integrations: list[integrations.Integration] = []  # active ones, set per walk
        self.outcome = Outcome(self.name)
        self._attempt()

    def _attempt(self) -> None:
        """The state of one walk (a new one when a walk starts again)."""
        self.dirty: set[str] = set(self._given[0])
        # Names of functions whose code changed: statements that call them at import time
        # (``TABLE = build()``) re-run, as a fresh run would compute them with the new code.
        self.recoded: set[str] = set(self._given[1])
        self._affected_for: set[str] = set()
        self._affected_names: set[str] = set()
        self._caches_cleared_for: set[str] = set()
        self.touched: set[str] = set()
        self.ran: set[int] = set()  # indexes of the new statements that ran
        self._needed: set[int] = set()  # statements this walk should have run: start again
        # Names of classes whose body ran again (patched in place: not dirty, but what later
        # statements set on them must be set again).
        self.rebuilt: set[str] = set()
        self._saved_objects: set[int] = set()
        self._dropped_attributes: dict[str, set[str]] = {}
        self._bound_now: dict[str, int] = {}  # name -> the statement of this walk that bound it
        # Holders of a fresh object to point at the kept one (a registry a re-run decorator
        # filled), made at once after the walk: each scan walks the whole heap.
        self._redirects: list[Redirect] = []
        self.journal = Journal()
        self.outcome = Outcome(self.name, parsed=self.outcome.parsed)
        self.patcher = Patcher(
            self.journal, self.name, self.path, self.outcome.changes, self.outcome.warnings
        )
        self.patcher.graves = Graves(self._graves)

    # -- entry point ---------------------------------------------------------------------------

    def run(self, text: str, parsed: ParsedSource | None = None) -> Outcome:
        try:
            new = parsed if parsed is not None else parse(text, self.path)
        except SourceError as exc:
            self.outcome.error = Problem(self.name, self.path, exc.line, str(exc))
            return self.outcome
        self.outcome.parsed = new
        plan = diff(self.old, new)
        while True:
            try:
                return self._transact(plan, new)
            except _Replan as replan:
                self.journal.rollback()
                clear_module_caches(self.module.__dict__, self.path)
                self._replan |= replan.indexes
                self._attempt()

    def _transact(self, plan: ModulePlan, new: ParsedSource) -> Outcome:
        namespace = self.module.__dict__
        self.touched = self.journal.snapshot_dict(namespace)
        self.touched.add("__name__")  # never empty: an empty set means "restore every key"
        self.journal.setitem(sys.modules, self.name, sys.modules.get(self.name, self.module))
        self.integrations = integrations.active()
        applied = integrations.Applied(
            self.module, self.outcome.changes, self.journal, self.outcome.warnings, self.path
        )
        try:
            for integration in self.integrations:
                _integrated(integration, integration.before, applied)
            for name, value in self.preset.items():
                self.touched.add(name)
                before = namespace.get(name, MISSING)
                if value is MISSING:
                    namespace.pop(name, None)
                else:
                    namespace[name] = value
                self.outcome.rebinds.append((name, before, value))
                self.outcome.changes.append(Change(self.name, name, "rebound", self.path))
            self._execute(plan, new)
            if self._needed:
                raise _Replan(self._needed)
            if sys.modules.get(self.name) is not self.module:
                what = "removed" if self.name not in sys.modules else "replaced"
                raise HotswapError(f"the module {what} itself in sys.modules while it ran")
            for integration in self.integrations:
                _integrated(integration, integration.after, applied)
        except _Replan:
            raise
        except Exception as exc:
            if self._needed:  # (a walk that ran with names not as they stand: start again)
                raise _Replan(self._needed) from exc
            return self._failed(exc)
        except BaseException as exc:
            return self._failed(exc)
        self.journal.commit()
        self.patcher.graves.commit()
        # Importers re-run what calls any function whose behaviour changed here.
        self.outcome.recoded = self._affected(new) if (self.recoded or self.dirty) else set()
        return self.outcome

    def _failed(self, exc: BaseException) -> Outcome:
        """Undo everything and say what failed, where."""
        failures = self.journal.rollback()
        # The new code may have filled caches before it failed (``V = f(3)`` with the new
        # ``f``): what they hold is not what the restored code computes.
        clear_module_caches(self.module.__dict__, self.path)
        self.outcome.error = self._problem(exc)
        self.outcome.changes.clear()
        self.outcome.rebinds.clear()
        self.outcome.warnings.clear()  # about changes that were undone
        for failure in failures:  # none expected: each is a bug in hotswap
            message = f"could not undo everything the failed reload changed: {failure!r}"
            self.outcome.warnings.append(Problem(self.name, self.path, None, message))
        return self.outcome

    # -- the walk --------------------------------------------------------------------------------

    def _execute(self, plan: ModulePlan, new: ParsedSource) -> None:
        namespace = self.module.__dict__
        full = self.strategy == "full" or self.old is None
        forced = self._rebuild_registries(plan) | self._integration_reruns(plan)
        if not full and not self.definitions_only:
            forced |= self._dropped_writers(plan, new) | self._replan
        running = set(range(len(new.objects))) if full else forced
        forced |= restub(plan, new, self.name, self.journal, running, self.dirty)
        # When nothing changed reaches the statements above the edit, none of them can run.
        every = bool(full or forced or self.dirty or self.recoded)
        moved: list[tuple[Statement, Statement]] = []  # only moved: shifted in one go
        self._walk(plan.steps if every else plan.rest, new, full, forced, moved)
        shift_tail = False
        if not every:
            # The statements after the edit run only when the edit rebound a name they read,
            # changed a function they call or made again an object they touch; otherwise
            # they all moved by the same lines, or not.
            if self._tail_reached(plan.tail_objects(), new) or self._tail_touched(plan, forced):
                self._walk(plan.tail_steps(), new, full, forced, moved)
            else:
                shift_tail = plan.tail_moved()
        if moved:
            self._shift((o, n, 0, 0) for o, n in moved)
        if shift_tail:
            self._shift_tail(plan)
        self.patcher.retarget_closures()
        self._clear_caches(new)
        replaced, redirects = self.patcher.replaced, self._redirects
        now = bool(self.integrations)  # a framework's ``after`` reads its registries: not later
        if redirects and not now:  # (fresh twins of kept objects, in registries near their hooks)
            reach_registries(redirects, namespace, decorators_of(redirects, new), self.journal)
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
        starred = self._star_sources(new)
        for name in sorted(plan.removed):
            if _star_bound(name, namespace.get(name), starred):
                continue  # ``from a import X`` became ``from a import *``: X is still bound
            if (
                self.definitions_only
                and self.old is not None
                and not any(_defines(s.node) for s in self.old.named(name))
            ):
                continue
            value = namespace.get(name, MISSING)
            if value is MISSING or _is_submodule(value, self.name):
                continue  # ``pkg.sub`` set by the import system stays
            self._remove(name, value)
        self._remove_star_names(starred, new)
        if not full:
            self._tidy_changes()

    def _walk(
        self,
        steps: list[Step],
        new: ParsedSource,
        full: bool,
        forced: set[int],
        moved: list[tuple[Statement, Statement]],
    ) -> None:
        """Run the steps that must run, in source order; collect those that only moved (shifted
        before the next statement runs, so that it sees where its functions are)."""
        namespace = self.module.__dict__
        for step in steps:
            stmt = step.new
            reached = not full and step.status == "same" and self._reached(stmt, new)
            run = full or stmt.index in forced or step.status != "same" or reached
            if not run and self.rebuilt and not touches(stmt).isdisjoint(self.rebuilt):
                run = True  # sets something on a class whose body ran again: set it again
            if run and self.definitions_only and not _defines(stmt.node):
                run = False
            if not run:
                before = step.old
                if before is not None and before.node is not stmt.node and _relaid(before, stmt):
                    self._reline(before, stmt, new)
                elif before is not None and stmt.first != before.first:
                    moved.append((before, stmt))
                continue
            if moved:
                self._shift((o, n, 0, 0) for o, n in moved)
                moved.clear()
            if stmt.is_docstring and stmt.index > 0:
                continue  # a bare string: compiling it alone would make it the module docstring
            self.outcome.ran += 1
            self.ran.add(stmt.index)
            plain = not (stmt.is_def or stmt.is_class)
            if plain and not full:
                self._before_plain(stmt, new, again=step.status == "same")
            # Body-only keeps the decorators' result: not when a decorator itself changed.
            if (
                step.body_only
                and stmt.index not in forced
                and not self._reached(stmt, new)
                and self._patch_body_only(step, new)
            ):
                continue
            if not stmt.is_def:
                self._clear_caches(new)  # ``A = cached(0)`` must not get the old code's result
            if (
                not full
                and step.status == "changed"
                and stmt.is_class
                and stmt.index not in forced
                and not self._reached(stmt, new)
                and self._patch_members(step, new)
            ):
                continue
            reported = len(self.outcome.changes)
            held = {n: namespace.get(n, MISSING) for n in stmt.binds}
            self._run(step, new)
            if not full:
                changed = [n for n, v in held.items() if namespace.get(n, MISSING) is not v]
                self._force_next_binders(changed, stmt, new, forced)
                assigns = isinstance(stmt.node, ast.Assign | ast.AnnAssign | ast.AugAssign)
                if (
                    plain
                    and (len(self.outcome.changes) == reported or not assigns)
                    and not main_guard(stmt.node)
                ):
                    # What it bound does not say it (``X[k] = v``, a call, a loop): name it.
                    where = self._where(stmt)
                    self.outcome.changes.append(Change(self.name, label(stmt), "rerun", where))
            if reached and stmt.decorators_key:
                # Decorated again because its decorator changed: what it makes behaves anew,
                # even when patching found nothing left to change (patching the decorator
                # already moved the wrappers it had made onto its new code), so what calls it
                # at import time runs again.
                self.recoded.update(n for n in stmt.binds if n != STAR)

    # -- touching: objects changed by later statements ----------------------------------------

    def _before_plain(self, stmt: Statement, new: ParsedSource, again: bool) -> None:
        """What a statement that is about to run needs first: when it ran before (``again``),
        each object it touches made again by this walk, as its first run found it (else its
        maker must run: start again); each name it reads as it stands at its line (else that
        name's binder must run: start again); and an undo record of the objects it touches, so
        that a failure gives them back as they were."""
        need: set[int] = set()
        namespace = self.module.__dict__
        for name in touches(stmt):
            value = namespace.get(name, MISSING)
            if value is not MISSING:
                self._save_object(value)
            if not again or name in self.rebuilt or name in self.dirty:
                continue
            maker = self._maker(name, stmt.index, new)
            if maker is not None and maker not in self.ran:
                need.add(maker)
        if isinstance(stmt.node, _CONDITIONAL):
            # A name it may leave unbound (``if TYPE_CHECKING:``, a loop over nothing) has,
            # as it runs, the value its earlier binder gave (see ``_run``): that binder runs
            # again first, at this point, when this walk has not run it.
            for name in stmt.binds:
                if name == STAR or "." in name:
                    continue
                earlier = [b.index for b in new.named(name) if b.index < stmt.index]
                if earlier and earlier[-1] not in self.ran:
                    need.add(earlier[-1])
                    self._at_point.add(earlier[-1])
        if isinstance(stmt.node, ast.Delete):
            # ``del a, b`` needs them bound: a name its last run deleted is bound again first.
            for name in stmt.binds & stmt.reads:
                earlier = [b.index for b in new.named(name) if b.index < stmt.index]
                if name not in namespace and earlier and earlier[-1] not in self.ran:
                    need.add(earlier[-1])
                    self._at_point.add(earlier[-1])
        for name in stmt.reads:
            if "." in name or name in stmt.binds:
                continue
            binders = new.named(name)
            if not binders or binders[-1].index < stmt.index:
                continue  # no later line rebinds it: its value now is its value here
            earlier = [b.index for b in binders if b.index < stmt.index]
            if earlier and earlier[-1] not in self.ran:
                need.add(earlier[-1])
                self._at_point.add(earlier[-1])
        # The walk goes on, to find what else it needs, then starts again (see ``_transact``).
        self._needed |= need - self._replan  # (forced already, yet not run: go on as it is)

    def _maker(self, name: str, before: int, new: ParsedSource) -> int | None:
        """The statement that made the object ``name`` holds at statement ``before``, when
        running it again makes it anew: a class (its body runs again, patched in place) or a
        dict, list or set. Other objects (an app, a logger, a connection: what the session may
        hold and use) are changed in place by the statements that touch them, as before."""
        value = self.module.__dict__.get(name, MISSING)
        if not isinstance(value, type | dict | list | set):
            return None
        binders = [b for b in new.named(name) if b.index < before]
        if not binders or isinstance(binders[-1].node, ast.Import | ast.ImportFrom):
            return None
        return None if binders[-1].is_def else binders[-1].index

    def _force_next_binders(
        self, names: list[str], stmt: Statement, new: ParsedSource, forced: set[int]
    ) -> None:
        """A statement that ran bound ``names`` to other objects; a later statement that binds
        one of them again runs too, so that the lines after it see its value, as in a fresh
        run."""
        for name in names:
            if name == STAR:
                continue
            later = [b.index for b in new.named(name) if b.index > stmt.index]
            if later:
                forced.add(later[0])

    def _save_object(self, value: Any) -> None:
        """An undo record of a class's members or a dict's, list's or set's items, once."""
        if id(value) in self._saved_objects or self.journal.owns(value):
            return
        if isinstance(value, type):
            saved: Any = dict(vars(value))
        elif type(value) in (dict, list, set):
            saved = value.copy()
        else:
            return
        self._saved_objects.add(id(value))
        self.journal.on_rollback(functools.partial(_restore_object, value, saved))

    def _dropped_writers(self, plan: ModulePlan, new: ParsedSource) -> set[int]:
        """Statements that touched an object and went away: its maker runs again (and, by the
        walk, the statements that still touch it), and what they set on a class by name goes;
        where the object cannot be made again, a warning names the statement."""
        forced: set[int] = set()
        # An edited statement is a dropped one and an added one: ``f.tag = 2`` for
        # ``f.tag = 1`` (or ``setup(2)`` for ``setup(1)``) does again what the old one did.
        redone = {head(s.new.node) for s in plan.rest if s.status == "added"}
        for old, at in plan.dropped:
            node = old.node
            if old.is_def or old.is_class or old.is_docstring or main_guard(node):
                continue
            if isinstance(node, ast.Import | ast.ImportFrom):
                continue
            targets = touches(old)
            if self.old is not None:
                targets |= called_touches(old, self.old)
            makers = {n: self._maker(n, at, new) for n in targets}
            found = {n: m for n, m in makers.items() if m is not None}
            forced.update(found.values())
            for name in found:
                value = self.module.__dict__.get(name)
                if isinstance(value, type):
                    named = set_attributes(old, name)
                    if named:
                        self._dropped_attributes.setdefault(value.__qualname__, set()).update(
                            named
                        )
                    else:
                        self._strip_set_functions(value)
            if (unknown_effects(node) or makers) and not found and head(node) not in redone:
                message = (
                    f"`{label(old)}` was removed (line {old.first} before the edit); what it did"
                    " when it ran stays until the module is imported afresh"
                )
                self.outcome.warnings.append(Problem(self.name, self.path, None, message))
        return forced

    def _strip_set_functions(self, cls: type) -> None:
        """A statement that set methods on ``cls`` by computed names went away: remove the
        functions of this file that its body did not define. Its body runs again and the
        statements that still set methods set theirs again; what the gone one set stays gone."""
        prefix = f"{cls.__qualname__}."
        for name, value in list(vars(cls).items()):
            funcs = list(functions_in(value, self.path))
            if funcs and not any(f.__qualname__.startswith(prefix) for f in funcs):
                self.journal.delattr(cls, name)
                self.dirty.add(f"{cls.__qualname__}.{name}")
                self.outcome.changes.append(
                    Change(self.name, f"{cls.__qualname__}.{name}", "removed", self.path)
                )

    def _tail_touched(self, plan: ModulePlan, forced: set[int]) -> bool:
        """Whether a statement after the edit must run: forced, or it touches a class whose
        body ran again."""
        if not plan.tail:
            return False
        start = plan.tail_pairs()[1]
        if any(i >= start for i in forced):
            return True
        if not self.rebuilt:
            return False
        return any(not touches(s).isdisjoint(self.rebuilt) for s in plan.tail_objects())

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

    def _tail_reached(self, tail: list[Statement], new: ParsedSource) -> bool:
        """Whether :meth:`_reached` holds for any of ``tail`` (one pass over their name sets)."""
        if not tail or not (self.dirty or self.recoded):
            return False
        reads = frozenset().union(*[s.reads for s in tail])
        return self._sees_change(reads, frozenset().union(*[s.calls for s in tail]), new)

    def _remove(self, name: str, value: Any) -> None:
        self.patcher.graves.bury(self.name, name, value)
        self.touched.add(name)
        orphan(functions_in(value, self.path, nested_only=True), self.path, self.journal)
        del self.module.__dict__[name]
        self.dirty.add(name)
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
                if _star_bound(name, value, starred):
                    continue
                self._remove(name, value)

    def _clear_caches(self, new: ParsedSource) -> None:
        """Drop what caches of this module hold from functions whose behaviour changed so far
        (each set of such names once)."""
        if not (self.recoded or self.dirty):
            return
        names = self._affected(new) | self.dirty
        if names <= self._caches_cleared_for:
            return
        self._caches_cleared_for |= names
        clear_caches_reading(self.module.__dict__, names, self.path, self.journal)

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

    def _reached(self, stmt: Statement, new: ParsedSource) -> bool:
        """Whether ``stmt`` reads a name a re-run rebound, or calls a function whose behaviour
        changed (so it computes something else now)."""
        return self._sees_change(stmt.reads, stmt.calls, new)

    def _sees_change(
        self, reads: frozenset[str], calls: frozenset[str], new: ParsedSource
    ) -> bool:
        """Whether code reading ``reads`` and calling ``calls`` computes something else now."""
        return not reads.isdisjoint(self.dirty) or bool(
            calls and not calls.isdisjoint(self._affected(new))
        )

    def _affected(self, new: ParsedSource) -> set[str]:
        """Functions whose behaviour changed: recoded ones and, transitively, module functions
        whose body refers to one (``X = compute()`` re-runs when ``compute``'s helper changed)."""
        # A function reading a global that was rebound behaves differently too.
        seeds = self.recoded | self.dirty
        if self._affected_for == seeds:
            return self._affected_names
        affected = set(seeds)
        statements, bodies = new.objects, new.body_reads
        while affected:
            # The functions whose body reads an affected name (the test runs in C: this is a
            # pass over every statement of the module, at every reload that changed code).
            reading = itertools.compress(
                statements, map(operator.not_, map(affected.isdisjoint, bodies))
            )
            more = {s.name for s in reading if s.name}
            if more <= affected:
                break
            affected |= more
        affected -= self.dirty - self.recoded  # plain values are dirty, not "called"
        affected |= {n for n in self.recoded}
        self._affected_for = seeds
        self._affected_names = affected
        return affected

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
        if isinstance(stmt.node, _CONDITIONAL):
            self._unbind_first(names, stmt, new)
        variant = self._class_node(step, new)
        code = compile_statement(stmt, self.path, new.future_flags, variant)
        if isinstance(stmt.node, ast.ClassDef) and step.old is not None:
            self._forget_overloads(stmt.node)
        # A ``def`` or ``class`` binds its name in a scratch mapping (its functions still get
        # the module's globals): until the patched old object is bound back, ``module.C`` never
        # names the fresh, temporary one that another thread could call or instantiate.
        made: dict[str, Any] | None = {} if stmt.is_def or stmt.is_class else None
        try:
            exec(code, namespace, made)
        finally:
            if before_all is not None:  # ``from m import *``: whatever it bound
                self.touched.update(
                    k for k in namespace if namespace[k] is not before_all.get(k, MISSING)
                )
        if before_all is not None:
            for key, value in namespace.items():
                if key not in before and before_all.get(key, MISSING) is not value:
                    before[key] = before_all.get(key, MISSING)
            names = list(before)
        if stmt.is_class:
            self.rebuilt.update(names)  # what later statements set on it is set again
        kind_changed = step.status != "same"
        # A statement re-run only by dataflow keeps the state in the closures it made before
        # (``get, put = make()``): the code is new, the captured values stay.
        self.patcher.keep_cell_state = not kind_changed
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
            if _is_submodule(namespace[name], self.name):
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
            self.patcher.body_only.add(node.name)
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
        return self._sees_change(info.reads, info.calls, new)

    def _bind(self, name: str, old: Any, new: Any, step: Step, changed: bool) -> None:
        namespace = self.module.__dict__
        stmt = step.new
        if new is MISSING:
            if old is not MISSING:
                self.patcher.graves.bury(self.name, name, old)
                self.dirty.add(name)
                self.outcome.rebinds.append((name, old, MISSING))
                self.outcome.changes.append(Change(self.name, name, "removed", self._where(stmt)))
            return
        if old is MISSING:
            if stmt.is_def or stmt.is_class:  # removed by an earlier save: back in place
                kept = self.patcher.restore(name, new)
                if kept is not new and (stmt.is_class or bool(stmt.decorators_key)):
                    self._redirects.append((new, kept, self._skip_referrer(new)))
                self._take_member_changes()
                new = kept
            namespace[name] = new
            self.dirty.add(name)
            self.outcome.rebinds.append((name, MISSING, new))
            self.outcome.changes.append(Change(self.name, name, "added", self._where(stmt)))
            return
        if isinstance(stmt.node, ast.ClassDef) and isinstance(new, type) and not self._full:
            old_node = step.old.node if step.old is not None else None
            parsed = self.outcome.parsed
            # Class-body lines that call a changed function (``A = f(3)``) take the new value.
            dirty = self.dirty | self._affected(parsed) if parsed is not None else self.dirty
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
                self.patcher.class_shadowed[new.__qualname__] = shadowed.pairs
                keep = maps.keep.get(new.__qualname__)
                if keep is not None and shadowed.rebuild:
                    maps.keep[new.__qualname__] = keep - shadowed.rebuild
            self.patcher.class_keep.update(maps.keep)
            self.patcher.class_removed.update(maps.removed)
            for qualname, names in self._dropped_attributes.items():
                if qualname in maps.removed:
                    self.patcher.class_removed[qualname] = maps.removed[qualname] | names
            if step.old is not None and step.old.decorators_key != stmt.decorators_key:
                # A decorator went away or changed: what the old one added may go as well.
                for qualname in maps.removed:
                    self.patcher.class_removed.pop(qualname, None)
        patched_before = len(self.outcome.changes)
        ours = (stmt.is_def or stmt.is_class) and self._made_by(old, step)
        if (stmt.is_def or stmt.is_class) and not ours:
            # The name held an object another statement made (``def _`` registered with
            # ``singledispatch`` several times): this statement's result is a new object.
            result = new
        elif self._bound_now.get(name, stmt.index) != stmt.index or self._bound_later(
            name, stmt
        ):
            # ``_f = ...`` used for one class, then for another: what the name holds now was
            # made by another statement; patching it would change the other class's method.
            result = new
        else:
            result = self.patcher.value(old, new, name)
        self._take_member_changes()
        if ours and result is new and callable(old):
            self.patcher.replaced.append((old, new))  # ``@deco`` removed: holders follow
        if _changes_behaviour_of_users(name, result, self.outcome.changes[patched_before:]):
            self.recoded.add(name)
        if namespace.get(name, MISSING) is not result:
            namespace[name] = result
        self._bound_now[name] = stmt.index
        if result is old and result is not new and (stmt.is_class or bool(stmt.decorators_key)):
            self._redirects.append((new, old, self._skip_referrer(new)))
        if result is not old:
            self.dirty.add(name)
            self.outcome.rebinds.append((name, old, result))
            if not (stmt.is_def or stmt.is_class) and changed:
                self.outcome.changes.append(Change(self.name, name, "rerun", self._where(stmt)))

    def _rebuild_registries(self, plan: ModulePlan) -> set[int]:
        """``@show.register`` statements of a ``functools.singledispatch`` function: when any of
        them changed, appeared or went away, empty its registry (but for ``object``) and run
        them all again, so dispatch matches a fresh run. Returns the statement indexes to run."""
        groups: dict[str, list[Step]] = {}
        kept = plan.kept_steps(decorated_only=True)
        tail = plan.tail_steps(decorated_only=True)
        for step in itertools.chain(kept, plan.rest, tail):
            if not step.new.decorators_key:
                continue  # only a decorated definition registers (cheap test: every reload)
            target = registers_into(step.new.node)
            if target is not None:
                groups.setdefault(target, []).append(step)
        old_counts: dict[str, int] = {}
        for stmt in self.old.objects if self.old is not None else ():
            if not stmt.decorators_key:
                continue
            target = registers_into(stmt.node)
            if target is not None:
                old_counts[target] = old_counts.get(target, 0) + 1
        forced: set[int] = set()
        for target, steps in groups.items():
            func = self.module.__dict__.get(target)
            registry = _dispatch_registry(func)
            if registry is None:
                continue
            if old_counts.get(target, 0) == len(steps) and all(s.status == "same" for s in steps):
                continue
            for key in [k for k in registry if k is not object]:
                self.journal.delitem(registry, key)
            clear = getattr(func, "_clear_cache", None)
            if callable(clear):
                clear()
            forced.update(s.new.index for s in steps)
        return forced

    def _integration_reruns(self, plan: ModulePlan) -> set[int]:
        """Changed decorated definitions whose decorators an integration wants run again (a
        web route's decorator derives the route from the function's signature)."""
        if not self.integrations:
            return set()
        namespace = self.module.__dict__
        forced: set[int] = set()
        for step in plan.rest:
            stmt = step.new
            decorated = stmt.decorators_key or (step.old is not None and step.old.decorators_key)
            if step.status != "changed" or not decorated or stmt.name is None:
                continue
            current = namespace.get(stmt.name)
            if current is not None and any(i.rerun(current) for i in self.integrations):
                forced.add(stmt.index)
        return forced

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

    def _patch_body_only(self, step: Step, new: ParsedSource) -> bool:
        """Patch the innermost function of a decorated ``def`` without re-running decorators."""
        stmt, old_stmt = step.new, step.old
        assert old_stmt is not None and stmt.name is not None
        namespace = self.module.__dict__
        current = namespace.get(stmt.name, MISSING)
        if current is MISSING:
            return False
        targets = [
            f
            for f in functions_in(current, self.path)
            if f.__code__.co_name == stmt.name
            and old_stmt.first <= f.__code__.co_firstlineno <= old_stmt.last
        ]
        if len(targets) != 1:
            return False
        bare = copy.copy(stmt.node)
        assert isinstance(bare, ast.FunctionDef | ast.AsyncFunctionDef)
        # Each decorator becomes an identity at the same position: the code object then starts
        # at the first decorator line, as the real one does (``inspect.getsource`` shows them).
        bare.decorator_list = [
            ast.copy_location(ast.Name(id=_IDENTITY, ctx=ast.Load()), d)
            for d in bare.decorator_list
        ]
        scratch = dict(namespace)
        scratch[_IDENTITY] = _identity
        exec(compile_statement(stmt, self.path, new.future_flags, bare), scratch)
        fresh = scratch[stmt.name]
        target = targets[0]
        if not isinstance(fresh, types.FunctionType) or (
            fresh.__code__.co_freevars != target.__code__.co_freevars
        ):
            return False
        if target.__code__ != fresh.__code__ or defaults_differ(target, fresh):
            self.recoded.add(stmt.name)
        copied = {attr: getattr(target, attr, None) for attr in _WRAPPED_ATTRS}
        self.patcher.value(target, fresh, stmt.name)
        self._refresh_wrapper_metadata(current, target, copied)
        for wrapper in _wrappers_of(current):
            wrapper.cache_clear()
        return True

    def _patch_members(self, step: Step, new: ParsedSource) -> bool:
        """Run only the changed, added or removed methods of a changed class and patch them
        onto the kept class, when that is what re-running the class would do (see
        :mod:`hotswap._engine.members`); False (nothing done) when the class must run whole."""
        stmt, old_stmt = step.new, step.old
        node = stmt.node
        if old_stmt is None or not isinstance(node, ast.ClassDef):
            return False
        old_node = old_stmt.node
        if not isinstance(old_node, ast.ClassDef) or old_stmt.decorators_key != (
            stmt.decorators_key
        ):
            return False
        namespace = self.module.__dict__
        # (Decorated by something that returned another object: the class inside it.)
        current = kept_class(namespace.get(node.name), self.name, node.name)
        if not isinstance(current, type) or type(current) not in (type, abc.ABCMeta):
            return False  # a metaclass may make members from the body (enums, ...)
        if _header(old_node) != _header(node) or not self._made_by(current, step):
            return False
        if any(_generates_members(d, namespace) for d in node.decorator_list):
            return False
        postponed = bool(new.future_flags & __future__.annotations.compiler_flag)
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
        self.patcher.patch_members(current, fresh, names, edit.removed, node.name)
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
        self._take_member_changes()
        if _changes_behaviour_of_users(node.name, current, self.outcome.changes[before:]):
            self.recoded.add(node.name)
        return True

    def _take_member_changes(self) -> None:
        """What patching a class rebound or changed among its members: dirty names (later
        statements reading ``C.x`` run again) and rebinds (importers follow)."""
        for dotted, before, after in self.patcher.member_rebinds:
            self.dirty.add(dotted)
            self.outcome.rebinds.append((dotted, before, after))
        self.patcher.member_rebinds.clear()
        self.dirty.update(self.patcher.changed_attributes)
        self.dirty.update(self._inherited(self.patcher.changed_attributes))
        self.patcher.changed_attributes.clear()

    def _inherited(self, dotted: list[str]) -> set[str]:
        """``S.x`` for each class ``S`` of the module that inherits a changed ``C.x`` from ``C``:
        ``for k in P._kf: setattr(P, ...)`` reads the base's new table through the subclass
        (found checking out sympy 1.12.1 -> 1.13.0: ``PythonCodePrinter._print_isnan``)."""
        changed = [d.partition(".") for d in dotted if d.count(".") == 1]
        if not changed:
            return set()
        namespace = self.module.__dict__
        classes = [(n, v) for n, v in list(namespace.items()) if isinstance(v, type)]
        out = set()
        for owner, _, attr in changed:
            base = namespace.get(owner)
            if not isinstance(base, type):
                continue
            for name, cls in classes:
                if cls is base or base not in cls.__mro__:  # (not issubclass: a Protocol)
                    continue
                # The first class of the MRO that has ``attr``, or ``base`` when it lost it.
                found = next((k for k in cls.__mro__ if attr in vars(k)), base)
                if found is base or base not in found.__mro__:
                    out.add(f"{name}.{attr}")
        return out

    def _shift_members(
        self, cls: type, moved: list[tuple[frozenset[str], int, int, int]]
    ) -> None:
        """New line numbers for the members of ``cls`` that only moved."""
        own = vars(cls)
        items = (
            (own[name], first, last, lines)
            for names, first, last, lines in moved
            for name in names
            if name in own
        )
        shift_objects(items, self.path, self.journal, self.patcher.nested, self.patcher.placed)

    def _reline_members(
        self,
        cls: type,
        old: Statement,
        stmt: Statement,
        relined: list[tuple[int, int]],
        new: ParsedSource,
    ) -> None:
        """:meth:`_reline` for members of ``cls`` that kept their AST but not their layout:
        each side compiled in a stand-in class of the same name (qualnames, mangling)."""
        assert self.old is not None and isinstance(stmt.node, ast.ClassDef)
        sides = []
        for source, members, flags in (
            (old, [i for i, _j in relined], self.old.future_flags),
            (stmt, [j for _i, j in relined], new.future_flags),
        ):
            stand_in = copy.copy(stmt.node)
            stand_in.bases, stand_in.keywords, stand_in.decorator_list = [], [], []
            stand_in.body = [source.member_positioned(k) for k in members]
            module = ast.Module(body=[stand_in], type_ignores=[])
            sides.append(compile(module, self.path, "exec", flags=flags, dont_inherit=True))
        own = vars(cls)
        names = set().union(*(member_binds(stmt.node.body[j]) for _i, j in relined))
        objects = [own[name] for name in sorted(names) if name in own]
        self._reline_codes(objects, code_pairs(sides[0], sides[1]))

    def _refresh_wrapper_metadata(self, outer: Any, inner: Any, copied: dict[str, Any]) -> None:
        """``functools.wraps`` copied the inner function's docstring, name and annotations onto
        each wrapper at decoration time; copy the new ones where the old ones were copied."""
        current = outer
        for _ in range(8):
            if current is inner or current is None:
                return
            if getattr(current, "__wrapped__", None) is None:
                return  # not made by ``functools.wraps``: its docstring and name are its own
            for attr, before in copied.items():
                try:
                    value = getattr(current, attr)
                except AttributeError:
                    continue
                if value is before or (isinstance(value, str) and value == before):
                    with contextlib.suppress(AttributeError, TypeError):
                        self.journal.setattr(current, attr, getattr(inner, attr))
            current = getattr(current, "__wrapped__", None)

    def _shift(self, moved: Iterable[tuple[Statement, Statement, int, int]]) -> None:
        """New line numbers for what statements that only moved made (hundreds per reload when
        lines were added near the top of a large module). ``moved`` gives each statement, old
        and new, with how many lines each lies below its fields (see ``ParsedSource.behind``)."""
        namespace = self.module.__dict__
        items = (
            (namespace[name], o.first + a, o.last + a, n.first + b - o.first - a)
            for o, n, a, b in moved
            for name in n.binds
            if name in namespace
        )
        shift_objects(items, self.path, self.journal, self.patcher.nested, self.patcher.placed)

    def _reline(self, old: Statement, stmt: Statement, new: ParsedSource) -> None:
        """New code objects for the functions of a statement that kept its AST but not its
        layout (a reformatting save): each moved by its own lines (see
        :mod:`hotswap._engine.relines`)."""
        assert self.old is not None
        before = compile_statement(old, self.path, self.old.future_flags)
        after = compile_statement(stmt, self.path, new.future_flags)
        namespace = self.module.__dict__
        objects = [namespace[name] for name in stmt.binds if name in namespace]
        self._reline_codes(objects, code_pairs(before, after))

    def _reline_codes(
        self, objects: list[Any], pairs: dict[types.CodeType, types.CodeType]
    ) -> None:
        functions = [f for obj in objects for f in functions_in(obj, self.path, nested_only=True)]
        reline_objects(
            objects, functions, pairs, self.journal, self.patcher.nested, self.patcher.placed
        )

    def _shift_tail(self, plan: ModulePlan) -> None:
        """:meth:`_shift` for the statements after the edit, without an exact copy of each."""
        old, new = plan.old, plan.new
        assert old is not None and new is not None
        at_old, at_new = plan.tail_pairs()
        moved = zip(
            old.objects[at_old:],
            new.objects[at_new:],
            old.lines_from(at_old, plan.tail),
            new.lines_from(at_new, plan.tail),
            strict=True,
        )
        self._shift(moved)

    # -- helpers ---------------------------------------------------------------------------------

    def _where(self, stmt: Any) -> str:
        return f"{self.path}:{stmt.first}"

    def _skip_referrer(self, new: Any, ours: set[int] | frozenset[int] = frozenset()) -> Any:
        namespace = self.module.__dict__
        own = getattr(new, "__dict__", None)

        def skip(ref: Any) -> bool:
            return (
                ref is namespace
                or ref is own
                or isinstance(ref, types.FrameType)
                or id(ref) in ours
            )

        return skip

    def _problem(self, exc: BaseException) -> Problem:
        line = None
        elsewhere = None
        tb = exc.__traceback__
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            if filename == self.path:
                line = tb.tb_lineno
            elif not filename.startswith("<") and "hotswap" not in filename.rsplit("/", 2)[-2:-1]:
                elsewhere = f"{filename}:{tb.tb_lineno}"
            tb = tb.tb_next
        try:
            text = str(exc)
        except Exception:
            text = "<exception str() failed>"
        message = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
        if isinstance(exc, SyntaxError) and exc.filename == self.path:
            line = exc.lineno
        elif elsewhere and line is None and not isinstance(exc, KeyboardInterrupt):
            # Where a Ctrl-C lands outside the module (hotswap's own work between two
            # statements) says nothing about the user's code.
            message += f" (raised at {elsewhere})"
        return Problem(self.name, self.path, line, message)


class _Replan(Exception):
    """A walk reached a statement that needs earlier ones it did not run (``indexes``)."""

    def __init__(self, indexes: set[int]) -> None:
        super().__init__(sorted(indexes))
        self.indexes = indexes


def _restore_object(obj: Any, saved: Any) -> None:
    """Give a class its members, or a dict, list or set its items, as :meth:`_save_object`
    recorded them."""
    if isinstance(obj, type):
        for name in [n for n in vars(obj) if n not in saved]:
            with contextlib.suppress(AttributeError, TypeError):
                delattr(obj, name)
        for name, value in saved.items():
            if vars(obj).get(name, MISSING) is not value:
                with contextlib.suppress(AttributeError, TypeError):
                    setattr(obj, name, value)
    elif isinstance(obj, list):
        obj[:] = saved
    else:
        obj.clear()
        obj.update(saved)


def _integrated(
    integration: integrations.Integration, call: Callable[[Any], None], arg: Any
) -> None:
    """Run one integration step; its failure names the integration (and rolls the save back)."""
    try:
        call(arg)
    except Exception as exc:
        raise integrations.IntegrationError(
            f"the {integration.name} integration failed: {type(exc).__name__}: {exc}"
        ) from exc


# Statements that may leave a name they bind unbound, depending on what happens when they run.
_CONDITIONAL = (
    ast.If, ast.For, ast.AsyncFor, ast.While, ast.Try, ast.TryStar, ast.With, ast.AsyncWith,
    ast.Match,
)

_IDENTITY = "__hotswap_identity__"
# Methods from which class creation derives other members (``__eq__`` without ``__hash__``
# makes ``__hash__`` None): a class that gains or loses one is made anew, whole.
_CREATION_EFFECTS = frozenset({"__eq__", "__hash__"})


def _identity(value: Any) -> Any:
    return value


def _relaid(old: Statement, new: Statement) -> bool:
    """Whether lines moved inside a statement whose AST did not change (not all by one
    amount): its functions need new line tables, not one shift."""
    if old.last - old.first != new.last - new.first:
        return True
    if not old.members_behind and not new.members_behind:
        return not uniform_shift(old.node, new.node)  # each lies behind by its ``shift``
    return not uniform_shift(old.positioned(), new.positioned())


def _defines(node: ast.stmt) -> bool:
    return isinstance(
        node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Import | ast.ImportFrom
    )


def _dispatch_registry(func: Any) -> dict[Any, Any] | None:
    """The dict behind a ``singledispatch`` function's ``registry`` (a closure variable)."""
    register = getattr(func, "register", None)
    code = getattr(register, "__code__", None)
    if code is None or "registry" not in code.co_freevars or not hasattr(func, "dispatch"):
        return None
    closure = getattr(register, "__closure__", None) or ()
    index = code.co_freevars.index("registry")
    if index >= len(closure):
        return None
    value = closure[index].cell_contents
    return value if isinstance(value, dict) else None


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


def _star_bound(name: str, value: Any, starred: list[types.ModuleType]) -> bool:
    """Whether one of the star-imported modules still brings ``value`` under ``name``."""
    return any(getattr(module, name, MISSING) is value for module in starred)


def _changes_behaviour_of_users(name: str, value: Any, changes: list[Change]) -> bool:
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


_WRAPPED_ATTRS = ("__doc__", "__name__", "__qualname__", "__annotations__")


def _is_submodule(value: Any, package: str) -> bool:
    return isinstance(value, types.ModuleType) and value.__name__.startswith(package + ".")


def _wrappers_of(obj: Any) -> list[Any]:
    """Caching wrappers (``lru_cache`` and alike) on the way from ``obj`` to its functions."""
    out = []
    current = obj
    for _ in range(8):
        if callable(getattr(current, "cache_clear", None)):
            out.append(current)
        current = getattr(current, "__wrapped__", None)
        if current is None:
            break
    return out
