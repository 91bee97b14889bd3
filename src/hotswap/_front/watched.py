"""What a watcher watches: the modules ``--include``/``--exclude`` choose (:class:`Patterns`),
their source files and the directories that hold them, and how those files look on disk.

:class:`hotswap.Watch` (``_front/watch.py``) applies saves; this module only says where to look.
"""

from __future__ import annotations

import fnmatch
import sys
from collections.abc import Iterable

from hotswap._checkpoint.reloader import Reloader


class Patterns:
    """``--include``/``--exclude``: module names (covering submodules) or glob patterns."""

    def __init__(self, include: Iterable[str] = (), exclude: Iterable[str] = ()) -> None:
        self.include = [p for p in include if p]
        self.exclude = [p for p in exclude if p]
        self._seen: set[str] = set()
        self._configured: set[int] = set()

    def excludes(self, name: str) -> bool:
        return any(_matches(name, p) for p in self.exclude)

    def apply(self, reloader: Reloader) -> None:
        """Tell ``reloader`` about the patterns, for every module loaded since the last call."""
        if id(reloader) not in self._configured:
            self._configured.add(id(reloader))
            if self.include:
                reloader.mode = "explicit"
            for pattern in self.include:
                if not _is_glob(pattern):
                    reloader.include(pattern)
            for pattern in self.exclude:
                if not _is_glob(pattern):
                    reloader.exclude(pattern)
        if not any(_is_glob(p) for p in (*self.include, *self.exclude)):
            return
        new = set(sys.modules) - self._seen
        self._seen |= new
        for name in sorted(new):
            if any(_is_glob(p) and fnmatch.fnmatchcase(name, p) for p in self.exclude):
                reloader.exclude(name)
            elif any(_is_glob(p) and fnmatch.fnmatchcase(name, p) for p in self.include):
                reloader.include(name)


def _is_glob(pattern: str) -> bool:
    return any(c in pattern for c in "*?[")


def _matches(name: str, pattern: str) -> bool:
    if _is_glob(pattern):
        return fnmatch.fnmatchcase(name, pattern)
    return name == pattern or name.startswith(pattern + ".")


def racy(prints: dict[str, tuple[int, int, int, int] | None]) -> bool:
    """A file written in the last two seconds may be rewritten within the same time stamp."""
    import time

    now = time.time_ns()
    return any(p is not None and 0 <= now - p[0] < 2_000_000_000 for p in prints.values())
