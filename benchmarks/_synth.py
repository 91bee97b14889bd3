"""Synthetic modules for the benchmarks, generated on the fly.

Every generated function is a few lines with a docstring, about 110 bytes, so a module of
1,000 functions is about 109 KiB (the size the issue measured IPython with). Edits change one
function in the middle of a module: ``body`` keeps the line count (a constant changes),
``insert`` adds or removes a line, so every definition below it moves.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

PACKAGE_SIZE = 100  # modules per package directory in the "many modules" trees


def function(index: int, value: int = 0, extra: bool = False) -> str:
    """One top-level function of about 110 bytes; ``value`` is what an edit changes."""
    more = "    alpha += 0\n" if extra else ""
    return (
        f"\n\ndef func_{index:05d}(alpha, beta=2):\n"
        f'    """Return a value ({index})."""\n'
        f"{more}"
        f"    return alpha * beta + {index} + {value} - BASE\n"
    )


def module_source(functions: int, value: int = 0, extra: bool = False) -> str:
    """A module of ``functions`` functions; function ``functions // 2`` carries the edit."""
    edited = functions // 2
    parts = ['"""Synthetic benchmark module."""\n', "\n", "BASE = 0\n"]
    for i in range(functions):
        if i == edited:
            parts.append(function(i, value, extra))
        else:
            parts.append(function(i))
    return "".join(parts)


def edited_function(functions: int) -> str:
    return f"func_{functions // 2:05d}"


def expected(functions: int, value: int) -> int:
    """What the edited function returns for ``alpha=1`` once edit ``value`` is live."""
    return 1 * 2 + functions // 2 + value


def small_module(index: int) -> str:
    return f'"""Module {index}."""\n\nVALUE = {index}\n\n\ndef get():\n    return VALUE\n'


def many_module_names(count: int) -> list[str]:
    """The names :func:`many_modules` gives ``count`` modules (packages first)."""
    names = []
    for start in range(0, count, PACKAGE_SIZE):
        package = f"bench_n{count}_p{start // PACKAGE_SIZE:04d}"
        names.append(package)
        names.extend(f"{package}.m{i:05d}" for i in range(start, min(start + PACKAGE_SIZE, count)))
    return names


def many_modules(root: Path, count: int) -> None:
    """``count`` small modules in package directories of :data:`PACKAGE_SIZE` modules each
    (the packages count too: ``count`` is the number of modules, packages included). Their
    mtimes are set an hour back, like the files of a session that did not just write them."""
    past = time.time_ns() - 3600 * 1_000_000_000
    for name in many_module_names(count):
        package, _, module = name.partition(".")
        directory = root / package
        if not module:
            directory.mkdir(parents=True, exist_ok=True)
            path = directory / "__init__.py"
            path.write_text("")
        else:
            path = directory / f"{module}.py"
            path.write_text(small_module(int(module[1:])))
        os.utime(path, ns=(past, past))


def memory_module(value: int, which: int) -> str:
    """100 functions, a class of 30 methods and 10 decorated functions; edit ``value`` lands
    in a plain function, a method or a decorated function depending on ``which`` (0, 1, 2)."""
    plain = value if which == 0 else 0
    method = value if which == 1 else 0
    decorated = value if which == 2 else 0
    parts = [
        '"""Memory benchmark module."""\n\nimport functools\n\n\n',
        "def traced(func):\n"
        "    @functools.wraps(func)\n"
        "    def wrapper(*args, **kwargs):\n"
        "        return func(*args, **kwargs)\n\n"
        "    return wrapper\n",
    ]
    for i in range(100):
        bump = plain if i == 50 else 0
        parts.append(f"\n\ndef plain_{i:03d}(x):\n    return x + {i} + {bump}\n")
    parts.append("\n\nclass Widget:\n    size = 3\n")
    for i in range(30):
        bump = method if i == 15 else 0
        parts.append(f"\n    def method_{i:02d}(self, x):\n        return x * self.size + {bump}\n")
    for i in range(10):
        bump = decorated if i == 5 else 0
        parts.append(f"\n\n@traced\ndef decorated_{i}(x):\n    return x - {i} + {bump}\n")
    return "".join(parts)


class Stamps:
    """Strictly increasing mtimes, one second apart, for files edited in a benchmark: tools
    that compare mtimes (IPython's autoreload) must see every edit as newer."""

    def __init__(self) -> None:
        self._next = 0

    def write(self, path: Path, text: str) -> None:
        path.write_text(text, encoding="utf-8")
        if self._next == 0:
            self._next = path.stat().st_mtime_ns
        self._next += 1_000_000_000
        os.utime(path, ns=(self._next, self._next))
