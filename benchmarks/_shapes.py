"""Generated projects with the shapes of real code, for the real-projects group.

``project(root, package, count, variant)`` writes a package of ``count`` modules (packages
included): subpackages of 40 modules each with a nested ``inner`` package of 9, every module a
class of ten methods deriving from its subpackage's base class (a from-import of a sibling), a
few functions and constants. Across the whole project, a helper function of ``core.util`` is
imported by name in 45 modules, a constant in 12 (one of which derives another constant from
it at import time) and a small function, ``scaled``, in three: the same numbers of importers
at every size, so the cost of editing them can be compared across sizes. ``core.big`` holds the
largest class (250 methods). ``variant=1`` is the same project on another branch: every module
differs (a changed method body, a changed constant, a function removed and another added).

It is the stand-in for a downloaded project in ``--smoke`` (no network), and the project of
the "cost vs project size" rows.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

PER_PACKAGE = 40
INNER = 9
HELPER_IMPORTERS = 45
CONSTANT_IMPORTERS = 12
SCALED_IMPORTERS = 3


def names(package: str, count: int) -> list[str]:
    """The module names of ``project(..., count)``, in import order (packages first)."""
    out = [package, f"{package}.core", f"{package}.core.util", f"{package}.core.big"]
    sub = 0
    while len(out) < count:
        base = f"{package}.s{sub:03d}"
        out.append(base)
        out += [f"{base}.m{j:03d}" for j in range(PER_PACKAGE)]
        out.append(f"{base}.inner")
        out += [f"{base}.inner.n{j:03d}" for j in range(INNER)]
        sub += 1
    return out[:count] if count >= 4 else out[:4]


def targets(package: str, count: int) -> dict[str, Any]:
    """The edit targets, known by construction (``_realwork.probe`` finds them in real ones)."""
    modules = [n for n in names(package, count) if n.rsplit(".", 1)[-1][0] in "mn"]
    util = f"{package}.core.util"
    return {
        "method": {
            "module": f"{package}.core.big",
            "klass": "Big",
            "name": "method_125",
            "lines": _big(0).count("\n") - 3,
            "methods": 250,
        },
        "helper": {
            "module": util,
            "name": "helper",
            "importers": [package, *modules[:HELPER_IMPORTERS]],
        },
        "constant": {"module": util, "name": "LIMIT", "importers": modules[:CONSTANT_IMPORTERS]},
        "scaled": {"module": util, "name": "scaled", "importers": modules[:SCALED_IMPORTERS]},
    }


def project(root: Path, package: str, count: int, variant: int = 0) -> list[str]:
    """Write the project under ``root``; its module names. Files are dated an hour back."""
    all_names = names(package, count)
    regular = [n for n in all_names if n.rsplit(".", 1)[-1][0] in "mn"]
    rank = {n: i for i, n in enumerate(regular)}
    past = time.time_ns() - 3600 * 1_000_000_000
    for name in all_names:
        parts = name.split(".")
        last = parts[-1]
        if name == package:
            path, text = root / package / "__init__.py", _top(variant)
        elif last == "core" or last == "inner" or last.startswith("s"):
            path, text = root.joinpath(*parts, "__init__.py"), _init(last)
        elif last == "util":
            path, text = root.joinpath(*parts).with_suffix(".py"), _util(variant)
        elif last == "big":
            path, text = root.joinpath(*parts).with_suffix(".py"), _big(variant)
        else:
            path = root.joinpath(*parts).with_suffix(".py")
            text = _module(package, last, rank[name], variant)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        os.utime(path, ns=(past, past))
    return all_names


def _top(variant: int) -> str:
    return (
        f'"""A generated project (variant {variant})."""\n\n'
        "from .core.big import Big\nfrom .core.util import LIMIT, helper\n\n"
        '__all__ = ["LIMIT", "Big", "helper"]\n'
    )


def _init(last: str) -> str:
    if last == "core":
        return '"""Core."""\n'
    return f'"""Package {last}."""\n\n\nclass Base:\n' + "".join(
        f"    def base_{k}(self, x):\n        return x + {k}\n\n" for k in range(12)
    )


def _util(variant: int) -> str:
    return (
        '"""Helpers used everywhere."""\n\n'
        "import textwrap\n\n"
        f"LIMIT = {70 + variant}\n\n\n"
        "def helper(text, width=LIMIT):\n"
        '    """Dedent and fill ``text``."""\n'
        "    return textwrap.fill(textwrap.dedent(str(text)), width)\n\n\n"
        "def scaled(x, k=2):\n"
        f"    return x * k + {variant}\n"
    )


def _big(variant: int) -> str:
    methods = "".join(
        f"\n    def method_{k:03d}(self, x=0):\n"
        f'        """Method {k}."""\n'
        f"        y = x * {k} + self.size\n"
        f"        return y - {variant if k % 7 == 0 else 0}\n"
        for k in range(250)
    )
    return (
        '"""The largest class."""\n\n\n'
        "class Big:\n"
        '    """250 methods."""\n\n'
        "    size = 3\n"
        f"{methods}"
    )


def _module(package: str, last: str, rank: int, variant: int) -> str:
    imports = ["import math", "", "from .. import Base" if last[0] == "n" else "from . import Base"]
    uses = []
    util = f"{package}.core.util"
    if rank < HELPER_IMPORTERS:
        imports.append(f"from {util} import helper")
        uses.append("    return helper(text)")
    if rank < CONSTANT_IMPORTERS:
        imports.append(f"from {util} import LIMIT")
    if rank < SCALED_IMPORTERS:
        imports.append(f"from {util} import scaled")
    derived = "DERIVED = LIMIT * 2\n" if rank == 0 else ""
    old = "" if variant else f"\n\ndef legacy_{last}(x):\n    return x - 1\n"
    new = f"\n\ndef added_{last}(x):\n    return x + 1\n" if variant else ""
    methods = "".join(
        f"\n    def method_{k}(self, x):\n"
        f"        total = x * self.scale + {k}\n"
        f"        if total > {100 * (k + 1)}:\n"
        f"            total = math.floor(total / 2)\n"
        f"        return total + {variant if k == 3 else 0}\n"
        for k in range(10)
    )
    return (
        f'"""Module {last} ({rank})."""\n\n'
        + "\n".join(imports)
        + f"\n\nSCALE = {rank + variant}\n{derived}\n\n"
        f"def describe(text='{last}'):\n" + ("\n".join(uses) or "    return str(text)") + "\n\n\n"
        "def area(r):\n    return math.pi * r * r * SCALE\n"
        f"{old}{new}\n\n"
        f"class Shape{rank}(Base):\n"
        '    """A shape."""\n\n'
        "    scale = SCALE\n"
        f"{methods}"
    )
