"""Whether a save changed what a module imports, told from the lines it changed.

The importer index (:mod:`hotswap._detect.imports`) knows what each module imports from a scan
of its text. A reload gives the module a new text, and the next question about importers (a
save that adds or changes a name asks who imports it) scanned that text whole again: 1.5-2.4 ms
for sympy's 4,200-line ``expr.py`` at each such save. Most saves edit no import, and the lines
they changed say so in microseconds (:func:`same_imports`).
"""

from __future__ import annotations

import re

from hotswap._detect.imports import scan
from hotswap._detect.text import common_prefix, common_suffix

__all__ = ["same_imports"]


def same_imports(before: str, after: str, importer: str, is_package: bool) -> bool:
    """Whether :func:`scan` finds in ``after`` what it finds in ``before`` (False: it may not),
    worked out from the lines that differ: a reload that edits no import keeps its module's
    index entry without a scan of the whole text (1.5-2.4 ms for sympy's ``expr.py`` at each
    save that adds a name and so asks who imports it; the lines that differ take microseconds).

    The texts agree outside a few windows of whole lines (:func:`_windows`). When no match of
    the scan's patterns runs across a window's ends (:func:`_crossing`; the lines around are
    taken in until none does, a few times at most), the matches outside the windows are the
    same in both texts, in the same order (the search meets the same text from the same place),
    and a scan keeps each import's first place: so the two scans agree when the scans of each
    window's two sides agree."""
    if before == after:
        return True
    windows = _windows(before, after)
    if windows is None:
        return False
    done: list[tuple[int, int, int, int]] = []
    for window in windows:
        widened = _widened(before, after, *window)
        if widened is None:
            return False
        if done and widened[0] <= done[-1][1]:  # (widened into the one before: one window)
            b0, _b1, a0, _a1 = done[-1]
            done[-1] = (b0, widened[1], a0, widened[3])
        else:
            done.append(widened)
    return all(
        scan(before[b0:b1], importer, is_package) == scan(after[a0:a1], importer, is_package)
        for b0, b1, a0, a1 in done
    )


_WIDEN = 16  # lines taken in at a window's end before a save's imports are scanned whole
_WINDOWS = 8  # places a save may edit apart
_PROBE = 256  # characters after an edit that find where the texts agree again
_REACH = 1 << 14  # characters an edit may add at one place and still be found past


def _widened(
    before: str, after: str, b0: int, b1: int, a0: int, a1: int
) -> tuple[int, int, int, int] | None:
    """The window ``b0..b1`` (``a0..a1`` in ``after``) with lines taken in at either end until no
    match runs across it; None after :data:`_WIDEN` lines (then scan the texts whole)."""
    for _ in range(_WIDEN):
        if not _crossing(before, b0):
            break
        last = before.rfind("import", 0, b0)  # (none: a backslash ends the line above)
        start = before.rfind("\n", 0, last if last >= 0 else b0 - 1) + 1
        a0 -= b0 - start
        b0 = start
    else:
        return None
    for _ in range(_WIDEN):
        if not (_crossing(before, b1) or _crossing(after, a1)):
            return b0, b1, a0, a1
        at = before.find("\n", b1)
        if at < 0:  # (what follows holds no newline: both run to the end)
            return b0, len(before), a0, len(after)
        a1 += at + 1 - b1
        b1 = at + 1
    return None


