"""The import hook: user modules execute exactly the bytes hotswap records as their baseline.

A meta-path finder, first on ``sys.meta_path`` while a :class:`hotswap.Reloader` exists, asks the
other finders for a spec and wraps the plain ``SourceFileLoader`` of user modules: its
``get_code`` reads the file once, hands those bytes and their fingerprint to a sink (the
tracker), and compiles exactly them. An edit made right after an import is therefore never
mistaken for the baseline.
"""

from __future__ import annotations

import importlib.machinery
import os
import sys
from collections.abc import Callable
from types import CodeType
from typing import Any

from hotswap._record import Fingerprint, read_file
from hotswap._scope import is_user_file

Sink = Callable[[str, str, Fingerprint, bytes], None]  # (module name, path, fingerprint, bytes)


class _CapturingLoader(importlib.machinery.SourceFileLoader):
    """Executes exactly the bytes it read, and hands them to the sink."""

    sink: Sink

    def get_code(self, fullname: str) -> CodeType:
        path = self.get_filename(fullname)
        data, fingerprint = read_file(path)
        self.sink(fullname, os.path.abspath(path), fingerprint, data)
        code: CodeType = self.source_to_code(data, path)
        return code


class CaptureFinder:
    """First on ``sys.meta_path``: asks the other finders, wraps the loader of user modules."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink

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
            loader = spec.loader
            try:
                if (
                    type(loader) is importlib.machinery.SourceFileLoader
                    and isinstance(spec.origin, str)
                    and is_user_file(os.path.abspath(spec.origin))
                ):
                    wrapped = _CapturingLoader(loader.name, loader.path)
                    wrapped.sink = self.sink
                    spec.loader = wrapped
            except Exception:
                pass
            return spec
        return None

    def invalidate_caches(self) -> None:
        pass
