"""Which members of an edited class changed, when only its methods did.

An edit inside a class re-ran the whole class statement: every method compiled again, every
member patched (and reported), class-body values compared by dumping each statement, the fresh
class looked up on the heap. When the class's header and its other statements are unchanged and
only ``def`` members (or plain ``NAME = value`` assignments) changed, were added or went away,
the engine instead runs just those statements (in a stand-in class of the same name, so names
mangle and ``__qualname__`` reads as in the real class) and patches them onto the kept class
(see ``ClassBodies._patch_members``). :func:`member_edit` says whether that is the same as
re-running the class, and which members it concerns:

- each changed, added or removed ``def`` binds a name that no other statement of the class body
  binds (no ``@x.setter`` pairs, no ``m = other``), before or after the edit;
- no other class-body statement reads such a name (``p = property(get)`` captures ``get``);
- its decorators, defaults and annotations read no name the class body binds (they run in the
  stand-in class, which binds nothing else);
- every other statement is unchanged, in the same order; a changed assignment keeps its one
  target name (``SIZE = 10`` -> ``SIZE = 20``; not a dunder, which class creation reads);
- an assignment that changed reads no name the class body binds (``B = A * 2``).

Members the edit did not touch are found by identity first (a nested re-parse shares them, see
:mod:`hotswap._engine.nested`), so the comparison costs what the edit touched, not the class.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field

from hotswap._engine.pairing import Step, pair, same_ast
from hotswap._engine.relines import uniform_shift
from hotswap._engine.source import Statement, make_statement

_DEFS = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass
class MemberEdit:
    """What an edit did to a class's members, in new positions (``run``) and old names."""

    run: list[int] = field(default_factory=list)  # changed or added members, in source order
    removed: list[str] = field(default_factory=list)
    # Attributes that ``self.NAME = ...`` stores in the members run, and in their old versions
    # and the removed ones (what class creation records as ``__static_attributes__``, 3.13).
    stores: set[str] = field(default_factory=set)
    old_stores: set[str] = field(default_factory=set)
    # Members that did not change but moved: (names they bind, old first, old last, lines).
    moved: list[tuple[frozenset[str], int, int, int]] = field(default_factory=list)
    # Members that did not change but whose lines moved inside them: (old, new position).
    relined: list[tuple[int, int]] = field(default_factory=list)


def member_edit(old: Statement, new: Statement, postponed: bool) -> MemberEdit | None:
    """The members of the ``class`` statement ``new`` to run again, or None when only running
    the whole class statement again is the same as a fresh run."""
    old_node, new_node = old.node, new.node
    if not isinstance(old_node, ast.ClassDef) or not isinstance(new_node, ast.ClassDef):
        return None
    before, after = old_node.body, new_node.body
    head, tail = _shared_ends(before, after)
    old_window = range(head, len(before) - tail)
    new_window = range(head, len(after) - tail)
    old_others = [i for i in old_window if not isinstance(before[i], _DEFS)]
    new_others = [i for i in new_window if not isinstance(after[i], _DEFS)]
    if len(old_others) != len(new_others):
        return None  # a class-body statement other than a def came or went
    edit = MemberEdit()
    touched: set[str] = set()
    # Members that did not change: (old position, new position).
    pairs = [(i, i) for i in range(head)]
    for i, j in zip(old_others, new_others, strict=True):
        if before[i] is after[j] or same_ast(before[i], after[j]):
            pairs.append((i, j))
            continue
        target = _plain_assignment(before[i])
        if target is None or target != _plain_assignment(after[j]):
            return None  # another kind of class-body statement changed
        edit.run.append(j)  # ``SIZE = 10`` -> ``SIZE = 20``
        edit.old_stores |= self_stores(before[i])
        touched.add(target)
    # Definitions pair up as top-level ones do: the n-th ``def _`` with the n-th.
    matched: set[int] = set()
    for step in match_defs(before, after, old_window, new_window):
        j = step.new.index
        k = step.old.index if step.old is not None else None
        if k is not None:
            matched.add(k)
        if k is not None and step.status == "same":
            pairs.append((k, j))
        else:
            edit.run.append(j)
            touched.add(step.new.name or "")
            if k is not None:
                edit.old_stores |= self_stores(before[k])
    offset = len(after) - len(before)
    pairs.extend((i, i + offset) for i in range(len(before) - tail, len(before)))
    edit.run.sort()
    gone = [i for i in old_window if isinstance(before[i], _DEFS) and i not in matched]
    new_names = {after[j].name for j in new_window if isinstance(after[j], _DEFS)}  # type: ignore[attr-defined]
    for i in gone:
        name = before[i].name  # type: ignore[attr-defined]
        touched.add(name)
        if name not in new_names and name not in edit.removed:
            edit.removed.append(name)
        edit.old_stores |= self_stores(before[i])
    for j in edit.run:
        edit.stores |= self_stores(after[j])
    touched.update(edit.removed)
    if touched and _entangled(touched, before, after, edit.run, postponed):
        return None
    _place_unchanged(edit, pairs, old, new)
    return edit


