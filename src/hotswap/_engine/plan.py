"""What a reload has to run: statement diff, dataflow of names, module dependency order.

Statements of the old and the new source are matched by *what they are*, not where they are
(:mod:`hotswap._engine.pairing`): a ``def``/``class`` by its name (n-th definition of a name to
the n-th; ``@overload`` stubs among themselves), any other statement by its AST without
positions (n-th identical statement to the n-th). A matched statement whose AST is unchanged
is *same* (possibly moved: its functions get their line numbers shifted); the rest are
*changed*. The engine runs the changed statements in source order and, by the dataflow rule,
every same statement that reads a name a previous step rebound to a different object.

A statement also *touches* the objects it changes without rebinding their names: ``C.x = ...``,
``X[k] = ...``, ``del C.x``, ``X.append(...)``, ``setattr(C, ...)``, ``add_methods(C)``
(:func:`touches`). Touching is a write in the same dataflow: when ``C`` is made again (its class
body ran), every later statement that touches it runs again, in source order; when a statement
that touched ``X`` went away (*dropped*), the statement that made ``X`` runs again and with it
the writers that remain; a fresh run leaves the object so.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field

from hotswap._detect.imports import resolve
from hotswap._engine.pairing import Step, pair, same_ast
from hotswap._engine.scan import Scan
from hotswap._engine.source import STAR, ParsedSource, Statement


@dataclass(eq=False)
class ModulePlan:
    """The statements of the new source, in three runs: the *kept* ones (the first ``head``
    statements, which the re-parse kept as they were: same objects, same lines), ``rest`` (the
    steps of the edited window, matched by name or key), and the *tail* (the last ``tail``
    statements of both sources, which the re-parse reused: each the same as the old one,
    possibly moved by the edit's change in line count). Kept and tail statements get no
    :class:`Step`, and no copy with their real lines, unless the walk asks for one: a one-line
    edit of a large module walks only its window."""

    rest: list[Step]
    removed: set[str] = field(default_factory=set)  # bound by the old source only
    # Old statements no new statement matched (an edited ``X[k] = v`` is one of these and an
    # added one), each with the position in the new source where it stood.
    dropped: list[tuple[Statement, int]] = field(default_factory=list)
    old: ParsedSource | None = None
    new: ParsedSource | None = None
    head: int = 0
    tail: int = 0

    @property
    def steps(self) -> list[Step]:
        return self.kept_steps() + self.rest + self.tail_steps()

    def kept_steps(self, decorated_only: bool = False) -> list[Step]:
        new = self.new
        if new is None:
            return []
        objects = new.objects
        return [
            Step(new.statement(i), new.statement(i), "same")
            for i in range(self.head)
            if objects[i].decorators_key or not decorated_only
        ]

    def tail_pairs(self) -> tuple[int, int]:
        """Where the tail starts in the old and in the new source."""
        assert self.old is not None and self.new is not None
        return len(self.old.objects) - self.tail, len(self.new.objects) - self.tail

    def tail_objects(self) -> list[Statement]:
        """The tail's statements as stored (their names and reads; not their lines)."""
        if self.new is None or not self.tail:
            return []
        return self.new.objects[len(self.new.objects) - self.tail :]

    def tail_steps(self, decorated_only: bool = False) -> list[Step]:
        if not self.tail or self.old is None or self.new is None:
            return []
        old, new = self.old, self.new
        at_old, at_new = self.tail_pairs()
        return [
            Step(new.statement(at_new + k), old.statement(at_old + k), "same")
            for k in range(self.tail)
            if new.objects[at_new + k].decorators_key or not decorated_only
        ]

    def tail_moved(self) -> bool:
        """Whether the tail moved (all of it by the same lines: the edit's change in count)."""
        if not self.tail or self.old is None or self.new is None:
            return False
        at_old, at_new = self.tail_pairs()
        return self.new.first_of(at_new) != self.old.first_of(at_old)


def diff(
    old: ParsedSource | None, new: ParsedSource, old_bound: Iterable[str] | None = None
) -> ModulePlan:
    """Match new statements to old ones; with no old source, every statement is changed (and
    what ``old_bound``, the names the old code bound, holds that the new does not bind is
    removed). Statements an incremental re-parse reused (the same AST object) before and after
    the edited window pair up as they stand; only the window is matched by name or key."""
    if old is None:
        gone = set(old_bound or ()).difference(new.bound_names())
        return ModulePlan([Step(s, None, "added") for s in new.statements], gone)
    olds, news = old.objects, new.objects
    limit = min(len(olds), len(news))
    head = 0
    while head < limit and olds[head] is news[head]:
        head += 1  # the re-parse keeps statements above the edit as they are
    if _runs(old, head) != _runs(new, head):  # the same objects, but not on the same lines
        head = next(
            (i for i in range(head) if old.lines_behind(i) != new.lines_behind(i)), head
        )
    tail = 0
    while tail < limit - head and olds[-1 - tail].node is news[-1 - tail].node:
        tail += 1
    old_window = [old.statement(i) for i in range(head, len(olds) - tail)]
    new_window = [new.statement(i) for i in range(head, len(news) - tail)]
    # Names bound outside the window are bound by the same statements on both sides.
    removed = {
        name
        for stmt in old_window
        for name in stmt.binds
        if name != STAR and not new.binds(name)
    }
    steps, dropped = pair(old_window, new_window, len(news) - tail)
    if old.postponed != new.postponed:
        # ``from __future__ import annotations`` added or removed: the same text compiles to
        # other code wherever it holds an annotation (strings, not evaluated at ``def`` time).
        steps = [
            Step(s.new, s.old, "changed") if s.status == "same" and _annotated(s.new.node) else s
            for s in steps
        ]
    return ModulePlan(steps, removed, dropped, old, new, head, tail)


def _annotated(node: ast.AST) -> bool:
    """Whether ``node`` holds an annotation anywhere (nested definitions too)."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.AnnAssign) or (isinstance(sub, ast.arg) and sub.annotation):
            return True
        if isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef) and sub.returns is not None:
            return True
    return False


def _runs(parsed: ParsedSource, stop: int) -> list[tuple[int, int | None]]:
    return [run for run in parsed.behind if run[0] < stop]


@dataclass
class ClassMaps:
    """Per class qualname: body names whose live value is kept, and names removed from the body."""

    keep: dict[str, frozenset[str]] = field(default_factory=dict)
    removed: dict[str, frozenset[str]] = field(default_factory=dict)


def class_maps(
    old: ast.ClassDef | None, new: ast.ClassDef, qualname: str, dirty: Iterable[str]
) -> ClassMaps:
    """Dataflow inside a re-run class body (recursing into nested classes).

    A class-body statement that is textually unchanged and reads no name rebound by a changed
    statement before it (in the class or the module) keeps its live value: state kept on the
    class survives an edit of one of its methods.
    """
    maps = ClassMaps()
    _class_maps(old, new, qualname, set(dirty), maps)
    return maps


def _class_maps(
    old: ast.ClassDef | None, new: ast.ClassDef, qualname: str, dirty: set[str], out: ClassMaps
) -> None:
    # Old members not shared, by kind and the names they bind (equal trees bind equal names):
    # a new member equal to one (``same_ast``, no ``ast.dump``) is unchanged; each taken once.
    available: dict[tuple[type, frozenset[str]], list[ast.stmt]] = {}
    old_binds: set[str] = set()
    old_classes: dict[str, ast.ClassDef] = {}
    # Members a nested re-parse reused are the same nodes in both bodies (see _nested): equal
    # without comparing them (most of the class work of a checkout's modules).
    shared: dict[int, tuple[frozenset[str], frozenset[str]]] = {}
    if old is not None:
        ids = {id(stmt) for stmt in new.body}
        for stmt in old.body:
            info = _binds_reads(stmt)
            if id(stmt) in ids:
                shared[id(stmt)] = info
            else:
                available.setdefault((type(stmt), info[0]), []).append(stmt)
            old_binds |= info[0]
            if isinstance(stmt, ast.ClassDef):
                old_classes[stmt.name] = stmt
    keep: set[str] = set()
    new_binds: set[str] = set()
    local_dirty = set(dirty)
    for stmt in new.body:
        same = shared.get(id(stmt))
        binds, reads = same if same is not None else _binds_reads(stmt)
        new_binds |= binds
        unchanged = not (reads & local_dirty)
        if same is None and unchanged:
            pool = available.get((type(stmt), binds), [])
            match = next((i for i, o in enumerate(pool) if same_ast(o, stmt)), None)
            if match is None:
                unchanged = False
            else:
                del pool[match]
        if unchanged:
            keep |= binds
        else:
            local_dirty |= binds
        if isinstance(stmt, ast.ClassDef):
            _class_maps(old_classes.get(stmt.name), stmt, f"{qualname}.{stmt.name}", dirty, out)
    out.keep[qualname] = frozenset(keep - (new_binds & local_dirty))
    out.removed[qualname] = frozenset(old_binds - new_binds) if old is not None else frozenset()


def _binds_reads(node: ast.stmt) -> tuple[frozenset[str], frozenset[str]]:
    """What a class-body statement binds and reads, as ``source.make_statement`` says, without
    what it does not need here (the names a method body reads, the decorators' dump)."""
    scan = Scan(postponed_annotations=False)
    scan.statement(node, module_scope=True)
    return frozenset(scan.binds), frozenset(scan.reads)


# -- imports between modules --------------------------------------------------------------


@dataclass(frozen=True)
class FromImport:
    """``from source import name as alias`` (``name == "*"`` for a star import)."""

    source: str
    name: str
    alias: str


def from_imports(parsed: ParsedSource, importer: str, is_package: bool) -> list[FromImport]:
    """Top-level ``from x import y`` statements of a module, with ``x`` resolved."""
    out = []
    for stmt in parsed.objects:
        for node in _top_level_imports(stmt.node):
            if not isinstance(node, ast.ImportFrom):
                continue
            source = resolve(node.module, node.level, importer, is_package)
            if source is None:
                continue
            for alias in node.names:
                out.append(FromImport(source, alias.name, alias.asname or alias.name))
    return out


def module_aliases(parsed: ParsedSource, importer: str, is_package: bool) -> dict[str, str]:
    """How code in a module names other modules: ``import a.b`` -> {"a.b": "a.b", "a": "a"},
    ``import a.b as x`` -> {"x": "a.b"}, ``from p import s`` -> {"s": "p.s"} (if a module)."""
    out: dict[str, str] = {}
    for stmt in parsed.objects:
        for node in _top_level_imports(stmt.node):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        out[alias.asname] = alias.name
                    else:
                        parts = alias.name.split(".")
                        for end in range(1, len(parts) + 1):
                            prefix = ".".join(parts[:end])
                            out[prefix] = prefix
            else:
                source = resolve(node.module, node.level, importer, is_package)
                if source is None:
                    continue
                for alias in node.names:
                    if alias.name != STAR:
                        out.setdefault(alias.asname or alias.name, f"{source}.{alias.name}")
    return out


def dependencies(parsed: ParsedSource, importer: str, is_package: bool) -> set[str]:
    """Module names this module imports at top level (``from p import s`` counts ``p.s`` too)."""
    out: set[str] = set()
    for stmt in parsed.objects:
        for node in _top_level_imports(stmt.node):
            if isinstance(node, ast.Import):
                out.update(alias.name for alias in node.names)
            else:
                source = resolve(node.module, node.level, importer, is_package)
                if source is None:
                    continue
                out.add(source)
                out.update(f"{source}.{alias.name}" for alias in node.names if alias.name != STAR)
    return out


def _top_level_imports(node: ast.stmt) -> list[ast.Import | ast.ImportFrom]:
    """Imports in a statement, including those under ``if``/``try`` (not inside functions)."""
    found: list[ast.Import | ast.ImportFrom] = []
    stack: list[ast.AST] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Import | ast.ImportFrom):
            found.append(current)
        elif isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        elif isinstance(current, ast.stmt):
            stack.extend(c for c in ast.iter_child_nodes(current) if isinstance(c, ast.stmt))
            stack.extend(
                s
                for h in getattr(current, "handlers", [])
                for s in h.body
                if isinstance(current, ast.Try | ast.TryStar)
            )
    return found


def dependency_order(names: list[str], deps: dict[str, set[str]]) -> list[str]:
    """``names`` ordered so that a module comes after the modules it imports (stable)."""
    order: list[str] = []
    state: dict[str, int] = {}
    wanted = set(names)

    def visit(name: str) -> None:
        if state.get(name) is not None:
            return
        state[name] = 1
        for dep in sorted(deps.get(name, ())):
            if dep in wanted and dep != name:
                visit(dep)
        state[name] = 2
        order.append(name)

    for name in names:
        visit(name)
    return order
