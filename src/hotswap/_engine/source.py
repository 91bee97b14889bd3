"""Reading, decoding and splitting module sources into top-level statements.

A module's source becomes a :class:`ParsedSource`: its top-level statements, each with a *key*
(what it is, independent of where it sits: an AST dump without positions), the names it binds at
module scope and the names it reads while the module body runs (*exec-time* reads: decorators,
defaults and annotations of a ``def``, the whole body of a ``class``, everything outside
function bodies otherwise). The plan compares two ``ParsedSource`` objects statement by statement;
the engine compiles single statements with their original line numbers. What a statement binds
and reads is read off its AST by :mod:`hotswap._engine.scan`.
"""

from __future__ import annotations
import __future__

import ast
import bisect
import copy
import types
from collections.abc import Iterator
from dataclasses import dataclass, field

from hotswap._detect.outline import node_first
from hotswap._engine.reuse import first_lines, put_back, stand_ins
from hotswap._engine.scan import STAR as STAR  # (the plan and the engine name it here)
from hotswap._engine.scan import (
    MemberScans,
    declares_global,
    import_binds,
    loaded_names,
    scan_statement,
)
from hotswap._engine.trees import moved_copy


@dataclass(eq=False)
class Statement:
    """One top-level statement of a module source.

    ``node`` is the statement's AST as it was parsed. An incremental re-parse
    (:mod:`hotswap._engine.reparse`) moves unchanged statements without parsing them again, sharing
    the AST, so ``node``'s line numbers are ``shift`` lines behind where the statement is now:
    ``first``/``last`` say where it is, :meth:`positioned` gives a copy with the lines of where
    it is, and :func:`compile_statement` compiles with them. Everything that looks only at the
    structure (kind, names, ``ast.dump`` keys) uses ``node`` at no cost.
    """

    node: ast.stmt
    index: int
    first: int  # first line, decorators included
    last: int
    binds: frozenset[str]
    reads: frozenset[str]
    calls: frozenset[str]  # names called while the statement runs (``X = f()``)
    name: str | None = None
    body_reads: frozenset[str] | None = frozenset()  # names a def body reads: reads_in_body
    decorators_key: str = ""  # AST dump of the decorator list (def/class only)
    declares_global: bool = False  # a ``global`` statement at module level in it

    shift: int = 0  # lines between ``node``'s positions and where the statement is now
    # A class re-parsed member by member (:mod:`hotswap._engine.nested`): its body shares the
    # members the edit did not touch, which lie further behind than the header: ``(start, lines)``
    # runs in ascending ``start``, members from ``start`` on (to the next run) ``lines`` more.
    members_behind: tuple[tuple[int, int], ...] = ()
    # A class: what each member reads and calls while the class body runs (``scan_member``),
    # kept by the nested re-parse so that the next one scans only the members it parses.
    member_scans: MemberScans | None = None
    _key: str = ""  # the key, once something asked for it (see ``key``)
    # Its code, once compiled: ``(path, flags, shift, members_behind, code)`` (see
    # :func:`compile_statement`).
    _code: tuple[str, int, int, tuple[tuple[int, int], ...], types.CodeType] | None = None

    @property
    def key(self) -> str:
        """What the statement is, independent of where it is: its AST dumped without positions.
        Computed on first use: a reload compares keys only where the text changed (moved
        statements share theirs), so a whole parse need not dump every function body."""
        key = self._key
        if not key:
            key = self._key = ast.dump(self.node)
        return key

    def positioned(self, node: ast.stmt | None = None) -> ast.stmt:
        """``node`` (or a variant of it, such as a copy without decorators) with the line
        numbers of where the statement is now: a moved copy, as the AST may be shared."""
        node = self.node if node is None else node
        if self.members_behind and isinstance(node, ast.ClassDef):
            node = copy.copy(node)  # the members moved apart from the header: each by its run
            body = node.body = list(node.body)
            for start, stop, lines in member_runs(self.members_behind, len(body)):
                for i in range(start, stop):
                    body[i] = moved_copy(body[i], lines)
        if not self.shift:
            return node
        return moved_copy(node, self.shift)

    def member_extra(self, position: int) -> int:
        """How many lines member ``position`` of a class lies behind its header (see
        ``members_behind``)."""
        return member_extra(self.members_behind, position)

    def member_first(self, position: int) -> int:
        """Where member ``position`` of a class starts now (its decorators included)."""
        assert isinstance(self.node, ast.ClassDef)
        return node_first(self.node.body[position]) + self.shift + self.member_extra(position)

    def member_positioned(self, position: int) -> ast.stmt:
        """Member ``position`` of a class with the lines of where it is now (a moved copy when
        it lies behind: the AST may be shared)."""
        assert isinstance(self.node, ast.ClassDef)
        member = self.node.body[position]
        lines = self.shift + self.member_extra(position)
        if not lines:
            return member
        return moved_copy(member, lines)

    def member_last(self, position: int) -> int:
        assert isinstance(self.node, ast.ClassDef)
        member = self.node.body[position]
        end = member.end_lineno or member.lineno
        return end + self.shift + self.member_extra(position)

    def moved(self, lines: int, index: int) -> Statement:
        """This statement ``lines`` further down, as statement ``index``: same AST, shared."""
        fields = self.__dict__.copy()  # (half the cost of __init__: hundreds move at once)
        fields["index"] = index
        fields["first"] += lines
        fields["last"] += lines
        fields["shift"] += lines
        clone = Statement.__new__(Statement)
        clone.__dict__ = fields
        return clone

    def reads_in_body(self) -> frozenset[str]:
        """``body_reads``, read off the AST when first asked (only the dataflow of a statement
        calling a function asks): a third of a whole parse of more-itertools' ``more.py``."""
        if self.body_reads is None:
            self.body_reads = loaded_names(self.node.body)  # type: ignore[attr-defined]
        return self.body_reads

    @property
    def is_def(self) -> bool:
        return isinstance(self.node, ast.FunctionDef | ast.AsyncFunctionDef)

    @property
    def is_class(self) -> bool:
        return isinstance(self.node, ast.ClassDef)

    @property
    def is_docstring(self) -> bool:
        node = self.node
        return (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        )


