"""Incremental re-parse: the statements of an edited source from those of the source before it.

A save usually touches a few lines of a file. Parsing the whole file again costs time in
proportion to the file (tens of milliseconds for a 100 KiB module); this module parses only the
top-level statements the edit touched and reuses the others:

1. The old and the new text share a prefix and a suffix. The lines lying wholly inside them
   are unchanged; between them lie the changed lines (none, for a pure deletion or insertion).
2. The *window* is widened from the changed lines to statement boundaries of the old source: it
   starts at the last statement that begins before the first changed line (so an edit that
   appends indented lines or an ``else:`` to it, or indents the next line into it, is seen) and
   ends just before the first statement that begins after the last changed line. Boundaries are
   lines where a top-level statement starts (not the second statement of ``a = 1; b = 2``).
3. Only the new text of the window is parsed, with the lines before it blanked so that the
   positions are those of the whole file. If it does not parse as whole statements (an
   unterminated string or bracket that runs past the window, a decorator left without its
   ``def``), :func:`reparse` declines and the caller parses the whole file.
4. Statements before the window are reused as they are; statements after it are reused as
   they are too, recorded as lying behind by the change in line count (``ParsedSource.behind``:
   nothing is copied; :meth:`ParsedSource.statement` gives one with its real lines, and its AST
   is positioned only if something compiles it).
5. When the window is one ``class`` statement, only the members of the class that the edit
   touched are parsed again (:mod:`hotswap._engine.nested`, the same steps one level down).
6. A save that edited several places apart (a line added at the top, a method changed further
   down) is taken one place at a time (*hunks*, found from lines that occur once in each text,
   as in patience diff; :mod:`hotswap._engine.hunks`): the text with the first hunk applied is
   re-parsed from the old source, the text with the second one too from that, and so on; what
   lies between the hunks is reused. Hunks that lie in one window (no statement or member
   starts between them) are one step. Each step is one edit as above, so the result is what a
   whole parse gives.

Why the result equals a whole parse: Python's tokenizer carries state from line to line only
through open brackets, open strings, backslash continuations and the indentation stack. At a
line where a top-level statement starts, all of them are empty. The text before the window is
unchanged, so the window starts in that empty state in the new text too. A window that parses
as whole statements ends in the empty state, and the next line starts a top-level statement at
column 0 in the old text, with the same text after it: so from there on the tokens, and the
statements, are those of the old source, moved. Nothing else in the grammar looks across
top-level statements, except ``from __future__`` imports (``barry_as_FLUFL`` changes the
grammar, ``annotations`` changes what a statement reads at run time): an edit near one, or a
source that uses ``barry_as_FLUFL``, is parsed whole.
"""

from __future__ import annotations
import __future__

import ast
import bisect

from hotswap._detect.text import common_prefix, common_suffix
from hotswap._engine.hunks import edit_steps
from hotswap._engine.nested import reparse_class
from hotswap._engine.source import ParsedSource, Statement, exact, make_statement

_BARRY = __future__.barry_as_FLUFL.compiler_flag


def reparse(base: ParsedSource, text: str, path: str) -> ParsedSource | None:
    """``text`` parsed by reusing ``base``'s statements, or None when that cannot be proven
    equal to a whole parse (the caller then parses the whole text)."""
    old = base.text
    objects = base.objects
    if text == old:
        return ParsedSource(text, list(objects), base.future_flags, (base, 0, 0), base.behind)
    if "\r" in text or "\r" in old or base.future_flags & _BARRY:
        return None  # line counting below assumes "\n" line ends (decode_source makes them)
    edit = _Edit(old, text)
    steps = edit_steps(edit, base)
    if steps:
        # Edits in several places (a line added at the top, a method changed further down):
        # one at a time, so that what lies between them is reused, not parsed again.
        parsed: ParsedSource | None = base
        for step in steps:
            assert parsed is not None
            parsed = _reparse_one(parsed, step, _Edit(parsed.text, step), path)
            if parsed is None:
                break
        if parsed is not None:
            parsed.line_edit = _line_edit(edit, text, old)
            return parsed
    return _reparse_one(base, text, edit, path)


