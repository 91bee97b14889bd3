"""Statements that write into objects other statements made (``REG[k] = v``, ``C.x = f``).

A fresh run makes such an object and then the statements that write into it run, in source
order. When the object is made again (a class whose body ran again, a dict a changed statement
rebinds), each writer runs again after it; a writer that went away makes its object be made
again; a re-running writer finds its object as its first run found it, else its maker runs
first (the walk starts again, see ``_Replan``). What writers change on objects they touch is
journaled before they run.
"""

from __future__ import annotations

import ast
import contextlib
import functools
from typing import Any

from hotswap._engine.functions import functions_in
from hotswap._engine.journal import MISSING
from hotswap._engine.plan import ModulePlan
from hotswap._engine.shifting import Shifting
from hotswap._engine.source import STAR, ParsedSource, Statement
from hotswap._engine.touch import (
    called_touches,
    head,
    label,
    main_guard,
    set_attributes,
    touches,
    unknown_effects,
)
from hotswap._engine.walk import CONDITIONAL
from hotswap._report import Change, Problem


class Writers(Shifting):
    """Statements that write into objects other statements made (see the module docstring)."""

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
            if not again or name in self.flow.rebuilt or name in self.flow.dirty:
                continue
            maker = self._maker(name, stmt.index, new)
            if maker is not None and maker not in self.flow.ran:
                need.add(maker)
        # Names whose value this statement needs as it stood at its line: their last earlier
        # binder runs again first, at this point, when this walk has not run it.
        names: list[str] = []
        if isinstance(stmt.node, CONDITIONAL):
            # A name it may leave unbound (``if TYPE_CHECKING:``, a loop over nothing) has,
            # as it runs, the value its earlier binder gave (see ``_run``).
            names += [n for n in stmt.binds if n != STAR and "." not in n]
        if isinstance(stmt.node, ast.Delete):
            # ``del a, b`` needs them bound: a name its last run deleted is bound again first.
            names += [n for n in stmt.binds & stmt.reads if n not in namespace]
        for name in stmt.reads:
            if "." in name or name in stmt.binds:
                continue
            binders = new.named(name)
            if binders and binders[-1].index >= stmt.index:
                names.append(name)  # a later line rebinds it: its value now is not its value here
        for name in names:
            binder = self._binder_first(name, stmt, new)
            if binder is not None:
                need.add(binder)
        # The walk goes on, to find what else it needs, then starts again (see ``_transact``).
        self.flow.needed |= need - self._replan  # (forced already, yet not run: go on as it is)

    def _binder_first(self, name: str, stmt: Statement, new: ParsedSource) -> int | None:
        """The last statement before ``stmt`` that binds ``name``, when this walk has not run
        it (it is to run again first, at this point); None when there is none to run."""
        earlier = [b.index for b in new.named(name) if b.index < stmt.index]
        if not earlier or earlier[-1] in self.flow.ran:
            return None
        self._at_point.add(earlier[-1])
        return earlier[-1]

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
                self.flow.dirty.add(f"{cls.__qualname__}.{name}")
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
        if not self.flow.rebuilt:
            return False
        return any(not touches(s).isdisjoint(self.flow.rebuilt) for s in plan.tail_objects())


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