def _shared_ends(before: list[ast.stmt], after: list[ast.stmt]) -> tuple[int, int]:
    """How many class-body statements at the start and at the end the edit left the same
    objects (a nested re-parse shares them)."""
    limit = min(len(before), len(after))
    head = 0
    while head < limit and before[head] is after[head]:
        head += 1
    tail = 0
    while tail < limit - head and before[-1 - tail] is after[-1 - tail]:
        tail += 1
    return head, tail


def _entangled(
    touched: set[str],
    before: list[ast.stmt],
    after: list[ast.stmt],
    run: list[int],
    postponed: bool,
) -> bool:
    """Whether other class-body statements bind or read the members the edit touched, or
    the members to run read class-body names (then the class must run whole)."""
    old_binds, _old_reads = _body_names(before)
    new_binds, new_reads = _body_names(after)
    for name in touched:
        if old_binds.get(name, 0) > 1 or new_binds.get(name, 0) > 1:
            return True  # bound twice: which binding wins is for the class body to say
    if not touched.isdisjoint(new_reads):
        return True  # another class-body statement holds one of them
    bound = set(old_binds) | set(new_binds)
    for j in run:
        header = make_statement(after[j], 0, postponed).reads
        if any(name.partition(".")[0] in bound for name in header):
            return True  # a decorator or default reads a class-body name
    return False


def _place_unchanged(
    edit: MemberEdit, pairs: list[tuple[int, int]], old: Statement, new: Statement
) -> None:
    """Members that kept their AST but not their lines (below an edit that added lines), or
    not their layout (a re-wrap inside them: see :mod:`hotswap._engine.relines`)."""
    assert isinstance(old.node, ast.ClassDef) and isinstance(new.node, ast.ClassDef)
    before, after = old.node.body, new.node.body
    for i, j in pairs:
        if before[i] is not after[j] and not uniform_shift(
            old.member_positioned(i), new.member_positioned(j)
        ):
            edit.relined.append((i, j))
            continue
        shift = new.member_first(j) - old.member_first(i)
        if shift:
            edit.moved.append(
                (member_binds(before[i]), old.member_first(i), old.member_last(i), shift)
            )


def match_defs(
    before: list[ast.stmt],
    after: list[ast.stmt],
    old_window: Iterable[int],
    new_window: Iterable[int],
) -> list[Step]:
    """The ``def`` members of two class bodies (in the windows given) paired the way the
    plan pairs top-level statements (``hotswap._engine.pairing.pair``: by name, the n-th definition
    of a name with the n-th); each statement's ``index`` is its position in its body."""
    steps, _unmatched = pair(
        [_def_statement(before[i], i) for i in old_window if isinstance(before[i], _DEFS)],
        [_def_statement(after[j], j) for j in new_window if isinstance(after[j], _DEFS)],
        len(after),
    )
    return steps


@dataclass
class Shadowed:
    """The ``def``s of a re-run class body that share a name with another ``def`` of it
    (before or after the edit), paired in order; see :func:`shadowed_defs`."""

    # name -> (old first line, new first line) of each definition matched to one.
    pairs: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    # ``X`` of each ``@X.register`` member that changed, came or went: the registry that
    # ``X`` holds must be the fresh one, filled by the new members (patched old objects).
    rebuild: set[str] = field(default_factory=set)


