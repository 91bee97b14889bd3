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

__all__ = ["same_imports"]


def same_imports(before: str, after: str, importer: str, is_package: bool) -> bool:
    """Whether :func:`scan` finds in ``after`` what it finds in ``before`` (False: it may not),
    worked out from the lines that differ: a reload that edits no import keeps its module's
    index entry without a scan of the whole text (1.5-2.4 ms for sympy's ``expr.py`` at each
    save that adds a name and so asks who imports it; the lines that differ take microseconds).

    The texts agree before line start ``start`` and from ``stop`` on. When no match of the
    scan's patterns runs across either place (:func:`_crossing`; the lines around are taken in
    until none does, a few times at most), the matches before ``start`` and those from ``stop``
    on are the same in both texts, in the same order (the search meets the same text from the
    same place), and a scan keeps each import's first place: so the two scans agree when the
    scans of the lines between agree."""
    if before == after:
        return True
    start, stop_before, stop_after = _differing_lines(before, after)
    for _ in range(_WIDEN):
        if not _crossing(before, start):
            break
        last = before.rfind("import", 0, start)  # (none: a backslash ends the line above)
        start = before.rfind("\n", 0, last if last >= 0 else start - 1) + 1
    else:
        return False
    for _ in range(_WIDEN):
        if not (_crossing(before, stop_before) or _crossing(after, stop_after)):
            break
        at = before.find("\n", stop_before)
        if at < 0:  # (the common end holds no newline: both run to the end)
            stop_before, stop_after = len(before), len(after)
        else:
            stop_before, stop_after = at + 1, stop_after + at + 1 - stop_before
    else:
        return False
    return scan(before[start:stop_before], importer, is_package) == scan(
        after[start:stop_after], importer, is_package
    )


_WIDEN = 16  # lines taken in at each end before a save's imports are scanned whole


def _differing_lines(before: str, after: str) -> tuple[int, int, int]:
    """Where the lines that differ begin (the same in both) and end in each (past a newline,
    or the text's end): both texts are the same before the one and from the others on."""
    limit = min(len(before), len(after))
    low, high = 0, limit  # the longest common prefix, by halves (slices compare in C)
    while low < high:
        mid = (low + high + 1) // 2
        if before.startswith(after[low:mid], low):
            low = mid
        else:
            high = mid - 1
    prefix = low
    nb, na = len(before), len(after)
    low, high = 0, limit - prefix  # the longest common suffix that leaves the prefix alone
    while low < high:
        mid = (low + high + 1) // 2
        if before[nb - mid : nb - low] == after[na - mid : na - low]:
            low = mid
        else:
            high = mid - 1
    start = before.rfind("\n", 0, prefix) + 1
    stops = []
    for text, end in ((before, nb - low), (after, na - low)):
        at = text.find("\n", end)
        stops.append(len(text) if at < 0 else at + 1)
    return start, stops[0], stops[1]


_CLOSED = re.compile(r"(?m)^[^#\n]*\)")  # a ")" outside a comment, on some line


def _crossing(text: str, at: int) -> bool:
    """Whether a match of the scan's patterns may begin before line start ``at`` and end past
    it. A match runs on to the next line only through a backslash-newline (so one ends right
    before ``at``) or inside a parenthesised list of names, which begins after its ``import``
    (the last one before ``at`` or an earlier one) and ends at the first ``)`` outside a
    comment (a ``#`` to the end of its line): so when neither lies right before ``at`` and
    a ``)`` outside a comment follows the last ``import`` before ``at``, none runs across."""
    if at <= 0 or at >= len(text):
        return False
    if text.endswith("\\\n", 0, at) or text.endswith("\\\r\n", 0, at):
        return True
    last = text.rfind("import", 0, at)
    if last < 0:
        return False
    line = text.rfind("\n", 0, last) + 1
    end = text.find("\n", last, at)
    end = at if end < 0 else end
    if "#" not in text[line:last] and ")" in text[last:end].partition("#")[0]:
        return False  # (on the import's own line, after it)
    return _CLOSED.search(text, end, at) is None
