"""How the plain REPL and the runner show a :class:`~hotswap.Report`: short lines on stderr.

One line per reloaded module (``hotswap: reloaded m: patched f``), a short block per failed
module (what failed and that the previous version was kept, the file and line, the source line,
the error), one line per warning: exactly :meth:`Report.summary_lines`, as every front-end says
it. ``quiet`` drops the success lines (failures and warnings are always shown); ``verbose`` adds
one indented line per changed object. A failure is shown once: the engine does not report the
same broken file content twice.

Colour (dim for success, red for failures, yellow for warnings) is used only when the stream is
a terminal and neither ``NO_COLOR`` nor ``TERM=dumb`` asks for plain text.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import TextIO

from hotswap._report import Report, distinct, failed_line, failure_lines

DIM = "\x1b[2m"
RED = "\x1b[31m"
YELLOW = "\x1b[33m"
RESET = "\x1b[0m"


@dataclass(frozen=True)
class Show:
    """What to print after a checkpoint."""

    quiet: bool = False
    verbose: bool = False


def lines(report: Report, show: Show) -> list[tuple[str, str]]:
    """The ``(style, text)`` lines ``show`` lets through for ``report`` (empty: print nothing)."""
    out: list[tuple[str, str]] = []
    if not show.quiet:
        for name in report.reloaded:
            success = Report(reloaded=[name], changes=report.changes_of(name))
            out += [(DIM, line) for line in success.summary_lines()]
            if show.verbose:
                for change in distinct(success.changes):
                    where = f"  ({change.where})" if change.where else ""
                    out.append((DIM, f"    {change.action} {change.qualname}{where}"))
    for problem in report.errors:
        header, *rest = failure_lines(problem)
        out += [(RED, header), *(("", line) for line in rest)]
    for name in report.failed:
        if not any(problem.module == name for problem in report.errors):
            out.append((RED, failed_line(name)))
    warnings = Report(warnings=list(report.warnings))
    out += [(YELLOW, line) for line in warnings.summary_lines()]
    return out


def print_report(report: Report, show: Show, stream: TextIO | None = None) -> None:
    """Write what ``show`` lets through of ``report`` to ``stream`` (default: ``sys.stderr``)."""
    if report:
        write(lines(report, show), stream)


def note(texts: list[str], style: str = "", stream: TextIO | None = None) -> None:
    """Write lines (all in one ``style``: ``DIM``, ``RED``, ``YELLOW`` or none) to stderr."""
    write([(style, text) for text in texts], stream)


def write(styled: list[tuple[str, str]], stream: TextIO | None = None) -> None:
    """Write ``(style, text)`` lines in one call (threads print whole lines), styled if wanted."""
    if not styled:
        return
    target = stream if stream is not None else sys.stderr
    if target is None:  # pythonw, or a program that closed stderr
        return
    color = wants_color(target)
    text = "".join(
        (f"{style}{line}{RESET}" if color and style else line) + "\n" for style, line in styled
    )
    try:
        target.write(text)
        target.flush()
    except (OSError, ValueError):  # a closed or broken stream must not break the program
        pass


def wants_color(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when ``NO_COLOR`` is set or ``TERM`` is dumb."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False