@dataclass(eq=False)
class ParsedSource:
    """A module source as top-level statements, with the statements that bind each name.

    ``objects`` are the statements in source order, as stored. A re-parse
    (:mod:`hotswap._engine.reparse`) reuses the statements after an edit without copying them: there
    they are *behind*, and ``behind`` says by how much, as ``(start, lines)`` pairs in ascending
    ``start``: the statements from position ``start`` on (to the next pair) are ``lines`` lines
    further down than their fields say, and their index is their position (``lines`` None: as
    stored). :meth:`statement` and :attr:`statements` give statements with their real lines;
    what looks only at names, keys or the AST uses ``objects`` at no cost.

    ``reused`` (from the re-parse): the source this one was re-parsed from and the window of
    positions ``begin..end`` parsed again, when the window kept its statement count; the name
    index is then the base's with the window's names updated, not built anew.
    """

    text: str
    objects: list[Statement]
    future_flags: int = 0
    reused: tuple[ParsedSource, int, int] | None = None
    behind: list[tuple[int, int | None]] = field(default_factory=list)
    # From a re-parse: lines kept before and after the edit, and where they end and start in
    # ``text`` (characters), for :func:`update_linecache`.
    line_edit: tuple[int, int, int, int] | None = None
    # name -> positions of the statements that bind it, in source order
    _by_name: dict[str, list[int]] = field(default_factory=dict, repr=False)
    global_statements: int = 0  # statements with a module-level ``global`` (see ``parse``)

    def __post_init__(self) -> None:
        reused, self.reused = self.reused, None  # keep no chain of earlier sources alive
        if reused is not None:
            self._index_window(*reused)
            return
        by_name = self._by_name
        for position, stmt in enumerate(self.objects):
            if stmt.declares_global:
                self.global_statements += 1
            for name in stmt.binds:
                bucket = by_name.get(name)
                if bucket is None:
                    by_name[name] = [position]
                else:
                    bucket.append(position)

    @property
    def postponed(self) -> bool:
        """Whether it postpones annotations (``from __future__ import annotations``)."""
        return bool(self.future_flags & __future__.annotations.compiler_flag)

    def _index_window(self, base: ParsedSource, begin: int, end: int) -> None:
        by_name = self._by_name = dict(base._by_name)  # buckets shared until one changes
        copied: set[str] = set()
        count = base.global_statements
        window = zip(base.objects[begin:end], self.objects[begin:end], strict=True)
        for position, (before, after) in enumerate(window, begin):
            count += after.declares_global - before.declares_global
            for stmt, adding in ((before, False), (after, True)):
                for name in stmt.binds:
                    if name not in copied:
                        copied.add(name)
                        by_name[name] = list(by_name.get(name, ()))
                    bucket = by_name[name]
                    if adding:
                        bucket.append(position)
                    else:
                        bucket.remove(position)
        for name in copied:
            if by_name[name]:
                by_name[name].sort()
            else:
                del by_name[name]
        self.global_statements = count

    # -- positions -----------------------------------------------------------------------------

    def lines_behind(self, position: int) -> int | None:
        """How many lines the statement at ``position`` lies below its fields (None: exact)."""
        return lines_behind(self.behind, position)

    def statement(self, position: int) -> Statement:
        """The statement at ``position``, with its real lines and index."""
        return exact(self.objects, self.behind, position)

    def first_of(self, position: int) -> int:
        return self.objects[position].first + (self.lines_behind(position) or 0)

    def last_of(self, position: int) -> int:
        return self.objects[position].last + (self.lines_behind(position) or 0)

    def lines_from(self, position: int, count: int) -> list[int]:
        """How many lines each of the ``count`` statements from ``position`` on lies below its
        fields (0 where exact): one pass over the runs, not a search per statement."""
        out: list[int] = []
        behind, stop = self.behind, position + count
        k = bisect.bisect_right(behind, position, key=_start)
        lines = (behind[k - 1][1] or 0) if k else 0
        while position < stop:
            end = min(behind[k][0], stop) if k < len(behind) else stop
            out.extend([lines] * (end - position))
            position = end
            if k < len(behind):
                lines = behind[k][1] or 0
                k += 1
        return out

    @property
    def statements(self) -> list[Statement]:
        """Every statement with its real lines and index (made once, when first asked)."""
        if not self.behind:
            return self.objects
        cached: list[Statement] | None = self.__dict__.get("_statements")
        if cached is None:
            cached = [self.statement(i) for i in range(len(self.objects))]
            self.__dict__["_statements"] = cached
        return cached

    # -- names ----------------------------------------------------------------------------------

    def named(self, name: str) -> list[Statement]:
        """The statements that bind ``name``, in source order."""
        return [self.statement(i) for i in self._by_name.get(name, ())]

    def binds(self, name: str) -> bool:
        return name in self._by_name

    @property
    def functions(self) -> list[Statement]:
        """The ``def`` statements, in order (cached): the statements that have body reads."""
        cached: list[Statement] | None = self.__dict__.get("_functions")
        if cached is None:
            cached = self.__dict__["_functions"] = [s for s in self.objects if s.is_def]
        return cached

    @property
    def all_reads(self) -> set[str]:
        """Every name any statement reads at import time (cached)."""
        cached: set[str] | None = self.__dict__.get("_all_reads")
        if cached is None:
            cached = set().union(*(s.reads for s in self.objects))
            self.__dict__["_all_reads"] = cached
        return cached

    def bound_names(self) -> set[str]:
        return set(self._by_name) - {STAR}


