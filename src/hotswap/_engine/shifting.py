"""New line numbers for what the statements that did not run made.

A statement that did not change but moved (lines added above it) keeps its objects; their
functions get code objects with the new line numbers, so that tracebacks, ``inspect`` and
breakpoints point at the file as it stands: moved by one amount (:func:`shift_objects`), or
each by its own where lines moved inside the statement (:mod:`hotswap._engine.relines`).
"""

from __future__ import annotations

import ast
import copy
import types
from collections.abc import Iterable
from typing import Any

from hotswap._engine.functions import functions_in, shift_objects
from hotswap._engine.members import member_binds
from hotswap._engine.plan import ModulePlan
from hotswap._engine.relines import code_pairs, reline_objects, uniform_shift
from hotswap._engine.source import ParsedSource, Statement, compile_statement
from hotswap._engine.walk import Walk

# Statements that define no function in their lines: what they bind was made elsewhere, so
# nothing in it has lines here to move. (Looking cost a walk of every member of each class they
# bind: 0.1-0.6 ms a class, 3 ms a save for the eight sympy's ``expr.py`` imports at its end.)
_IMPORTS = (ast.Import, ast.ImportFrom)


class Shifting(Walk):
    """Line numbers of the functions of statements that moved (see the module docstring)."""

    def _placing(self) -> tuple[dict[int, tuple[types.CodeType, types.CodeType]], set[int]]:
        """Where shifting records inner code it changed and what got its new lines."""
        return self.patcher.log.nested, self.patcher.log.placed

    def _shift(self, moved: Iterable[tuple[Statement, Statement, int, int]]) -> None:
        """New line numbers for what statements that only moved made (hundreds per reload when
        lines were added near the top of a large module). ``moved`` gives each statement, old
        and new, with how many lines each lies below its fields (see ``ParsedSource.behind``)."""
        namespace = self.module.__dict__
        items = (
            (namespace[name], o.first + a, o.last + a, n.first + b - o.first - a)
            for o, n, a, b in moved
            if type(n.node) not in _IMPORTS
            for name in n.binds
            if name in namespace
        )
        shift_objects(items, self.path, self.journal, *self._placing())

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
            objects, functions, pairs, self.journal, *self._placing()
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
        shift_objects(items, self.path, self.journal, *self._placing())

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


def relaid(old: Statement, new: Statement) -> bool:
    """Whether lines moved inside a statement whose AST did not change (not all by one
    amount): its functions need new line tables, not one shift."""
    if old.last - old.first != new.last - new.first:
        return True
    if not old.members_behind and not new.members_behind:
        return not uniform_shift(old.node, new.node)  # each lies behind by its ``shift``
    return not uniform_shift(old.positioned(), new.positioned())
