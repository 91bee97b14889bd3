"""What a watcher watches: the modules ``--include``/``--exclude`` choose (:class:`Patterns`),
their source files and the directories that hold them, and how those files look on disk
(:class:`WatchedFiles`).

:class:`hotswap.Watch` (``_front/watch.py``) applies saves; this module only says where to look.
"""

from __future__ import annotations

import fnmatch
import os
import sys
import threading
from collections.abc import Iterable
from typing import Any

from hotswap._checkpoint.reloader import Reloader
from hotswap._detect.record import resolve_directory
from hotswap._engine.frames import file_of


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


class WatchedFiles:
    """The files a :class:`hotswap.Watch` watches: those of the modules its reloader watches
    (as ``patterns`` choose them) and ``also``, the directories holding them, and their
    fingerprints on disk. ``lock`` keeps the reloader's list from changing while it is read."""

    def __init__(
        self,
        reloader: Reloader,
        patterns: Patterns,
        also: Iterable[str],
        lock: threading.RLock,
    ) -> None:
        self.reloader = reloader
        self.patterns = patterns
        self.also = {os.path.abspath(path) for path in also}  # files watched besides modules
        self._lock = lock
        self._links: frozenset[str] = frozenset()  # symbolic links on the way to directories


    def files(self) -> set[str]:
        """The source files of the modules the reloader watches now."""
        with self._lock:
            self.patterns.apply(self.reloader)
            names = self.reloader.watched()
        out = set(self.also)
        for name in names:
            path = file_of(sys.modules.get(name))
            if path is not None:
                out.add(path)
        return out

    def directories(self) -> frozenset[str]:
        """The directories to watch: those of the watched files, resolved (a watch follows a
        symbolic link once, when it is added), and the parents of the links on their way, so
        that re-pointing one (``current -> release2``) is an event; the set then differs and
        the thread watches the new target."""
        out: set[str] = set()
        links: set[str] = set()
        for directory in {os.path.dirname(p) for p in self.files()}:
            if not os.path.isdir(directory):
                continue
            real, on_the_way = resolve_directory(directory)
            out.add(real)
            links.update(on_the_way)
        out.update(os.path.dirname(link) for link in links)
        self._links = frozenset(links)
        return frozenset(out)

    def relevant(self, change: Any, path: str) -> bool:
        return path.endswith(".py") or path in self._links

    def fingerprints(self) -> dict[str, tuple[int, int, int, int] | None]:
        out: dict[str, tuple[int, int, int, int] | None] = {}
        for path in self.files():
            try:
                st = os.stat(path)
            except OSError:
                out[path] = None
            else:
                out[path] = (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)
        return out