def _reparse_one(base: ParsedSource, text: str, edit: _Edit, path: str) -> ParsedSource | None:
    """:func:`reparse` of an edit in one place (the lines between ``edit``'s head and tail)."""
    if text == base.text:
        return ParsedSource(text, list(base.objects), base.future_flags, (base, 0, 0), base.behind)
    objects = base.objects
    count = len(objects)
    first_changed, last_changed = edit.head + 1, edit.old_lines - edit.tail
    begin = _boundary_before(base, first_changed)
    end = _boundary_after(base, last_changed)
    top = base.first_of(begin) if begin >= 0 else 1  # the lines before statement 0 too
    if begin >= 0 and _after_future(base, begin, first_changed):
        # The window starts below a ``from __future__`` import that the edit does not touch:
        # a simple statement, which nothing below it continues. Inside the window it would
        # make the window decline (a future import parsed out of its leading block).
        top, begin = base.last_of(begin) + 1, begin + 1
    if first_changed <= _futures_end(base):
        return None  # an edit above a __future__ import may move it out of the leading block
    # ``from __future__ import annotations`` postpones annotations of the statements after it;
    # it sits in the leading block, above the window (checked above).
    postponed = base.postponed
    if begin >= 0 and end == begin + 1 and objects[begin].is_class:
        # One class: re-parse the members the edit touched, not the class (see _nested).
        member = reparse_class(base, begin, edit, path, postponed)
        if member is not None:
            return _assemble(base, text, edit, begin, end, [member])
    tree = None
    for _attempt in range(2):
        bottom_old = base.first_of(end) - 1 if end < count else edit.old_lines
        window = edit.new_window(top, bottom_old)
        if window is None or "__future__" in window or "__future__" in edit.old_window:
            return None
        try:
            tree = ast.parse("\n" * (top - 1) + window, filename=path)
            break
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            # A decorator added above an unchanged ``def`` leaves the window without its
            # ``def``: try once more with the next statement inside the window.
            if end >= count:
                return None
            end = _boundary_after(base, base.first_of(end))
    if tree is None:
        return None
    begin = max(begin, 0)
    made = [make_statement(node, begin + i, postponed) for i, node in enumerate(tree.body)]
    return _assemble(base, text, edit, begin, end, made)


def _assemble(
    base: ParsedSource, text: str, edit: _Edit, begin: int, end: int, made: list[Statement]
) -> ParsedSource:
    """The re-parsed source: ``base``'s statements with those from ``begin`` to ``end``
    replaced by ``made`` (exact: at their real lines)."""
    objects, old = base.objects, base.text
    statements = objects[:begin] + made
    window_end = len(statements)
    statements.extend(objects[end:])  # not copied: they are behind by the edit's line change
    behind = _behind(base, begin, window_end, end, edit.new_lines - edit.old_lines)
    if len(behind) > _MAX_RUNS:  # edits all over the file: make every statement exact again
        statements = [exact(statements, behind, i) for i in range(len(statements))]
        behind = []
    # With as many statements as before, every position outside the window is what it was.
    reused = None if window_end != end else (base, begin, end)
    line_edit = _line_edit(edit, text, old)
    return ParsedSource(text, statements, base.future_flags, reused, behind, line_edit)


def _line_edit(edit: _Edit, text: str, old: str) -> tuple[int, int, int, int]:
    """``ParsedSource.line_edit`` of an edit (for
    :func:`hotswap._checkpoint.parses.update_linecache`)."""
    return (edit.head, edit.tail, edit.head_end, edit.tail_start + len(text) - len(old))


_MAX_RUNS = 64  # runs of statements behind by different amounts, before they are made exact


def _behind(
    base: ParsedSource, begin: int, window_end: int, end: int, delta: int
) -> list[tuple[int, int | None]]:
    """``behind`` of the re-parsed source (see :class:`ParsedSource`): the base's runs before
    the window, the window exact, and the base's runs from ``end`` on, moved to their new
    positions and ``delta`` more lines behind."""
    offset = window_end - end
    runs = [run for run in base.behind if run[0] < begin]
    if runs and runs[-1][1] is not None:
        runs.append((begin, None))

    def moved(lines: int | None) -> int | None:
        if lines is None and not delta and not offset:
            return None  # fields and index still exact
        return (lines or 0) + delta

    if end < len(base.objects):
        runs.append((window_end, moved(base.lines_behind(end))))
        runs.extend((start + offset, moved(lines)) for start, lines in base.behind if start > end)
    out: list[tuple[int, int | None]] = []
    for start, lines in runs:  # drop runs that say what the run before them says
        if out and out[-1][0] == start:
            out.pop()  # (an empty window: the tail starts where it did)
        if (out and out[-1][1] == lines) or (not out and lines is None):
            continue
        out.append((start, lines))
    return out


