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

This module is the core (the attempt, the walk, the outcome); steps 2 to 4 are done by parts,
one module each (see :mod:`hotswap._engine.walk`).
"""

from __future__ import annotations

import ast
import sys
import types
from collections.abc import Callable
from typing import Any

from hotswap import _hooks as integrations
from hotswap._detect.text import SourceError
from hotswap._engine.binding import Binding, defines
from hotswap._engine.dataflow import Dataflow
from hotswap._engine.decorated import restub
from hotswap._engine.graves import Graves
from hotswap._engine.journal import MISSING, Journal
from hotswap._engine.kinds import clear_module_caches
from hotswap._engine.pairing import Step
from hotswap._engine.parsing import parse
from hotswap._engine.patch import Patcher
from hotswap._engine.patched import ClassPlan
from hotswap._engine.plan import ModulePlan, diff
from hotswap._engine.shifting import relaid
from hotswap._engine.source import STAR, ParsedSource, Statement
from hotswap._engine.touch import label, main_guard, touches
from hotswap._engine.walk import Outcome as Outcome  # (apply reads it from here)
from hotswap._errors import HotswapError
from hotswap._report import Change, Problem


class Transaction(Binding):
    """One module's reload: :meth:`run` applies a new source, or rolls back and says why.

    ``dirty`` (names other modules rebound), ``preset`` (names to bind before the walk, as
    propagation computed them) and ``recoded`` (functions whose code changed elsewhere) are
    keyword-only: three same-typed collections that a swap would confuse silently."""

    def __init__(
        self,
        module: types.ModuleType,
        path: str,
        old: ParsedSource | None,
        strategy: str,
        *,
        dirty: set[str] | None = None,
        preset: dict[str, Any] | None = None,
        recoded: set[str] | None = None,
        definitions_only: bool = False,
        graves: dict[str, Any] | None = None,
        old_bound: tuple[str, ...] | None = None,
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
        # With no old source: the names the old code bound, if known (``Record.bound``).
        self._old_bound = old_bound
        self.integrations: list[integrations.Integration] = []  # active ones, set per walk
        self.outcome = Outcome(self.name)
        self._attempt()

    def _attempt(self) -> None:
        """The state of one walk (a new one when a walk starts again)."""
        self.flow = Dataflow(set(self._given[0]), set(self._given[1]))
        self._caches_cleared_for = set()
        self.touched = set()
        self._saved_objects = set()
        self._dropped_attributes = {}
        # Holders of a fresh object to point at the kept one (a registry a re-run decorator
        # filled), made at once after the walk: each scan walks the whole heap.
        self._redirects = []
        self.journal = Journal()
        self.outcome = Outcome(self.name, parsed=self.outcome.parsed)
        self.classes = ClassPlan()
        self.patcher = Patcher(
            self.journal,
            self.name,
            self.path,
            changes=self.outcome.changes,
            warnings=self.outcome.warnings,
            graves=Graves(self._graves),
            classes=self.classes,
        )

    def run(self, text: str, parsed: ParsedSource | None = None) -> Outcome:
        try:
            new = parsed if parsed is not None else parse(text, self.path)
        except SourceError as exc:
            self.outcome.error = Problem(self.name, self.path, exc.line, str(exc))
            return self.outcome
        self.outcome.parsed = new
        plan = diff(self.old, new, self._old_bound)
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
            if self.flow.needed:
                raise _Replan(self.flow.needed)
            if sys.modules.get(self.name) is not self.module:
                what = "removed" if self.name not in sys.modules else "replaced"
                raise HotswapError(f"the module {what} itself in sys.modules while it ran")
            for integration in self.integrations:
                _integrated(integration, integration.after, applied)
        except _Replan:
            raise
        except Exception as exc:
            if self.flow.needed:  # (a walk that ran with names not as they stand: start again)
                raise _Replan(self.flow.needed) from exc
            return self._failed(exc)
        except BaseException as exc:
            return self._failed(exc)
        self.journal.commit()
        self.patcher.graves.commit()
        # Importers re-run what calls any function whose behaviour changed here.
        flow = self.flow
        self.outcome.recoded = flow.affected(new) if (flow.recoded or flow.dirty) else set()
        return self.outcome

    def _failed(self, exc: BaseException) -> Outcome:
        """Undo everything and say what failed, where."""
        failures = self.journal.rollback()
        # The new code may have filled caches before it failed (``V = f(3)`` with the new
        # ``f``): what they hold is not what the restored code computes.
        clear_module_caches(self.module.__dict__, self.path)
        self.outcome.error = problem_of(exc, self.name, self.path)
        self.outcome.changes.clear()
        self.outcome.rebinds.clear()
        self.outcome.members.clear()
        self.outcome.warnings.clear()  # about changes that were undone
        for failure in failures:  # none expected: each is a bug in hotswap
            message = f"could not undo everything the failed reload changed: {failure!r}"
            self.outcome.warnings.append(Problem(self.name, self.path, None, message))
        return self.outcome

    def _execute(self, plan: ModulePlan, new: ParsedSource) -> None:
        full = self.strategy == "full" or self.old is None
        forced = self._rebuild_registries(plan) | self._integration_reruns(plan)
        if not full and not self.definitions_only:
            forced |= self._dropped_writers(plan, new) | self._replan
        running = set(range(len(new.objects))) if full else forced
        forced |= restub(plan, new, self.name, self.journal, running, self.flow.dirty)
        # When nothing changed reaches the statements above the edit, none of them can run.
        every = bool(full or forced or self.flow.dirty or self.flow.recoded)
        moved: list[tuple[Statement, Statement]] = []  # only moved: shifted in one go
        self._walk(plan.steps if every else plan.rest, new, full, forced, moved)
        shift_tail = False
        if not every:
            # The statements after the edit run only when the edit rebound a name they read,
            # changed a function they call or made again an object they touch; otherwise
            # they all moved by the same lines, or not.
            if self.flow.tail_reached(plan.tail_objects(), new) or self._tail_touched(plan, forced):
                self._walk(plan.tail_steps(), new, full, forced, moved)
            else:
                shift_tail = plan.tail_moved()
        if moved:
            self._shift((o, n, 0, 0) for o, n in moved)
        if shift_tail:
            self._shift_tail(plan)
        self.patcher.retarget_closures()
        self._clear_caches(new)
        self._follow_replaced(new)
        self._remove_gone(plan, new)
        if not full:
            self._tidy_changes()

    def _runs(self, step: Step, full: bool, forced: set[int], reached: bool) -> bool:
        """Whether the statement of ``step`` runs in this walk (see the module docstring)."""
        stmt = step.new
        run = full or stmt.index in forced or step.status != "same" or reached
        if not run and self.flow.rebuilt and not touches(stmt).isdisjoint(self.flow.rebuilt):
            run = True  # sets something on a class whose body ran again: set it again
        return run and not (self.definitions_only and not defines(stmt.node))

    def _name_rerun(self, stmt: Statement, reported: int) -> None:
        """A plain statement that ran again and whose bindings do not say so (``X[k] = v``,
        a call, a loop) is reported by its label."""
        if stmt.is_def or stmt.is_class or main_guard(stmt.node):
            return
        assigns = isinstance(stmt.node, ast.Assign | ast.AnnAssign | ast.AugAssign)
        if len(self.outcome.changes) == reported or not assigns:
            where = self._where(stmt)
            self.outcome.changes.append(Change(self.name, label(stmt), "rerun", where))

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
            reached = not full and step.status == "same" and self.flow.reached(stmt, new)
            if not self._runs(step, full, forced, reached):
                before = step.old
                if before is not None and before.node is not stmt.node and relaid(before, stmt):
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
            self.flow.ran.add(stmt.index)
            plain = not (stmt.is_def or stmt.is_class)
            if plain and not full:
                self._before_plain(stmt, new, again=step.status == "same")
            # Body-only keeps the decorators' result: not when a decorator itself changed.
            if (
                step.body_only
                and stmt.index not in forced
                and not self.flow.reached(stmt, new)
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
                and not self.flow.reached(stmt, new)
                and self._patch_members(step, new)
            ):
                continue
            reported = len(self.outcome.changes)
            held = {n: namespace.get(n, MISSING) for n in stmt.binds}
            self._run(step, new)
            if not full:
                changed = [n for n, v in held.items() if namespace.get(n, MISSING) is not v]
                self._force_next_binders(changed, stmt, new, forced)
                self._name_rerun(stmt, reported)
            if reached and stmt.decorators_key:
                # Decorated again because its decorator changed: what it makes behaves anew,
                # even when patching found nothing left to change (patching the decorator
                # already moved the wrappers it had made onto its new code), so what calls it
                # at import time runs again.
                self.flow.recoded.update(n for n in stmt.binds if n != STAR)


class _Replan(Exception):
    """A walk reached a statement that needs earlier ones it did not run (``indexes``)."""

    def __init__(self, indexes: set[int]) -> None:
        super().__init__(sorted(indexes))
        self.indexes = indexes


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


def problem_of(exc: BaseException, module: str, path: str) -> Problem:
    """What failed, where: the last line of ``path`` the traceback passed, and where outside
    the module (not in hotswap's own frames) it was raised."""
    line = None
    elsewhere = None
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename == path:
            line = tb.tb_lineno
        elif not filename.startswith("<") and "hotswap" not in filename.rsplit("/", 2)[-2:-1]:
            elsewhere = f"{filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    try:
        text = str(exc)
    except Exception:
        text = "<exception str() failed>"
    message = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    if isinstance(exc, SyntaxError) and exc.filename == path:
        line = exc.lineno
    elif elsewhere and line is None and not isinstance(exc, KeyboardInterrupt):
        # Where a Ctrl-C lands outside the module (hotswap's own work between two
        # statements) says nothing about the user's code.
        message += f" (raised at {elsewhere})"
    return Problem(module, path, line, message)
