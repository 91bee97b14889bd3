"""How a :class:`~hotswap.Report` is shown: one set of lines for every front-end and every form.

Every front-end says the same thing after a checkpoint: one line per reloaded module
(``hotswap: reloaded m: patched f``), a short block per failed module (what failed and that the
previous version was kept, ``File "path", line N`` as a traceback says it, the source line as
the file holds it now, the error), one line per warning. :func:`lines` makes them, each with a
style (dim for success, red for a failure's first line, yellow for warnings), filtered by one
option type, :class:`Show`. The forms are made from those lines only:

- a terminal's text, with ANSI styling when the stream is a terminal and neither ``NO_COLOR``
  nor ``TERM=dumb`` asks for plain text (:func:`print_report`, the REPL, the runner, loops);
- IPython's output (:func:`render`): the same text, the success lines on stdout and the rest on
  stderr in a terminal shell, ``text/plain`` and ``text/html`` in a kernel;
- HTML (:func:`html`, which is ``Report._repr_html_``): the same content as a list;
- log records on the ``hotswap`` logger (:func:`log`, ``%autoreload -l``).

The demo prints the same lines (:func:`lines` with the default ``Show``).
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass
from typing import TextIO

from hotswap._report import Change, Problem, Report

LOGGER_NAME = "hotswap"

DIM = "\x1b[2m"
RED = "\x1b[31m"
YELLOW = "\x1b[33m"
RESET = "\x1b[0m"

Styled = list[tuple[str, str]]  # (style, text) lines; style "" is plain


@dataclass(frozen=True)
class Show:
    """What to show after a checkpoint (IPython's ``%autoreload`` flags, ``install()``'s and
    ``watch()``'s ``quiet``/``verbose``): complete settings, replaced as a whole.

    ``quiet`` hides the success lines; ``verbose`` (IPython's ``-p``) shows them even then,
    with one line per changed object; ``log`` also sends the lines to the ``hotswap`` logger;
    ``hide_errors`` hides failure blocks (in the output and in the log).
    """

    quiet: bool = False
    verbose: bool = False
    log: bool = False
    hide_errors: bool = False

    def describe(self) -> str:
        names = [
            flag
            for flag, on in (
                ("quiet", self.quiet),
                ("print", self.verbose),
                ("log", self.log),
                ("hide-errors", self.hide_errors),
            )
            if on
        ]
        return ", ".join(names) if names else "default (one line per reload, errors shown)"


# -- the lines -----------------------------------------------------------------------------------


def visible(report: Report, show: Show) -> Report:
    """The part of ``report`` that ``show`` lets through (an empty report shows nothing)."""
    reloaded = list(report.reloaded) if show.verbose or not show.quiet else []
    shown = set(reloaded)
    return Report(
        reloaded=reloaded,
        failed=[] if show.hide_errors else list(report.failed),
        changes=[c for c in report.changes if c.module in shown],
        warnings=list(report.warnings),
        errors=[] if show.hide_errors else list(report.errors),
    )


def lines(report: Report, show: Show | None = None) -> Styled:
    """The ``(style, text)`` lines ``show`` lets through for ``report`` (empty: show nothing)."""
    show = show or Show()
    shown = visible(report, show)
    out: Styled = []
    by_module = shown.changes_by_module()
    for name in shown.reloaded:
        changes = by_module.get(name, [])
        out.append((DIM, f"hotswap: reloaded {name}{describe(changes)}"))
        if show.verbose:
            for change in distinct(changes):
                where = f"  ({change.where})" if change.where else ""
                out.append((DIM, f"    {change.action} {change.module}.{change.qualname}{where}"))
    for problem in shown.errors:
        header, *rest = failure_lines(problem)
        out += [(RED, header), *(("", line) for line in rest)]
    for name in shown.failed:
        if not any(problem.module == name for problem in shown.errors):
            out.append((RED, failed_line(name)))
    out += [(YELLOW, f"hotswap: warning: {warning}") for warning in shown.warnings]
    return out


def text(styled: Styled, color: bool) -> str:
    """The lines as one text, styled with ANSI escapes when ``color``."""
    return "\n".join(f"{style}{line}{RESET}" if color and style else line for style, line in styled)


_SHOWN = 6  # names shown per action; the rest are counted


def grouped(changes: list[Change]) -> dict[str, list[str]]:
    """The qualified names of ``changes`` by action, in order of first mention, each once (a
    name several statements bind, such as ``@overload`` stubs and their function, is one
    object to the user)."""
    groups: dict[str, list[str]] = {}
    for change in changes:
        names = groups.setdefault(change.action, [])
        if change.qualname not in names:
            names.append(change.qualname)
    return groups


def distinct(changes: list[Change]) -> list[Change]:
    """``changes`` without repeats (same module, name and action), first mention kept: what the
    one-line-per-change listings show."""
    seen: set[tuple[str, str, str]] = set()
    out = []
    for change in changes:
        key = (change.module, change.qualname, change.action)
        if key not in seen:
            seen.add(key)
            out.append(change)
    return out


def describe(changes: list[Change]) -> str:
    """`` (patched f, added g)``: the visible changes of one module, grouped by action."""
    groups = grouped(changes)
    if not groups:
        return ""
    parts = []
    for action, names in groups.items():
        shown = ", ".join(names[:_SHOWN])
        more = f" +{len(names) - _SHOWN} more" if len(names) > _SHOWN else ""
        parts.append(f"{action} {shown}{more}")
    return ": " + "; ".join(parts)


def failed_line(module: str) -> str:
    """The first line of a failed reload, the same in every front-end."""
    return f"hotswap: reloading {module} failed; kept the previous version"


def failure_lines(problem: Problem) -> list[str]:
    """How every front-end words a failed reload: what failed and that nothing changed, then
    where, as a traceback says it (``File "path", line N``, which editors and terminals link),
    the source line as the file holds it now (the broken version), and the error."""
    out = [failed_line(problem.module)]
    if problem.path:
        if problem.line:
            out.append(f'  File "{problem.path}", line {problem.line}')
            source = _source_line(problem.path, problem.line)
            if source:
                out.append(f"    {source}")
        else:
            out.append(f'  File "{problem.path}"')
    out.append(f"  {problem.message}")
    return out


def _source_line(path: str, line: int) -> str:
    """Line ``line`` of the file as it is on disk now (the failed version, not linecache's)."""
    import tokenize  # only when something failed

    try:
        with tokenize.open(path) as handle:
            for number, source in enumerate(handle, start=1):
                if number == line:
                    return source.strip()
    except (OSError, SyntaxError, UnicodeDecodeError):
        pass  # an unreadable file still gets the rest of the block
    return ""


# -- HTML ----------------------------------------------------------------------------------------


# What ``html.escape`` replaces, without importing ``html`` (and its 2,000-entry table of
# entities, 1-2 ms on the first report of a session, inside the cell that shows it).
_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}
)


def _escape(text: str) -> str:
    return text.translate(_ESCAPES)


def html(report: Report) -> str:
    """The report as an HTML list: the same groups, blocks and warnings as the text."""
    esc = _escape
    rows: list[str] = []
    colours = {"patched": "#2a7", "added": "#27a", "removed": "#a42", "replaced": "#a72"}
    by_module = report.changes_by_module()
    for name in report.reloaded:
        items = []
        for action, names in grouped(by_module.get(name, [])).items():
            colour = colours.get(action, "#777")
            shown = ", ".join(f"<code>{esc(n)}</code>" for n in names[:_SHOWN])
            more = f" +{len(names) - _SHOWN} more" if len(names) > _SHOWN else ""
            items.append(f'<span style="color:{colour}">{esc(action)}</span> {shown}{more}')
        listed = ": " + "; ".join(items) if items else ""
        rows.append(f"<li><b>{esc(name)}</b>{listed}</li>")
    for err in report.errors:
        header, *rest = failure_lines(err)
        rows.append(
            '<li style="color:#a42">'
            + esc(header.removeprefix("hotswap: "))
            + '<pre style="margin:0;color:inherit">'
            + esc("\n".join(line[2:] for line in rest))
            + "</pre></li>"
        )
    for warn in report.warnings:
        rows.append(f'<li style="color:#a72">warning: {esc(str(warn))}</li>')
    if not rows:
        rows.append("<li>nothing changed</li>")
    return (
        '<details class="hotswap-report" open><summary>hotswap</summary>'
        '<ul style="margin:0;font-size:90%">' + "".join(rows) + "</ul></details>"
    )


# -- IPython's output and the log ----------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    """The output of one checkpoint in IPython: text (styled if asked), plain text and HTML.

    ``text`` is ``out`` then ``err``: a terminal shell prints the success lines (``out``) on
    stdout and failures and warnings (``err``) on stderr, where IPython prints its own errors.
    """

    text: str
    html: str
    plain: str  # ``text`` without styling: a notebook's text/plain part
    out: str = ""
    err: str = ""


def render(report: Report, show: Show, *, color: bool) -> Rendered | None:
    """IPython's output for ``report``, or None when there is nothing to show."""
    styled = lines(report, show)
    if not styled:
        return None
    succeeded = sum(1 for style, _line in styled if style == DIM)  # success lines come first
    return Rendered(
        text(styled, color),
        html(visible(report, show)),
        text(styled, False),
        out=text(styled[:succeeded], color),
        err=text(styled[succeeded:], color),
    )


def log(report: Report, show: Show) -> None:
    """Send the lines to the ``hotswap`` logger: a record per reloaded module, per failure
    block (unless ``hide_errors``) and per warning, whatever ``quiet`` hides from the output."""
    logger = logging.getLogger(LOGGER_NAME)
    block: list[str] = []
    for style, line in [*lines(report, Show(hide_errors=show.hide_errors)), (DIM, "")]:
        if block and style:
            logger.error("\n".join(block))  # a failure block ends where another line starts
            block = []
        if style == RED:
            block = [line]
        elif not style:
            block.append(line)
        elif style == YELLOW:
            logger.warning(line)
        elif line:
            logger.info(line)


# -- a terminal ----------------------------------------------------------------------------------


def print_report(report: Report, show: Show, stream: TextIO | None = None) -> None:
    """Write what ``show`` lets through of ``report`` to ``stream`` (default: ``sys.stderr``)."""
    if report:
        write(lines(report, show), stream)


def note(texts: list[str], style: str = "", stream: TextIO | None = None) -> None:
    """Write lines (all in one ``style``: ``DIM``, ``RED``, ``YELLOW`` or none) to stderr."""
    write([(style, line) for line in texts], stream)


def write(styled: Styled, stream: TextIO | None = None) -> None:
    """Write ``(style, text)`` lines in one call (threads print whole lines), styled if wanted."""
    if not styled:
        return
    target = stream if stream is not None else sys.stderr
    if target is None:  # pythonw, or a program that closed stderr
        return
    try:
        target.write(text(styled, wants_color(target)) + "\n")
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
