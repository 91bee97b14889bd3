"""What a failed reload must leave alone, taken before and compared after (standard library only).

A :class:`Snapshot` of a module records every entry of its dict (by identity), the code,
defaults and closure cells of its functions, and the members, bases and member code of the
classes it defines. ``diff()`` lists what differs now, in words a test failure can show.
Used by the fuzz driver (``tests/_fuzz_driver.py``) and the bad-input and interrupt suites.
"""

from __future__ import annotations

import contextlib
import sys
import types
from typing import Any


class Snapshot:
    def __init__(self, module: types.ModuleType) -> None:
        self.module = module
        self.name = module.__name__
        self.in_sys_modules = sys.modules.get(self.name)
        self.state = self._take()

    def _take(self) -> dict[str, Any]:
        state: dict[str, Any] = {}
        for key, value in list(vars(self.module).items()):
            state[key] = value
            state.update(_parts(key, value, self.name))
        return state

    def diff(self) -> list[str]:
        """Human-readable differences between the module now and when the snapshot was taken."""
        now = self._take()
        name = self.name
        out = [f"{name}.{k}: added" for k in sorted(set(now) - set(self.state))]
        out += [f"{name}.{k}: gone" for k in sorted(set(self.state) - set(now))]
        for key, before in self.state.items():
            if key in now and now[key] is not before and now[key] != before:
                out.append(f"{name}.{key}: changed")
        if sys.modules.get(name) is not self.in_sys_modules:
            out.append(f"sys.modules[{name!r}] is no longer the module")
        return out


def _parts(key: str, value: Any, module: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(value, types.FunctionType):
        out.update(_function(key, value))
    elif isinstance(value, type) and value.__module__ == module:
        out[f"{key}.__bases__"] = value.__bases__
        for member, inner in list(vars(value).items()):
            if member in ("__dict__", "__weakref__"):
                continue
            out[f"{key}.{member}"] = inner
            for attr in ("__func__", "fget", "fset", "func"):
                target = getattr(inner, attr, None)
                if isinstance(target, types.FunctionType):
                    out.update(_function(f"{key}.{member}.{attr}", target))
            if isinstance(inner, types.FunctionType):
                out.update(_function(f"{key}.{member}", inner))
    return out


def _function(key: str, func: types.FunctionType) -> dict[str, Any]:
    out: dict[str, Any] = {
        f"{key}.__code__": func.__code__,
        f"{key}.__defaults__": func.__defaults__,
    }
    for index, cell in enumerate(func.__closure__ or ()):
        with contextlib.suppress(ValueError):  # an empty cell
            out[f"{key}.<cell {index}>"] = cell.cell_contents
    return out
