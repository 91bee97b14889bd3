"""hotswap: keep a live Python session in step with the source files you edit.

Importing this package does nothing but define names: hooks, threads and watchers go in
only through explicit calls (``Reloader(...)``, ``install()``, ``watch()``), each with its undo.
"""

from __future__ import annotations

from typing import Any

from hotswap._errors import HotswapError, HotswapWarning, ReloadError
from hotswap._reloader import Reloader, reload
from hotswap._repl import install, uninstall
from hotswap._report import Change, Problem, Report
from hotswap._watch import checkpoint, watch

__all__ = [
    "Change",
    "HotswapError",
    "HotswapWarning",
    "Problem",
    "ReloadError",
    "Reloader",
    "Report",
    "__version__",
    "checkpoint",
    "install",
    "reload",
    "uninstall",
    "watch",
]


def __getattr__(name: str) -> Any:
    # __version__ is read lazily from the installed metadata: one place (pyproject.toml) holds it.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("hotswap")
        except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
            return "0+unknown"
    raise AttributeError(f"module 'hotswap' has no attribute {name!r}")


# ``%load_ext hotswap`` looks these up on the package; the front-end (and IPython) is imported
# only when IPython calls them, so ``import hotswap`` stays free of IPython.
def load_ipython_extension(ipython: Any) -> None:
    """Called by ``%load_ext hotswap``: see :mod:`hotswap.ipython`."""
    from hotswap.ipython import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """Called by ``%unload_ext hotswap``: removes the hooks and magics."""
    from hotswap.ipython import unload_ipython_extension as unload

    unload(ipython)
