"""hotswap: keep a live Python session in step with the source files you edit.

Importing this package does nothing but define names: hooks, threads and watchers go in
only through explicit calls (``Reloader(...)``, ``install()``, ``watch()``), each with its undo.
"""

from __future__ import annotations

from hotswap._errors import HotswapError, HotswapWarning

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (milliseconds)
if TYPE_CHECKING:
    from typing import Any

    from hotswap._checkpoint.reloader import Reloader, reload
    from hotswap._front.loop import STOP, loop
    from hotswap._front.repl import install, uninstall
    from hotswap._front.restart import restartable
    from hotswap._front.watch import Watch, checkpoint, watch
    from hotswap._report import Change, Problem, Report

__all__ = [
    "STOP",
    "Change",
    "HotswapError",
    "HotswapWarning",
    "Problem",
    "Reloader",
    "Report",
    "Watch",
    "__version__",
    "checkpoint",
    "install",
    "loop",
    "reload",
    "restartable",
    "uninstall",
    "watch",
]

# The engine is imported on first use of a name that needs it, not by ``import hotswap``: a
# profile or ``sitecustomize`` that imports hotswap costs about a millisecond until it is used.
_LAZY = {
    "Change": "hotswap._report",
    "Problem": "hotswap._report",
    "Report": "hotswap._report",
    "Reloader": "hotswap._checkpoint.reloader",
    "reload": "hotswap._checkpoint.reloader",
    "install": "hotswap._front.repl",
    "uninstall": "hotswap._front.repl",
    "STOP": "hotswap._front.loop",
    "loop": "hotswap._front.loop",
    "restartable": "hotswap._front.restart",
    "Watch": "hotswap._front.watch",
    "checkpoint": "hotswap._front.watch",
    "watch": "hotswap._front.watch",
}


def __getattr__(name: str) -> Any:
    where = _LAZY.get(name)
    if where is not None:
        from importlib import import_module

        value = getattr(import_module(where), name)
        globals()[name] = value  # once: later lookups are plain attribute reads
        return value
    # __version__ is read lazily from the installed metadata: one place (pyproject.toml) holds it.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("hotswap")
        except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
            return "0+unknown"
    raise AttributeError(f"module 'hotswap' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


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
