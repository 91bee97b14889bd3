"""Which modules are watched.

By default: every module executed from a ``.py`` file that lies outside the standard library and
site-packages (the user's code, editable installs). Never: hotswap itself, builtins, extension
modules, modules without a source file, ``__main__`` (the session itself; the runner registers
its script explicitly). ``include``/``exclude`` take module names and cover their submodules
(``pkg`` covers ``pkg.sub``); an exclusion wins over an inclusion of a parent.
"""

from __future__ import annotations

import contextlib
import os
import re
import site
import sys
import sysconfig
from types import ModuleType

MODES = ("off", "explicit", "all", "complete")


def parse_mode(value: str | int) -> str:
    """``"off"``/``"explicit"``/``"all"``/``"complete"`` or IPython's 0/1/2/3 to the name."""
    if isinstance(value, bool):
        raise ValueError(f"unknown mode {value!r}")
    if isinstance(value, int):
        if 0 <= value < len(MODES):
            return MODES[value]
    elif isinstance(value, str):
        text = value.strip().lower()
        if text in MODES:
            return text
        if text.isdigit() and int(text) < len(MODES):
            return MODES[int(text)]
    raise ValueError(
        f"unknown mode {value!r}: use 'off', 'explicit', 'all', 'complete' or 0, 1, 2, 3"
    )


def _library_roots() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    roots = {paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib") if k in paths}
    with contextlib.suppress(AttributeError):  # virtualenv's old site.py lacks it
        roots.update(site.getsitepackages())
    user = site.getusersitepackages()
    if isinstance(user, str):
        roots.add(user)
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    roots.add(here)
    out = set()
    for root in roots:
        out.add(os.path.normcase(os.path.abspath(root)))
        out.add(os.path.normcase(os.path.realpath(root)))
    return tuple(sorted(r.rstrip(os.sep) + os.sep for r in out))


_ROOTS: tuple[str, ...] | None = None


def library_roots() -> tuple[str, ...]:
    global _ROOTS
    if _ROOTS is None:
        _ROOTS = _library_roots()
    return _ROOTS


def source_file(module: ModuleType) -> str | None:
    """The ``.py`` file the module was executed from, or None when it has none."""
    spec = getattr(module, "__spec__", None)
    path = getattr(spec, "origin", None) if spec is not None else None
    if not isinstance(path, str):
        path = getattr(module, "__file__", None)
    if path is None and getattr(module, "__name__", None) == "__main__":
        # ``python -i script.py`` drops the script's ``__file__`` once it has run (and a script
        # has no ``__spec__``); the loader it ran with still names the file.
        path = getattr(getattr(module, "__loader__", None), "path", None)
    if not isinstance(path, str) or not path.endswith(".py"):
        return None
    if _NORMAL_ABSOLUTE and path.startswith("/") and _normal(path):
        return path  # already what abspath returns (the common case; the scan asks thousands)
    return os.path.abspath(path)


def _normal(path: str) -> bool:
    """Whether an absolute POSIX path is what ``normpath`` makes of it."""
    return "//" not in path and ("/." not in path or not _UNNORMAL.search(path))


_NORMAL_ABSOLUTE = os.sep == "/" and os.altsep is None
_UNNORMAL = re.compile(r"//|/\.\.?/")  # what normpath would change in an absolute path


def is_user_file(path: str) -> bool:
    """False for files under the standard library, site-packages or hotswap itself."""
    norm = path if _NORMAL_ABSOLUTE else os.path.normcase(path)
    return not norm.startswith(library_roots())


class Scope:
    """Include/exclude lists plus the default rule."""

    def __init__(self) -> None:
        self.included: set[str] = set()
        self.excluded: set[str] = set()

    def include(self, name: str) -> None:
        self.excluded.discard(name)
        self.included.add(name)

    def exclude(self, name: str) -> None:
        self.included.discard(name)
        self.excluded.add(name)

    def _match(self, name: str, names: set[str]) -> str | None:
        """The longest entry of ``names`` that is ``name`` or a parent package of it."""
        best = None
        for entry in names:
            if (name == entry or name.startswith(entry + ".")) and (
                best is None or len(entry) > len(best)
            ):
                best = entry
        return best

    def allows(self, name: str, mode: str) -> bool:
        """Whether module ``name`` (already known to be a user module) is reloaded in ``mode``."""
        if mode == "off" or (name == "__main__" and "__main__" not in self.included):
            return False
        excluded = self._match(name, self.excluded)
        included = self._match(name, self.included)
        if excluded is not None and (included is None or len(excluded) >= len(included)):
            return False
        if mode == "explicit":
            return included is not None
        return True


def watched_modules() -> dict[str, str]:
    """Every loaded user module's name and source file (a scan of ``sys.modules``)."""
    out = {}
    roots = library_roots()
    for name, module in list(sys.modules.items()):
        if not isinstance(module, ModuleType) or name == "__main__":
            continue
        path = source_file(module)
        if path is None:
            continue
        if not (path if _NORMAL_ABSOLUTE else os.path.normcase(path)).startswith(roots):
            out[name] = path
    return out
