"""A session under a ``sys.addaudithook`` recorder, run in a process of its own by
tests/test_safety.py (an audit hook cannot be removed once added).

Usage: ``python _safety_driver.py WORKDIR``. The script imports two modules, creates a
Reloader and a file watcher, then saves edits (good, broken, fixed), drops a new module and a
new package next to the watched ones, adds a symlink out of the directory and a symlink loop,
and waits for the watcher to apply a save. Every audit event raised by hotswap's own work is
recorded, that is every event except those of the script's own file writes. The last line of
stdout is ``@@`` and a JSON object: the events, the watched files, and whether any dropped file
ran.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

import _oracle

EVENTS: list[tuple[str, str, Any]] = []
LOCAL = threading.local()
INTERESTING = ("open", "compile", "exec", "import", "os.", "socket.", "subprocess.", "shutil.")


def hook(event: str, args: tuple[Any, ...]) -> None:
    if getattr(LOCAL, "user", False) or not event.startswith(INTERESTING):
        return
    shown = [a if isinstance(a, str | int | bool | None) else type(a).__name__ for a in args]
    if event == "compile":
        shown = [type(args[0]).__name__, args[1]]
    EVENTS.append((event, threading.current_thread().name, shown))


class UserAction:
    """The script's own file writes: not hotswap's doing, so not recorded."""

    def __enter__(self) -> None:
        LOCAL.user = True

    def __exit__(self, *exc: object) -> None:
        LOCAL.user = False


def main(work: Path) -> None:
    outside = work / "outside"
    root = work / "src"
    with UserAction():
        outside.mkdir()
        root.mkdir()
        (outside / "hs_outside.py").write_text("RAN = True\n")
        (root / "hs_a.py").write_text("def f():\n    return 1\n")
        (root / "hs_b.py").write_text("from hs_a import f\n\n\ndef g():\n    return f() + 1\n")
        sys.path.insert(0, str(root))
        import hotswap

        # hotswap loads its own modules lazily: load them now, so the record holds only what
        # it does to the user's files.
        _ = hotswap.Reloader, hotswap.watch
        import watchfiles  # noqa: F401

    reports: list[Any] = []

    sys.addaudithook(hook)
    reloader = hotswap.Reloader(namespace={})
    importlib.import_module("hs_a")
    mod_b = importlib.import_module("hs_b")
    watcher = hotswap.watch(reloader, quiet=True, on_report=reports.append)
    clock = _oracle.Clock()

    def save(name: str, text: str) -> None:
        with UserAction():
            _oracle.write_files(root, {name: text}, clock.tick())

    with UserAction():
        (root / "hs_dropped.py").write_text(f"open({str(work / 'dropped-ran')!r}, 'w')\n")
        (root / "hs_pkg").mkdir()
        (root / "hs_pkg" / "__init__.py").write_text(f"open({str(work / 'pkg-ran')!r}, 'w')\n")
        (root / "link_out").symlink_to(outside)
        (root / "loop").symlink_to(root / "loop")
    save("hs_a.py", "def f():\n    return 2\n")
    reloader.check()
    save("hs_b.py", "from hs_a import f\n\n\ndef g():\n    return f() + 10\n\nraise ValueError\n")
    reloader.check()
    save("hs_b.py", "from hs_a import f\n\n\ndef g():\n    return f() + 100\n")
    reloader.check()
    with UserAction():
        (outside / "hs_outside.py").write_text("RAN = 'edited'\n")
    # The watcher applies a save on its own thread (g() == 103 once it has).
    save("hs_a.py", "def f():\n    return 3\n")
    deadline = time.monotonic() + 60
    while mod_b.g() != 103 and time.monotonic() < deadline:
        time.sleep(0.05)
    watcher.stop()
    from hotswap._detect.tracker import TRACKER

    # The background reader packs the baselines into the spill file once the imports have
    # been quiet for a moment: its writes belong to the record (not a race with the end).
    assert TRACKER.baselines_read(60)
    reloader.close()
    _oracle.emit(
        {
            "events": EVENTS,
            "watched": [str(root / "hs_a.py"), str(root / "hs_b.py")],
            "session_files": sorted(
                {
                    os.path.abspath(f)
                    for m in list(sys.modules.values())
                    if isinstance(f := getattr(m, "__file__", None), str)
                }
            ),
            "library_roots": sorted(
                {sys.prefix, sys.base_prefix, os.path.dirname(hotswap.__file__)}
            ),
            "g": mod_b.g(),
            "watcher_reported": bool(reports),
            "dropped_ran": (work / "dropped-ran").exists(),
            "package_ran": (work / "pkg-ran").exists(),
            "imported": sorted(
                n for n in ("hs_dropped", "hs_pkg", "hs_outside") if n in sys.modules
            ),
        },
        "@@",
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
