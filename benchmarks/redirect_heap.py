"""Cost of redirecting references in one save, on a large heap.

A module defines ``COUNT`` dataclasses, each registered by a class decorator into a registry
(so a re-run class body hands the registry a fresh class that must be pointed back at the kept
one), and ``COUNT`` functions that an edit turns into generators (a function cannot become a
generator in place: it is replaced, and its holders follow the replacement). The session holds
every function in a list and the heap holds ``HEAP`` extra small objects (a long session's
objects). One save edits every class and every function; the script prints the wall time of
that ``check()`` and, under cProfile, how many times ``gc.get_referrers`` ran.

Run: ``.venv/bin/python benchmarks/redirect_heap.py [COUNT] [HEAP]`` (defaults 50, 2000000).
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

import hotswap


def source(count: int, version: int) -> str:
    lines = ["import dataclasses", "REGISTRY = {}", "", "def register(cls):"]
    lines += ["    REGISTRY[cls.__name__] = cls", "    return cls", ""]
    for i in range(count):
        lines += ["@register", "@dataclasses.dataclass", f"class C{i}:"]
        lines += [f"    a: int = {version}", f"    b{version}: int = 0", ""]
    for i in range(count):
        if version == 1:
            lines += [f"def f{i}(x):", f"    return x + {i}", ""]
        else:
            lines += [f"def f{i}(x):", f"    yield x + {i}", ""]
    return "\n".join(lines) + "\n"


def main(count: int, heap: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "redirect_many.py"
        path.write_text(source(count, 1))
        sys.path.insert(0, tmp)
        reloader = hotswap.Reloader()
        import redirect_many  # type: ignore[import-not-found]

        held = [getattr(redirect_many, f"f{i}") for i in range(count)]
        ballast = [[i] for i in range(heap)]  # a long session's heap
        path.write_text(source(count, 2))
        later = time.time() + 5
        os.utime(path, (later, later))
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        report = reloader.check()
        profile.disable()
        elapsed = time.perf_counter() - started
        assert report.ok, report
        stats = pstats.Stats(profile)
        calls = sum(
            entry[1]
            for key, entry in stats.stats.items()  # type: ignore[attr-defined]
            if key[2] == "<built-in method gc.get_referrers>"
        )
        kept = sum(1 for i in range(count) if redirect_many.REGISTRY[f"C{i}"] is getattr(
            redirect_many, f"C{i}"
        ))
        followed = sum(1 for i, f in enumerate(held) if f is getattr(redirect_many, f"f{i}"))
        print(
            f"{count} classes + {count} replaced functions, heap +{heap:,} objects: "
            f"check() {elapsed:.2f} s (under cProfile), gc.get_referrers calls: {calls}; "
            f"registry kept {kept}/{count}, held functions followed {followed}/{count}"
        )
        del ballast
        reloader.close()


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args, *(50, 2_000_000)[len(args) :])
