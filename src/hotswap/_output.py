"""How the IPython front-end shows a :class:`~hotswap.Report`: text, notebook HTML and log records.

One checkpoint produces at most one output: printed text in a terminal shell, a bundle with
``text/plain`` (``jupyter console``) and ``text/html`` (notebooks) in a kernel. The text is one
dim line per reloaded module, a short block per failed module (module, ``File "path", line N``,
the source line, the error, "kept the previous version") and one line per warning. The HTML is
``Report._repr_html_`` of the same, filtered, report, so both say the same thing.

``OutputOptions`` carries the ``%autoreload`` flags that decide what is shown; they are complete
settings, replaced on every ``%autoreload`` call, as in IPython.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from hotswap._report import Report, distinct, failed_line, failure_lines

LOGGER_NAME = "hotswap"

_DIM = "\x1b[2m"
_RED = "\x1b[31m"
_RESET = "\x1b[0m"


@dataclass(frozen=True)
class OutputOptions:
    """What to show after a checkpoint.

    ``quiet`` hides the success line; ``print_activity`` (IPython's ``-p``) shows it even then,
    with one line per changed object; ``log`` sends the same text to the ``hotswap`` logger;
    ``hide_errors`` hides failure blocks (in the output and in the log).
    """

    quiet: bool = False
    print_activity: bool = False
    log: bool = False
    hide_errors: bool = False

    def describe(self) -> str:
        names = [
            flag
            for flag, on in (
                ("quiet", self.quiet),
                ("print", self.print_activity),
                ("log", self.log),
                ("hide-errors", self.hide_errors),
            )
            if on
        ]
        return ", ".join(names) if names else "default (one line per reload, errors shown)"


@dataclass(frozen=True)
class Rendered:
    """The output of one checkpoint: plain text (with ANSI styling if asked) and HTML.

    ``text`` is ``out`` then ``err``: a terminal prints the success lines (``out``) on stdout and
    failures and warnings (``err``) on stderr, where IPython prints its own errors.
    """

    text: str
    html: str
    plain: str  # ``text`` without styling: a notebook's text/plain part, the log
    out: str = ""
    err: str = ""


def visible_part(report: Report, options: OutputOptions) -> Report:
    """The part of ``report`` that ``options`` let through (an empty report shows nothing)."""
    show_success = options.print_activity or not options.quiet
    reloaded = list(report.reloaded) if show_success else []
    return Report(
        reloaded=reloaded,
        failed=[] if options.hide_errors else list(report.failed),
        changes=[c for c in report.changes if c.module in reloaded],
        warnings=list(report.warnings),
        errors=[] if options.hide_errors else list(report.errors),
    )


def render(report: Report, options: OutputOptions, *, color: bool) -> Rendered | None:
    """Text and HTML for ``report``, or None when there is nothing to show."""
    shown = visible_part(report, options)
    if not shown:
        return None
    styled: list[str] = []
    plain: list[str] = []

    def add(line: str, style: str = "") -> None:
        plain.append(line)
        styled.append(f"{style}{line}{_RESET}" if color and style else line)

    success = Report(reloaded=shown.reloaded, changes=shown.changes)
    for line in success.summary_lines():
        add(line, _DIM)
    if options.print_activity:
        for change in distinct(shown.changes):
            where = f"  ({change.where})" if change.where else ""
            add(f"    {change.action} {change.module}.{change.qualname}{where}", _DIM)
    succeeded = len(styled)
    for problem in shown.errors:
        header, *rest = failure_lines(problem)
        add(header, _RED)
        for line in rest:
            add(line)
    for name in shown.failed:
        if not any(p.module == name for p in shown.errors):
            add(failed_line(name), _RED)
    for warning in shown.warnings:
        add(f"hotswap: warning: {warning}")
    return Rendered(
        "\n".join(styled),
        shown._repr_html_(),
        "\n".join(plain),
        out="\n".join(styled[:succeeded]),
        err="\n".join(styled[succeeded:]),
    )


def log(report: Report, options: OutputOptions) -> None:
    """Send what ``render`` would show to the ``hotswap`` logger (``%autoreload -l``)."""
    logger = logging.getLogger(LOGGER_NAME)
    everything = OutputOptions(print_activity=True, hide_errors=options.hide_errors)
    shown = visible_part(report, everything)
    success = Report(reloaded=shown.reloaded, changes=shown.changes)
    for line in success.summary_lines():
        logger.info(line)
    for problem in shown.errors:
        logger.error("\n".join(failure_lines(problem)))
    for warning in shown.warnings:
        logger.warning("hotswap: warning: %s", warning)