def _windows(before: str, after: str) -> list[tuple[int, int, int, int]] | None:
    """Windows ``(b0, b1, a0, a1)`` of whole lines, in order, such that the texts agree outside
    them: ``before[:b0]`` and ``after[:a0]`` for the first, the text between one window and the
    next, and what follows the last. None when the save edits more than :data:`_WINDOWS`
    places apart or the windows hold more than half the text (a whole scan is as cheap)."""
    nb, na = len(before), len(after)
    prefix = common_prefix(before, after, min(nb, na))
    suffix = common_suffix(before, after, min(nb, na) - prefix)
    end_b, end_a = nb - suffix, na - suffix
    out: list[tuple[int, int, int, int]] = []
    b0 = before.rfind("\n", 0, prefix) + 1
    a0 = b0
    while len(out) < _WINDOWS:
        found = _realign(before, b0, end_b, after, a0, end_a)
        if found is None:  # the rest of the differing text is one window
            b1, a1 = (_line_end(text, end) for text, end in ((before, end_b), (after, end_a)))
            out.append((b0, b1, a0, a1))
            break
        b1, a1 = found
        same = common_prefix(before, after, min(end_b - b1, end_a - a1), b1, a1)
        if b1 + same >= end_b or a1 + same >= end_a:
            if b1 + same < end_b or a1 + same < end_a:  # (one side has more: to the ends)
                b1, a1 = _line_end(before, end_b), _line_end(after, end_a)
            out.append((b0, b1, a0, a1))
            break
        out.append((b0, b1, a0, a1))
        b0 = before.rfind("\n", 0, b1 + same) + 1  # (at least b1: a line starts there)
        a0 = a1 + (b0 - b1)
    else:
        return None
    if sum(b1 - b0 for b0, b1, _a0, _a1 in out) > nb // 2:
        return None
    return out


def _realign(
    before: str, b0: int, end_b: int, after: str, a0: int, end_a: int
) -> tuple[int, int] | None:
    """Where the texts agree again after the edit that begins at line starts ``b0``/``a0``: a
    line start in each from which the next :data:`_PROBE` characters match (each of the next
    few lines of ``before`` is tried; None when none is found before the ends)."""
    at = b0
    for _ in range(_WIDEN):
        if at >= end_b:
            return None
        probe = before[at : at + _PROBE]
        # (within _REACH of where ``at`` lies in ``after`` with nothing inserted: a larger
        # insertion at one place is a window to the ends, as is text that repeats itself)
        limit = min(end_a, a0 + (at - b0) + _REACH) + len(probe)
        found = after.find(probe, a0, limit)
        for _ in range(_WIDEN):
            if found <= 0 or after[found - 1] == "\n":
                break
            found = after.find(probe, found + 1, limit)
        else:
            found = -1
        if found >= 0 and (at, found) != (b0, a0):
            return at, found
        line = before.find("\n", at)
        if line < 0:
            return None
        at = line + 1
    return None


def _line_end(text: str, at: int) -> int:
    """Past the newline that ends the line holding ``text[at]`` (the text's end: none)."""
    end = text.find("\n", at)
    return len(text) if end < 0 else end + 1


_CLOSED = re.compile(r"(?m)^[^#\n]*\)")  # a ")" outside a comment, on some line
_OPENS = re.compile(r"import(?:[ \t\f]|\\\r?\n)*\(")  # an ``import`` a list follows


def _crossing(text: str, at: int) -> bool:
    """Whether a match of the scan's patterns may begin before line start ``at`` and end past
    it (True when it cannot be ruled out).

    A match runs on to the next line only through a backslash-newline (so one ends right before
    ``at``) or inside a parenthesised list of names, which follows its ``import`` keyword and
    ends at the first ``)`` outside a comment (a ``#`` to the end of its line). So, going back
    over the ``import`` words before ``at``: one that a ``)`` outside a comment follows before
    ``at`` rules out every list opened there or earlier; one that no ``(`` follows opens none
    (a list running across it was opened earlier); one that a ``(`` follows may be open still."""
    if at <= 0 or at >= len(text):
        return False
    if text.endswith("\\\n", 0, at) or text.endswith("\\\r\n", 0, at):
        return True
    end = at
    for _ in range(_WIDEN):
        last = text.rfind("import", 0, end)
        if last < 0:
            return False
        line = text.rfind("\n", 0, last) + 1
        stop = text.find("\n", last, at)
        stop = at if stop < 0 else stop
        if "#" not in text[line:last] and ")" in text[last:stop].partition("#")[0]:
            return False  # (on the import's own line, after it)
        if _CLOSED.search(text, stop, at) is not None:
            return False
        if _OPENS.match(text, last):
            return True
        end = last
    return True