def member_runs(
    runs: tuple[tuple[int, int], ...], count: int
) -> Iterator[tuple[int, int, int]]:
    """``(start, stop, lines)`` for each run of ``members_behind`` that moves members."""
    for k, (start, lines) in enumerate(runs):
        stop = runs[k + 1][0] if k + 1 < len(runs) else count
        if lines:
            yield start, min(stop, count), lines


def member_extra(runs: tuple[tuple[int, int], ...], position: int) -> int:
    """:meth:`Statement.member_extra` for the runs ``runs``."""
    k = bisect.bisect_right(runs, position, key=_start)
    return runs[k - 1][1] if k else 0


def lines_behind(behind: list[tuple[int, int | None]], position: int) -> int | None:
    """:meth:`ParsedSource.lines_behind` for the runs ``behind``."""
    if not behind or position < behind[0][0]:
        return None
    return behind[bisect.bisect_right(behind, position, key=_start) - 1][1]


def exact(
    objects: list[Statement], behind: list[tuple[int, int | None]], position: int
) -> Statement:
    """The statement at ``position`` of ``objects`` with its real lines and index, given the
    runs ``behind`` (see :class:`ParsedSource`): itself where it is exact, else a moved copy."""
    stmt = objects[position]
    lines = lines_behind(behind, position)
    return stmt if lines is None else stmt.moved(lines, position)


