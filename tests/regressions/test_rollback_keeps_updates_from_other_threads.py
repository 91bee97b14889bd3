"""A rolled-back reload must not undo what other threads did to the module meanwhile.

Seen in tests/test_threads.py: four threads incremented a module global (``TOTAL += 1`` under
a lock) while the main thread saved new versions, every third one broken. About one update in
ten was lost: a failed reload restores the whole module dict as it was when the reload began,
so a value another thread wrote during the reload is put back to its old value.

Here the broken new code itself waits until another thread has updated the module, then
fails: deterministic, no timing involved."""

from __future__ import annotations

import importlib
import threading

import hotswap
from conftest import Workspace

SOURCE = """\
import {sync}

TOTAL = 0


def bump():
    global TOTAL
    TOTAL += 1
"""

BROKEN_TAIL = """
{sync}.started.set()
{sync}.finished.wait(10)
raise RuntimeError("broken save")
"""


def test_a_failed_reload_keeps_a_global_another_thread_rebound(workspace: Workspace) -> None:
    """Another thread bumps ``TOTAL`` from 5 to 6 while a broken save runs; after the rollback
    ``TOTAL`` is 6, not 5."""
    sync, name = workspace.name("sync"), workspace.name("m")
    events_source = "import threading\nstarted = threading.Event()\nfinished = threading.Event()\n"
    workspace.write(f"{sync}.py", events_source)
    workspace.write(f"{name}.py", SOURCE.format(sync=sync))
    with hotswap.Reloader() as reloader:
        mod = importlib.import_module(name)
        events = importlib.import_module(sync)
        for _ in range(5):
            mod.bump()

        def other_thread() -> None:
            events.started.wait(10)
            mod.bump()
            events.finished.set()

        thread = threading.Thread(target=other_thread)
        thread.start()
        workspace.write(f"{name}.py", SOURCE.format(sync=sync) + BROKEN_TAIL.format(sync=sync))
        report = reloader.check()
        thread.join(10)
    assert not report.ok
    assert mod.TOTAL == 6