def _futures_end(base: ParsedSource) -> int:
    """The last line of the ``from __future__`` imports (0 if none). A source that parsed has
    them only in its leading block (after an optional docstring), so the scan stops there."""
    end = 0
    for position, stmt in enumerate(base.objects):
        node = stmt.node
        if type(node) is ast.ImportFrom and node.module == "__future__":
            end = base.last_of(position)
        elif not (position == 0 and stmt.is_docstring):
            break
    return end


def _after_future(base: ParsedSource, k: int, first_changed: int) -> bool:
    """Whether statement ``k`` is a ``from __future__`` import that ends above line
    ``first_changed``, with the next statement on a line of its own."""
    node = base.objects[k].node
    return (
        type(node) is ast.ImportFrom
        and node.module == "__future__"
        and base.last_of(k) < first_changed
        and (k + 1 >= len(base.objects) or _starts_line(base, k + 1))
    )


def _starts_line(base: ParsedSource, k: int) -> bool:
    """Whether statement ``k`` is the first on its line (not ``b`` in ``a = 1; b = 2``)."""
    return k == 0 or base.last_of(k - 1) < base.first_of(k)


def _boundary_before(base: ParsedSource, line: int) -> int:
    """The last statement starting a line before ``line`` (-1 if none)."""
    k = bisect.bisect_left(range(len(base.objects)), line, key=base.first_of) - 1
    while k > 0 and not _starts_line(base, k):
        k -= 1
    return k


def _boundary_after(base: ParsedSource, line: int) -> int:
    """The first statement starting a line after ``line`` (``len(stmts)`` if none)."""
    count = len(base.objects)
    k = bisect.bisect_right(range(count), line, key=base.first_of)
    while k < count and not _starts_line(base, k):
        k += 1
    return k


class _Edit:
    """Where two texts differ, in whole lines: ``head`` lines at the start and ``tail`` lines at
    the end are the same in both."""

    def __init__(self, old: str, new: str) -> None:
        self.old, self.new = old, new
        n = min(len(old), len(new))
        p = common_prefix(old, new, n)
        s = common_suffix(old, new, n - p)
        self.head = old.count("\n", 0, p)  # lines that end (newline included) before ``p``
        self.head_end = old.rfind("\n", 0, p) + 1  # where line ``head + 1`` starts
        so, sn = len(old) - s, len(new) - s
        # A line lies in the common suffix when it starts after a newline inside the suffix,
        # or at the suffix's start when that is a line start in both texts.
        tail = old.count("\n", so, len(old) - 1) if s else 0
        at_start = s > 0 and (so == 0 or old[so - 1] == "\n") and (sn == 0 or new[sn - 1] == "\n")
        self.tail_start = so if at_start else old.find("\n", so) + 1  # in ``old``
        self.tail = tail + (1 if at_start else 0)
        self.old_lines = _count_lines(old)
        self.new_lines = _count_lines(new)
        self.old_window = ""

    def new_window(self, top: int, bottom_old: int) -> str | None:
        """New text of old lines ``top..bottom_old`` widened by the edit (None if the line
        arithmetic does not check out, which would be a bug: the caller parses whole)."""
        old, new = self.old, self.new
        start = self.head_end
        for _ in range(self.head + 1 - top):  # walk back from line head + 1 to line top
            start = old.rfind("\n", 0, start - 1) + 1
        first_tail = self.old_lines - self.tail + 1
        if bottom_old >= self.old_lines:
            stop_old = len(old)
        else:
            stop_old = self.tail_start
            for _ in range(bottom_old + 1 - first_tail):
                stop_old = old.find("\n", stop_old) + 1
        stop_new = stop_old + len(new) - len(old)
        self.old_window = old[start:stop_old]
        window = new[start:stop_new]
        expected = bottom_old - top + 1 + self.new_lines - self.old_lines
        if _count_lines(window) != expected or _count_lines(self.old_window) != (
            bottom_old - top + 1
        ):
            return None
        return window


def _count_lines(text: str) -> int:
    return text.count("\n") + (1 if text and not text.endswith("\n") else 0)