def shadowed_defs(old: Statement, new: Statement) -> Shadowed | None:
    """How the definitions that share a name in a class body pair up (the n-th ``def _``
    with the n-th, as top-level statements do), for a class statement that runs whole: only
    the last of them ends up in the class dict; the others live on where their decorator put
    them (a ``singledispatchmethod`` registry, a ``property``), and each must get its own
    new code. None when no ``def`` name repeats."""
    old_node, new_node = old.node, new.node
    if not isinstance(old_node, ast.ClassDef) or not isinstance(new_node, ast.ClassDef):
        return None
    before, after = old_node.body, new_node.body
    repeated = _repeated(before) | _repeated(after)
    registering = {
        target
        for node in (*before, *after)
        if (target := registers_into(node)) is not None
    }
    if not repeated and not registering:
        return None
    out = Shadowed()
    matched: set[int] = set()
    for step in match_defs(before, after, range(len(before)), range(len(after))):
        name = step.new.name or ""
        j = step.new.index
        target = registers_into(after[j])
        if step.old is None:
            if target is not None:
                out.rebuild.add(target)
            continue
        i = step.old.index
        matched.add(i)
        if name in repeated:
            out.pairs.setdefault(name, []).append((old.member_first(i), new.member_first(j)))
        if target is not None and (
            step.status != "same" or registers_into(before[i]) != target
        ):
            out.rebuild.add(target)
    for i, node in enumerate(before):
        target = registers_into(node)
        if target is not None and i not in matched:
            out.rebuild.add(target)
    return out


def registers_into(node: ast.stmt) -> str | None:
    """``X`` for a definition decorated with ``@X.register`` or ``@X.register(...)``."""
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return None
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if (
            isinstance(target, ast.Attribute)
            and target.attr == "register"
            and isinstance(target.value, ast.Name)
        ):
            return target.value.id
    return None


def _repeated(body: list[ast.stmt]) -> set[str]:
    seen: set[str] = set()
    out: set[str] = set()
    for node in body:
        if isinstance(node, _DEFS):
            (out if node.name in seen else seen).add(node.name)
    return out


def _def_statement(node: ast.stmt, position: int) -> Statement:
    """What :func:`match` reads of a member: its name and AST (nothing is scanned)."""
    name = node.name  # type: ignore[attr-defined]
    return Statement(node, position, 0, 0, frozenset(), frozenset(), frozenset(), name=name)


def self_stores(node: ast.stmt) -> set[str]:
    """``NAME`` of every ``self.NAME = ...`` (or ``+=``) in a member, nested functions included,
    nested classes not: what the compiler adds to the class's ``__static_attributes__``."""
    out: set[str] = set()
    stack: list[ast.AST] = [node]
    while stack:
        current = stack.pop()
        if (
            type(current) is ast.Attribute
            and type(current.ctx) is ast.Store
            and type(current.value) is ast.Name
            and current.value.id == "self"
        ):
            out.add(current.attr)
        if current is not node and isinstance(current, ast.ClassDef):
            continue  # its stores are its own class's
        stack.extend(ast.iter_child_nodes(current))
    return out


def member_name(node: ast.stmt) -> str:
    """The name a member that :func:`member_edit` runs binds (a def, or a plain assignment)."""
    if isinstance(node, _DEFS):
        return node.name
    name = _plain_assignment(node)
    assert name is not None
    return name


def _plain_assignment(node: ast.stmt) -> str | None:
    """``NAME = value`` (one target, not a dunder such as ``__slots__`` or ``__hash__``,
    which class creation reads): its name."""
    if (
        type(node) is ast.Assign
        and len(node.targets) == 1
        and type(node.targets[0]) is ast.Name
        and not node.targets[0].id.startswith("__")
    ):
        return node.targets[0].id
    return None


def member_binds(node: ast.stmt) -> frozenset[str]:
    """The names a class-body statement binds."""
    if isinstance(node, _DEFS | ast.ClassDef):
        return frozenset({node.name})
    return make_statement(node, 0).binds


def _body_names(body: list[ast.stmt]) -> tuple[dict[str, int], set[str]]:
    """How many class-body statements bind each name, and the names the statements other than
    ``def``s read while the class body runs."""
    binds: dict[str, int] = {}
    reads: set[str] = set()
    for node in body:
        if isinstance(node, _DEFS):
            binds[node.name] = binds.get(node.name, 0) + 1
            continue
        info = make_statement(node, 0)
        for name in info.binds:
            binds[name] = binds.get(name, 0) + 1
        reads.update(name.partition(".")[0] for name in info.reads)
    return binds, reads