def _start(pair: tuple[int, int | None]) -> int:
    return pair[0]


def make_statement(
    node: ast.stmt,
    index: int,
    postponed_annotations: bool = False,
    member_scans: MemberScans | None = None,
    may_declare_global: bool = True,
) -> Statement:
    """The statement ``node`` at position ``index``. ``may_declare_global``: False when the
    statement's lines hold no ``global`` (a whole parse need not walk each statement for one)."""
    kind = type(node)
    if kind is ast.ImportFrom or kind is ast.Import:
        return _import_statement(node, index)  # type: ignore[arg-type]
    first = node.lineno
    decorators_key = ""
    name = None
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        name = node.name
        if node.decorator_list:
            first = min(d.lineno for d in node.decorator_list)
            decorators_key = "\n".join(ast.dump(d) for d in node.decorator_list)
    scan, member_scans = scan_statement(node, postponed_annotations, member_scans)
    is_def = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    body_reads: frozenset[str] | None = None if is_def else frozenset()  # (reads_in_body)
    return Statement(
        node=node,
        index=index,
        first=first,
        last=node.end_lineno or node.lineno,
        binds=frozenset(scan.binds),
        reads=frozenset(scan.reads - scan.local_only),
        calls=frozenset(scan.calls),
        name=name,
        decorators_key=decorators_key,
        body_reads=body_reads,
        declares_global=may_declare_global and declares_global(node),
        member_scans=member_scans,
    )


def _import_statement(node: ast.Import | ast.ImportFrom, index: int) -> Statement:
    """:func:`make_statement` of an import, which binds its names and reads nothing at module
    scope: said at once, without the scan's walk and its ``Scan`` (a first parse makes one
    per import; the first make of one just after a skeleton parse measured 35 us cold)."""
    line = node.lineno
    binds = frozenset(import_binds(node))
    return Statement(node, index, line, node.end_lineno or line, binds, _NONE, _NONE)


_NONE: frozenset[str] = frozenset()


def compile_statement(
    stmt: Statement,
    path: str,
    flags: int,
    node: ast.stmt | None = None,
    reuse: tuple[Statement, type] | None = None,
) -> types.CodeType:
    """Compile one top-level statement (or ``node``, a variant of it) with the line numbers of
    where it is now.

    The statement's own code is kept with it: a class that a propagation re-makes once for
    each changed base (a branch checkout re-made sympy's ``Pow``, 1,800 lines, three times)
    compiles once. ``reuse``: the old statement of a class and the live class made from it
    (compiled with the same flags): its methods the edit left alone keep their code
    (:mod:`hotswap._engine.reuse`)."""
    if node is None:
        kept = stmt._code
        if (
            kept is not None
            and kept[0] == path
            and kept[1] == flags
            and kept[2] == stmt.shift
            and kept[3] == stmt.members_behind
        ):
            return kept[4]
    code = _compile_reusing(stmt, path, flags, node, reuse) if reuse is not None else None
    if code is None:
        module = ast.Module(body=[stmt.positioned(node)], type_ignores=[])
        code = compile(module, path, "exec", flags=flags, dont_inherit=True)
    if node is None:
        stmt._code = (path, flags, stmt.shift, stmt.members_behind, code)
    return code


def _compile_reusing(
    stmt: Statement,
    path: str,
    flags: int,
    node: ast.stmt | None,
    reuse: tuple[Statement, type],
) -> types.CodeType | None:
    """:func:`compile_statement` of a class with stand-ins for the methods whose live code is
    reused (None when there are none, or the result does not check out)."""
    base = stmt.node if node is None else node
    old, live = reuse
    if not isinstance(base, ast.ClassDef) or not isinstance(old.node, ast.ClassDef):
        return None
    count, old_count = len(base.body), len(old.node.body)
    new_lines = first_lines(base, [stmt.shift + stmt.member_extra(i) for i in range(count)])
    old_lines = first_lines(old.node, [old.shift + old.member_extra(i) for i in range(old_count)])
    codes = stand_ins(base, new_lines, old.node, old_lines, live, path)
    if not codes:
        return None
    variant = copy.copy(base)
    variant.body = [codes[i][0] if i in codes else m for i, m in enumerate(base.body)]
    module = ast.Module(body=[stmt.positioned(variant)], type_ignores=[])
    compiled = compile(module, path, "exec", flags=flags, dont_inherit=True)
    return put_back(compiled, base.name, codes)
