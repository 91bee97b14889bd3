"""The import hook: user modules run at native speed, and hotswap knows exactly what they run.

A meta-path finder, first on ``sys.meta_path`` while a :class:`hotswap.Reloader` exists, asks the
other finders for a spec and wraps the plain ``SourceFileLoader`` of user modules for the time
of the import (the module and its users see the original loader, even while it runs). The wrapped
loader is the standard one (cached bytecode in ``__pycache__`` is used and written as Python
does); it only reports to a sink (the tracker), for each module, what it ran:

- compiled from source (no valid cached bytecode): the bytes it compiled, and the fingerprint
  of their read;
- loaded from cached bytecode: the fingerprint ``(mtime_ns, ctime_ns, size, inode)`` of the stat
  that validated the cache, and no bytes. The source is read right after the import, by a
  thread (started with the first Reloader, woken by such a module) that waits until no module
  came for 20 ms (reading beside the import made it twice as
  slow: two threads trading the GIL at every system call), and is the baseline only if its
  fingerprint is still that one: any write since the import moves the ctime. Reading every
  source during the import cost a quarter of importing a project of small modules from its
  cache (the read, its four system calls and the fingerprint: 14 of 40 us a module).
  When the file changed first, its bytes are lost; what the module's code bound is known from
  the code object (``Record.lost``), so its next reload, run whole, still removes what the new
  source no longer binds.

Cached bytecode is trusted only for a file last written more than two seconds before the
import: the cache is validated by the source's mtime in whole seconds and its size, so a second
save within the same second could leave a stale cache valid. Such a file is compiled from the
bytes read, so that what runs is what hotswap records, exactly. An edit made right after an
import is therefore never mistaken for the baseline.

The sink also gets what the module's top-level code reads and calls while it is imported
(module body, class bodies, comprehensions; not function bodies), from its code object: what
the importer index needs to tell whether a value that changed elsewhere matters at import time.

A module whose source was given as text (``Reloader.apply_sources``: a Dask worker that was
pushed the client's version before it imported the module) runs that text instead of its file,
compiled here and never written to ``__pycache__`` (the cache is keyed by the file's mtime, so
a fresh process would take it for the file's bytecode).
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys
import time
from collections.abc import Callable
from types import CodeType, ModuleType
from typing import Any

from hotswap._detect.creation import snapshot
from hotswap._detect.record import RACY_NS, Fingerprint, Pushed, digest, read_file
from hotswap._detect.scope import is_user_file

# name, path (as the finder gave it), the fingerprint of the bytes it executes and the bytes;
# or, run from cached bytecode, the stat that validated it and None (not read); the code object
Sink = Callable[[str, str, Fingerprint | os.stat_result, bytes | None, CodeType], None]


_SOURCE_LOADER = importlib.machinery.SourceFileLoader
_UNNORMAL = os.sep + "."  # (``/./``, ``/../``: an origin ``abspath`` would change)


class _CapturingLoader(importlib.machinery.SourceFileLoader):
    """The standard loader, reporting what it executed to the sink."""

    sink: Sink
    pushed: dict[str, Pushed]

    def __init__(
        self, original: importlib.machinery.SourceFileLoader, sink: Sink, pushed: dict[str, Pushed]
    ) -> None:
        # (What ``FileLoader.__init__`` sets, set here: a frame less for every module imported.)
        self.name = original.name
        self.path = original.path
        self.original = original
        self.sink = sink
        self.pushed = pushed
        self._stat: os.stat_result | None = None
        self._read: tuple[bytes, Fingerprint] | None = None

    def path_stats(self, path: str) -> dict[str, Any]:
        st = os.stat(path)
        if path == self.path:
            self._stat = st
        return {"mtime": st.st_mtime, "size": st.st_size}

    def get_data(self, path: str) -> bytes:
        if path != self.path:  # the cached bytecode
            return super().get_data(path)
        data, fingerprint = read_file(path)
        self._read = (data, fingerprint)
        return data

    def exec_module(self, module: ModuleType) -> None:
        # Hidden from the module and its users: ``type(module.__spec__.loader)`` and
        # ``module.__loader__`` are the loader the other finder gave, already while the module
        # runs (the import system set them to this wrapper just before).
        original = self.original
        spec = getattr(module, "__spec__", None)
        if spec is not None and spec.loader is self:
            spec.loader = original
        if getattr(module, "__loader__", None) is self:
            module.__loader__ = original
        super().exec_module(module)
        # (Not ``contextlib.suppress``: making its object costs every import a microsecond.)
        try:  # noqa: SIM105
            snapshot(module)  # what its classes hold, made (see _detect.creation)
        except Exception:  # (a class whose ``__dict__`` misbehaves)
            pass

    def get_code(self, fullname: str) -> CodeType:
        self._stat = self._read = None
        pushed = self.pushed.get(fullname)
        if pushed is not None:
            return self._pushed_code(fullname, pushed)
        code: CodeType | None = super().get_code(fullname)
        assert code is not None
        path, stat, read = self.path, self._stat, self._read
        self._stat = self._read = None
        if read is None:
            if stat is not None and time.time_ns() - stat.st_mtime_ns >= RACY_NS:
                # Cached bytecode ran, validated against this stat: the source is read later
                # and taken for the baseline only if its fingerprint is still this one.
                self.sink(fullname, path, stat, None, code)
                return code
            # Saved so recently that the cache's validation (mtime in whole seconds, size)
            # cannot tell two saves apart: run what is read.
            read = read_file(path)
            code = self.source_to_code(read[0], path)
        self.sink(fullname, path, read[1], read[0], code)
        return code

    def _pushed_code(self, fullname: str, pushed: Pushed) -> CodeType:
        """The pushed text, compiled; the file it replaces is read for its fingerprint and
        digest (that copy is not an edit, see ``Tracker._look``)."""
        path = self.path
        disk, fingerprint = read_file(path)
        pushed.stale = digest(disk)
        data = pushed.data
        code = self.source_to_code(data, path)
        # Tracebacks and ``inspect`` read linecache: the text that runs, not the file (an
        # mtime of None keeps ``linecache.checkcache`` from dropping it for the file's).
        import linecache

        text = importlib.util.decode_source(data)
        linecache.cache[path] = (len(text), None, text.splitlines(True), path)
        self.sink(fullname, os.path.abspath(path), fingerprint, data, code)
        return code


class CaptureFinder:
    """First on ``sys.meta_path``: asks the other finders, wraps the loader of user modules.
    ``pushed``: modules that run given text instead of their file (the tracker's)."""

    def __init__(self, sink: Sink, pushed: dict[str, Pushed] | None = None) -> None:
        self.sink = sink
        self.pushed: dict[str, Pushed] = {} if pushed is None else pushed

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        for finder in sys.meta_path:
            if finder is self or isinstance(finder, CaptureFinder):
                continue
            find = getattr(finder, "find_spec", None)
            if find is None:
                continue
            spec = find(fullname, path, target)
            if spec is None:
                continue
            loader, origin = spec.loader, spec.origin
            try:
                if type(loader) is _SOURCE_LOADER and type(origin) is str:
                    if not origin.startswith(os.sep) or _UNNORMAL in origin:
                        origin = os.path.abspath(origin)
                    if is_user_file(origin):
                        spec.loader = _CapturingLoader(loader, self.sink, self.pushed)
            except Exception:
                pass
            return spec
        return None

    def invalidate_caches(self) -> None:
        pass
