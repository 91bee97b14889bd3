"""What a reload did: per-object changes, warnings and errors.

A :class:`Report` is the only thing the engine hands to a front-end. How it is shown (text,
ANSI, HTML, log records) is :mod:`hotswap._front.render`'s one set of lines, so that every front-end
says the same thing, a failure included; ``str()`` and ``_repr_html_()`` use it too.
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
        for mine, theirs in ((self.reloaded, other.reloaded), (self.failed, other.failed)):
            known = set(mine)
            mine.extend(n for n in dict.fromkeys(theirs) if n not in known)
        self.changes.extend(other.changes)
        self.warnings.extend(other.warnings)
        self.errors.extend(other.errors)

    def changes_of(self, module: str) -> list[Change]:
        return [c for c in self.changes if c.module == module]

    def changes_by_module(self) -> dict[str, list[Change]]:
        """:meth:`changes_of` every module at once, in one pass (a checkout's report lists
        hundreds of modules: asking each of them walked every change)."""
        out: dict[str, list[Change]] = {}
        for change in self.changes:
            found = out.get(change.module)
            if found is None:
                out[change.module] = [change]
            else:
                found.append(change)
        return out

    # -- rendering (hotswap._front.render: one set of lines for every front-end) -------------------

    def summary_lines(self) -> list[str]:
        """One line per reloaded module, a short block per failed one, then one line per
        warning: what every front-end shows (``hotswap._front.render.lines``), unstyled."""
        from hotswap._front.render import lines

        return [line for _style, line in lines(self)]

    def __str__(self) -> str:
        lines = self.summary_lines()
        return "\n".join(lines) if lines else "hotswap: nothing changed"

    def _repr_html_(self) -> str:
        from hotswap._front.render import html

        return html(self)
