"""What a reload did: per-object changes, warnings and errors, rendered as text, HTML or log lines.

A :class:`Report` is the only thing the engine hands to a front-end. Front-ends decide how to
show it (dim lines in IPython, HTML in Jupyter, stderr lines in the REPL or runner); the text
forms live here so that every front-end says the same thing, a failure included
(:func:`failure_lines`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Action = Literal["patched", "added", "removed", "replaced", "rerun", "rebound"]


@dataclass(frozen=True)
class Change:
    """One object that a reload touched.

    ``action`` is one of ``patched`` (same object, new code), ``added``, ``removed``,
    ``replaced`` (a new object took the name: the old one could not be updated in place),
    ``rerun`` (a top-level statement ran again), ``rebound`` (a name elsewhere now points at the
    new value). Objects that only moved (same code, new line numbers) are not listed: their
    line numbers follow the file. ``where`` is ``path:line`` in the new source, or the
    namespace that was rebound.
    """

    __module__ = "hotswap"

    module: str
    qualname: str
    action: Action
    where: str = ""


@dataclass(frozen=True)
class Problem:
    """An error (the reload was rolled back) or a warning (it applied, with a caveat)."""

    __module__ = "hotswap"

    module: str
    path: str
    line: int | None
    message: str

    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def __str__(self) -> str:
        return f"{self.module} ({self.location()}): {self.message}"


@dataclass
class Report:
    """The outcome of one checkpoint (``Reloader.check()``) or one ``hotswap.reload()``.

    ``ok`` is false when any module failed; a failed module was rolled back to exactly its
    previous state and is retried when its file (or a dependency) changes again.
    """

    __module__ = "hotswap"

    reloaded: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.failed

    def __bool__(self) -> bool:
        """True when something happened (a reload, a failure or a warning)."""
        return bool(self.reloaded or self.failed or self.warnings or self.errors)

    def merge(self, other: Report) -> None:
        for name in other.reloaded:
            if name not in self.reloaded:
                self.reloaded.append(name)
        for name in other.failed:
            if name not in self.failed:
                self.failed.append(name)
        self.changes.extend(other.changes)
        self.warnings.extend(other.warnings)
        self.errors.extend(other.errors)

    def changes_of(self, module: str) -> list[Change]:
        return [c for c in self.changes if c.module == module]

    # -- rendering -------------------------------------------------------------------------

    def summary_lines(self) -> list[str]:
        """One line per reloaded module, a short block per failed one (:func:`failure_lines`),
        then one line per warning."""
        lines: list[str] = []
        for name in self.reloaded:
            lines.append(f"hotswap: reloaded {name}{_describe(self.changes_of(name))}")
        for err in self.errors:
            lines.extend(failure_lines(err))
        for warn in self.warnings:
            lines.append(f"hotswap: warning: {warn}")
        return lines

    def __str__(self) -> str:
        lines = self.summary_lines()
        return "\n".join(lines) if lines else "hotswap: nothing changed"

    def _repr_html_(self) -> str:
        import html  # (with html.entities, a tenth of what loading the extension imports)

        rows: list[str] = []
        colours = {"patched": "#2a7", "added": "#27a", "removed": "#a42", "replaced": "#a72"}
        for name in self.reloaded:
            # The groups the text line shows (``rerun C.__eq__, ...`` included), each name once.
            items = []
            for action, names in _grouped(self.changes_of(name)).items():
                colour = colours.get(action, "#777")
                shown = ", ".join(f"<code>{html.escape(n)}</code>" for n in names[:_SHOWN])
                more = f" +{len(names) - _SHOWN} more" if len(names) > _SHOWN else ""
                items.append(
                    f'<span style="color:{colour}">{html.escape(action)}</span> {shown}{more}'
                )
            rows.append(
                f"<li><b>{html.escape(name)}</b>"
                + (": " + "; ".join(items) if items else "")
                + "</li>"
            )
        for err in self.errors:
            header, *rest = failure_lines(err)
            rows.append(
                '<li style="color:#a42">'
                + html.escape(header.removeprefix("hotswap: "))
                + '<pre style="margin:0;color:inherit">'
                + html.escape("\n".join(line[2:] for line in rest))
                + "</pre></li>"
            )
        for warn in self.warnings:
            rows.append(f'<li style="color:#a72">warning: {html.escape(str(warn))}</li>')
        if not rows:
            rows.append("<li>nothing changed</li>")
        return (
            '<details class="hotswap-report" open><summary>hotswap</summary>'
            '<ul style="margin:0;font-size:90%">' + "".join(rows) + "</ul></details>"
        )


_SHOWN = 6  # names shown per action; the rest are counted


def _grouped(changes: list[Change]) -> dict[str, list[str]]:
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


def _describe(changes: list[Change]) -> str:
    """`` (patched f, added g)``: the visible changes of one module, grouped by action."""
    groups = _grouped(changes)
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
    lines = [failed_line(problem.module)]
    if problem.path:
        if problem.line:
            lines.append(f'  File "{problem.path}", line {problem.line}')
            source = _source_line(problem.path, problem.line)
            if source:
                lines.append(f"    {source}")
        else:
            lines.append(f'  File "{problem.path}"')
    lines.append(f"  {problem.message}")
    return lines


def _source_line(path: str, line: int) -> str:
    """Line ``line`` of the file as it is on disk now (the failed version, not linecache's)."""
    import tokenize  # only when something failed

    try:
        with tokenize.open(path) as handle:
            for number, text in enumerate(handle, start=1):
                if number == line:
                    return text.strip()
    except (OSError, SyntaxError, UnicodeDecodeError):
        pass  # an unreadable file still gets the rest of the block
    return ""
