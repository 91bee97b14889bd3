"""Which frames are running code that a reload replaced, and who hears of each reload.

A frame keeps the code object it started with: after a function is patched, a call already in
progress (a loop in ``main()``, a server's ``serve_forever``) goes on with the old code, and
the next call runs the new. The watcher names such functions once; these helpers find them.

A ``@hotswap.restartable`` call runs a code object hotswap compiled from the function's code
(see ``_front.restart``): :data:`BASES` maps it to the code it was made from, so it counts as stale
only when the function's code changed, and :data:`SWITCHING` holds those that will switch to
the new code at their next loop back-edge (they are not named as keeping their old code).
:func:`reloaded` is called by the engine after every reload that changed something: it counts
reloads (``hotswap.loop`` waits for the next one) and tells the listeners.
"""

from __future__ import annotations

import os
import sys
import threading
import types
import weakref
from collections.abc import Callable, Iterable
from typing import Any

# code a restartable call runs -> the function's code it was compiled from
BASES: weakref.WeakKeyDictionary[types.CodeType, types.CodeType] = weakref.WeakKeyDictionary()
SWITCHING: weakref.WeakSet[types.CodeType] = weakref.WeakSet()
LISTENERS: list[Callable[[list[str]], None]] = []
RELOADS = threading.Condition()
_COUNT = [0]


def reloads() -> int:
    """How many reloads changed something in this process so far."""
    return _COUNT[0]


def reloaded(modules: list[str], changed: bool) -> None:
    """The engine applied the new text of ``modules`` (under its lock; ``changed``: something
    visible changed): count it, wake waiters, tell the listeners (which must not raise)."""
    if changed:
        with RELOADS:
            _COUNT[0] += 1
            RELOADS.notify_all()
    for listener in list(LISTENERS):
        listener(modules)


def file_of(module: types.ModuleType | None) -> str | None:
    """The absolute ``.py`` path of a module, or None."""
    path = getattr(module, "__file__", None)
    if isinstance(path, str) and path.endswith(".py"):
        return os.path.abspath(path)
    return None


def running_old_code(modules: Iterable[str]) -> list[tuple[types.FrameType, str, str, str]]:
    """``(frame, qualname, path, thread name)`` of frames running code a reload replaced.

    A frame keeps the code object it started with; when the function now holds another code
    object with the same qualified name, that frame runs the old version.
    """
    files: dict[str, types.ModuleType] = {}
    for name in modules:
        module = sys.modules.get(name)
        path = file_of(module)
        if module is not None and path is not None:
            files[path] = module
    if not files:
        return []
    names = {thread.ident: thread.name for thread in threading.enumerate()}
    found = []
    for ident, frame in sys._current_frames().items():
        current: types.FrameType | None = frame
        while current is not None:
            code = current.f_code
            module = files.get(os.path.abspath(code.co_filename))
            if module is not None and code.co_name != "<module>" and code not in SWITCHING:
                now = _code_of(module, code.co_qualname)
                if now is not None and now is not BASES.get(code, code):
                    thread = names.get(ident, "a thread")
                    found.append((current, code.co_qualname, code.co_filename, thread))
            current = current.f_back
    return found


def frames_on_stacks() -> list[types.FrameType]:
    out = []
    for frame in sys._current_frames().values():
        current: types.FrameType | None = frame
        while current is not None:
            out.append(current)
            current = current.f_back
    return out


def _code_of(module: types.ModuleType, qualname: str) -> types.CodeType | None:
    """The code object that ``module``'s function ``qualname`` has now (None: not found)."""
    parts = qualname.split(".")
    if "<locals>" in parts:
        return None
    obj: Any = module
    for part in parts:
        try:
            namespace = vars(obj)
        except TypeError:
            return None
        obj = namespace.get(part)
        if obj is None:
            return None
    for _ in range(8):
        if isinstance(obj, staticmethod | classmethod):
            obj = obj.__func__
        elif isinstance(obj, property):
            obj = obj.fget
        elif isinstance(obj, types.FunctionType):
            return obj.__code__ if obj.__code__.co_qualname == qualname else None
        else:
            obj = getattr(obj, "__wrapped__", None)
        if obj is None:
            return None
    return None
