"""Pairing the statements of an old and a new source (the plan's first step, see
:mod:`hotswap._engine.plan`): a ``def``/``class`` by its name (the n-th definition of a name with
the n-th; ``@overload`` stubs among themselves), any other statement by its AST without
positions (the n-th identical statement with the n-th). The members of a class re-parsed alone
pair the same way (:mod:`hotswap._engine.members`).

A statement the incremental re-parse reused (the same AST object on both sides, moved by lines
added or removed above it) pairs with its old self without its key being made, where that is
what the rule gives: when no statement only one side has could take its place, which a rough
label tells (equal keys have equal labels). Making the keys of both sides' statements between a
line inserted at the top of a module and an edit far below (an ``ast.dump`` of each) was 3 ms
of such a first save.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any, Literal

from hotswap._engine.skeleton import may_read, settle
from hotswap._engine.source import Statement

Status = Literal["same", "changed", "added"]


@dataclass(eq=False, slots=True)  # one per statement per reload: no __dict__ each
class Step:
    new: Statement
    old: Statement | None
    status: Status

    @property
    def delta(self) -> int:
        return self.new.first - self.old.first if self.old is not None else 0

    @property
    def body_only(self) -> bool:
        """A decorated ``def`` whose decorator lines did not change: keep the decorator's result."""
        return (
            self.status == "changed"
            and self.old is not None
            and self.new.is_def
            and self.old.is_def
            and bool(self.new.decorators_key)
            and self.new.decorators_key == self.old.decorators_key
        )


def pair(
    olds: list[Statement], news: list[Statement], end: int
) -> tuple[list[Step], list[tuple[Statement, int]]]:
    """Pair statements by name (definitions) or by key (others), in source order; and the old
    statements left without a match, each with the new position of the first statement after
    it that was matched (``end`` when none)."""
    kept = _reused(olds, news)  # (see the module docstring)
    # Pools of the other old statements by name or key (a list when a name or key repeats).
    defs: dict[str, Statement | list[Statement]] = {}
    others: dict[str, Statement | list[Statement]] = {}
    for stmt in olds:
        if id(stmt.node) in kept:
            continue
        pools, label = (defs, def_label(stmt)) if stmt.name is not None else (others, stmt.key)
        pooled = pools.get(label)
        if pooled is None:
            pools[label] = stmt
        elif isinstance(pooled, list):
            pooled.append(stmt)
        else:
            pools[label] = [pooled, stmt]
    steps = []
    for stmt in news:
        shared = kept.get(id(stmt.node))
        if shared is not None:
            steps.append(Step(stmt, shared, "same"))
            continue
        pools, label = (defs, def_label(stmt)) if stmt.name is not None else (others, stmt.key)
        pooled = pools.get(label)
        if pooled is None or (isinstance(pooled, list) and not pooled):
            steps.append(Step(stmt, None, "added"))
            continue
        if isinstance(pooled, list):
            match = pooled.pop(0)
        else:
            match = pooled
            del pools[label]
        # The same AST object (a statement an incremental re-parse reused) has the same key.
        same = match.node is stmt.node or same_ast(match.node, stmt.node)
        steps.append(Step(stmt, match, "same" if same else "changed"))
    matched = {id(s.old): s.new.index for s in steps if s.old is not None}
    dropped: list[tuple[Statement, int]] = []
    following = end
    for stmt in reversed(olds):
        at = matched.get(id(stmt))
        if at is None:
            dropped.append((stmt, following))
        else:
            following = min(following, at)
    dropped.reverse()
    return steps, dropped


def def_label(stmt: Statement) -> str:
    """What a definition pairs by: its name; an ``@overload`` stub pairs with old stubs only
    (``name`` plus a mark no identifier has): stubs added above a function, or removed, never
    take the real function's place, so it pairs with the old real one and keeps its identity."""
    name = stmt.name
    assert name is not None
    node = stmt.node  # (a function a skeleton left unparsed is parsed only if its text may tell)
    defs = ast.FunctionDef | ast.AsyncFunctionDef
    if isinstance(node, defs) and may_read(node, {"overload"}) and any(
        is_overload(d) for d in node.decorator_list
    ):
        return name + " @overload"
    return name


def is_overload(decorator: ast.expr) -> bool:
    """``@overload``, ``@typing.overload``, ``@t.overload``, ``@typing_extensions.overload``
    (by the name: what else would be called so)."""
    return (isinstance(decorator, ast.Name) and decorator.id == "overload") or (
        isinstance(decorator, ast.Attribute) and decorator.attr == "overload"
    )


def same_ast(a: ast.AST, b: ast.AST) -> bool:
    """Whether two trees are equal but for positions (what comparing their ``ast.dump`` says,
    without building either dump: it stops at the first difference)."""
    stack: list[tuple[Any, Any]] = [(a, b)]
    pop, push = stack.pop, stack.append
    while stack:
        x, y = pop()
        if x is y:
            continue  # a member a nested re-parse shared (see _nested): the same subtree
        if type(x) is not type(y) and (not (settle(x) | settle(y)) or type(x) is not type(y)):
            return False  # (a body a skeleton parse left for later is parsed first: settle)
        if isinstance(x, ast.AST):
            for name in x._fields:
                push((getattr(x, name, None), getattr(y, name, None)))
        elif type(x) is list:
            if len(x) != len(y):
                return False
            stack.extend(zip(x, y, strict=True))
        elif x != y:
            return False
    return True


def _reused(olds: list[Statement], news: list[Statement]) -> dict[int, Statement]:
    """The old statements whose AST the new side shares, by its id, that pair with themselves:
    those whose rough label no statement only one side has bears. (Among statements of one
    label that both sides share, the re-parse kept their order: the n-th pairs with the n-th.)"""
    on_new = {id(stmt.node) for stmt in news}
    shared = {id(stmt.node): stmt for stmt in olds if id(stmt.node) in on_new}
    if not shared:
        return shared
    alone = {_rough(s) for s in olds if id(s.node) not in shared}
    alone.update(_rough(s) for s in news if id(s.node) not in shared)
    if not alone:
        return shared
    return {key: stmt for key, stmt in shared.items() if _rough(stmt) not in alone}


def _rough(stmt: Statement) -> tuple[Any, ...]:
    """A label equal for any two statements that pair by the rule (the same name, or the same
    key): a definition's name; another statement's kind and the names it binds (its statement
    has them: how ``plan.class_maps`` pools class-body statements too)."""
    if stmt.name is not None:
        return ("def", stmt.name)
    return (type(stmt.node), stmt.binds)
