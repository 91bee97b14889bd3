"""Reloads interrupted by real SIGINTs, run in a process of its own by tests/test_interrupts.py.

A stray ``KeyboardInterrupt`` must never reach the pytest process, so every interrupt happens
here. Usage: ``python _interrupt_driver.py WORKDIR at POSITION``, ``... WORKDIR outside`` or
``... WORKDIR sweep CYCLES SEED [TIMES]``. One JSON line per result goes to stdout, prefixed ``@@``.

at POSITION
    The new source sends SIGINT to this process from a chosen place in module code (its first
    statement, right after a changed ``def``, inside a class body, in a statement re-run by
    dataflow, inside a decorator that runs again, in an importer re-run by propagation).
outside
    The new source prints ``@@ready`` and waits; the test process sends SIGINT (a user's
    Ctrl-C) from outside.
sweep
    A module of 300 functions and a class is edited again and again; for each reload a thread
    sends SIGINT after a random delay (anywhere from before the reload starts to after it
    ends: while files are read, statements run, objects are patched or the journal commits);
    with TIMES=2 a second SIGINT follows at random, often while the first one's rollback runs.

Each result says what ``check()`` did (returned a report, or raised ``KeyboardInterrupt``),
which versions the module's functions and methods now return (one version: consistent; two: a
mix of old and new code), whether the SIGINT handler is Python's default again, and whether
the next good save applied.
"""

from __future__ import annotations

import importlib
import random
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

import _oracle
from _snapshot import Snapshot

FUNCTIONS = 300


def emit(record: dict[str, Any]) -> None:
    _oracle.emit(record, "@@")


class Files:
    """Writes sources with strictly increasing mtimes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.clock = _oracle.Clock()

    def write(self, name: str, text: str) -> None:
        _oracle.write_files(self.root, {f"{name}.py": text}, self.clock.tick())


KILL = "_os.kill(_os.getpid(), _signal.SIGINT)"


def module(
    version: int, at: str = "", functions: int = 4, k: int = 1, own_hook: bool = True
) -> str:
    """Source of module ``m`` at ``version``; ``at`` places a SIGINT in the new code.

    ``K`` feeds ``DERIVED = _hook(K)``, which sends SIGINT when ``K == 2`` (a statement that
    did not change but re-runs because ``K`` did); ``@_deco(2)`` sends it while the decorator
    runs again.
    """
    out = ["import os as _os", "import signal as _signal", ""]
    if at == "first statement":
        out.insert(0, f"import os as _os, signal as _signal; {KILL}")
    out += ["def _deco(v):", "    if v == 2:", f"        {KILL}", "    return lambda fn: fn", ""]
    for index in range(functions):
        out += [f"def f{index}():", f"    return {version}", ""]
        if at == "after a def" and index == 0:
            out += [KILL, ""]
    out += [f"@_deco({2 if at == 'decorator' else 1})", "def g():", f"    return {version}", ""]
    out += ["class C:", f"    TAG = {version}", "    def m(self):", f"        return {version}"]
    if at == "class body":
        out += [f"    {KILL}"]
    out += ["", f"K = {k}", "", "def _hook(k):", "    if k == 2:", f"        {KILL}"]
    out += ["    return k", ""]
    if own_hook:
        out += ["DERIVED = _hook(K)", ""]
    if at == "outside":
        out += ["print('@@ready', flush=True)", "for _ in range(6000):"]
        out += ["    __import__('time').sleep(0.005)", ""]
    out.append(f"VERSION = {version}")
    return "\n".join(out) + "\n"


def versions(mod: Any, held: dict[str, Any]) -> list[int]:
    """Every version number the module's code answers with, through every way it is reached."""
    names = [n for n in vars(mod) if n.startswith("f") and n[1:].isdigit()]
    found = {getattr(mod, n)() for n in names}
    found |= {mod.g(), mod.C().m(), mod.C.TAG, mod.VERSION, held["obj"].m(), held["f0"]()}
    return sorted(found)


def _outcome(reloader: Any) -> dict[str, Any]:
    try:
        report = reloader.check()
    except KeyboardInterrupt:
        return {"check": "raised KeyboardInterrupt"}
    errors = [{"line": e.line, "message": e.message} for e in report.errors]
    return {"check": "returned", "ok": report.ok, "errors": errors}


def run_at(work: Path, position: str) -> None:
    import hotswap

    files = Files(work)
    sys.path.insert(0, str(work))
    propagation = position == "propagation"
    files.write("m", module(1, own_hook=not propagation))
    if propagation:
        files.write("b", "from m import K, _hook\n\nDERIVED = _hook(K)\n")
    with hotswap.Reloader() as reloader:
        mod = importlib.import_module("m")
        other = importlib.import_module("b") if propagation else None
        held = {"obj": mod.C(), "f0": mod.f0}
        target = other if other is not None else mod
        snapshot = Snapshot(target)
        if propagation:  # m reloads fine; its importer b re-runs DERIVED = _hook(K), K == 2
            new = module(2, k=2, own_hook=False)
        else:
            new = module(2, at=position, k=2 if position == "dataflow" else 1)
        files.write("m", new)
        result = _outcome(reloader)
        result["position"] = position
        result["handler_restored"] = signal.getsignal(signal.SIGINT) is signal.default_int_handler
        result["not_rolled_back"] = snapshot.diff()
        result["versions"] = versions(mod, held)
        files.write("m", module(3, own_hook=not propagation))
        if other is not None:
            files.write("b", "from m import K\n\nDERIVED = K + 100\n")
        after = reloader.check()
        result["next_save_ok"] = after.ok
        result["versions_after"] = versions(mod, held)
        if other is not None:
            result["importer_after"] = other.DERIVED
    emit(result)


def run_outside(work: Path) -> None:
    import hotswap

    files = Files(work)
    sys.path.insert(0, str(work))
    files.write("m", module(1))
    with hotswap.Reloader() as reloader:
        mod = importlib.import_module("m")
        held = {"obj": mod.C(), "f0": mod.f0}
        snapshot = Snapshot(mod)
        files.write("m", module(2, at="outside"))
        result = _outcome(reloader)
        result["handler_restored"] = signal.getsignal(signal.SIGINT) is signal.default_int_handler
        result["not_rolled_back"] = snapshot.diff()
        result["versions"] = versions(mod, held)
        files.write("m", module(3))
        result["next_save_ok"] = reloader.check().ok
        result["versions_after"] = versions(mod, held)
    emit(result)


def _interrupt(times: int, gap: float, done: threading.Event) -> None:
    """SIGINT to the main thread (where Python handles it, so it cannot stay pending there)."""
    main = threading.main_thread().ident
    assert main is not None
    try:
        for index in range(times):
            if index:
                time.sleep(gap)
            signal.pthread_kill(main, signal.SIGINT)
    finally:
        done.set()


def run_sweep(work: Path, cycles: int, seed: int, times: int = 1) -> None:
    import hotswap

    rng = random.Random(seed)
    files = Files(work)
    sys.path.insert(0, str(work))
    files.write("m", module(0, functions=FUNCTIONS))
    with hotswap.Reloader() as reloader:
        mod = importlib.import_module("m")
        held = {"obj": mod.C(), "f0": mod.f0}
        # Calibration only (no assertion on time): how long one uninterrupted reload takes.
        files.write("m", module(1, functions=FUNCTIONS))
        started = time.perf_counter()
        assert reloader.check().ok
        span = time.perf_counter() - started
        version = 1
        for cycle in range(cycles):
            before = versions(mod, held)
            target = version + 1
            # A comment makes every attempt new content: a save that was interrupted is not
            # a broken file, but the engine waits for the next edit before retrying it.
            files.write("m", f"# attempt {cycle}\n" + module(target, functions=FUNCTIONS))
            delay = rng.uniform(0, span * 1.3)
            gap = rng.uniform(0, span * 0.3)  # a second Ctrl-C may land during the rollback
            sent = threading.Event()
            sender = threading.Timer(delay, _interrupt, (times, gap, sent))
            record: dict[str, Any] = {"cycle": cycle, "delay": delay, "span": span}
            record["target"] = target
            started = False
            for _attempt in range(times + 3):
                try:
                    if not started:
                        started = True
                        sender.start()
                    if "check" not in record:
                        record.update(_outcome(reloader))
                    # Not ``sender.join()``: on 3.11 a join interrupted by KeyboardInterrupt can
                    # mark the thread finished while it still runs (bpo-45274's fix).
                    while not sent.is_set():
                        time.sleep(0.0005)
                    time.sleep(0.001)  # a signal sent just before is handled in here
                    break
                except KeyboardInterrupt:
                    record.setdefault("check", "returned")
                    record["late_interrupt"] = True
            record["handler_restored"] = (
                signal.getsignal(signal.SIGINT) is signal.default_int_handler
            )
            now = versions(mod, held)
            record["before"], record["versions"] = before, now
            if now == [target]:
                version = target
            emit(record)
        # Control came back every time: a plain save still applies.
        files.write("m", module(version + 1, functions=FUNCTIONS))
        final = reloader.check()
        emit({"final_ok": final.ok, "versions": versions(mod, held), "expected": version + 1})


def main(argv: list[str]) -> None:
    work = Path(argv[0])
    mode = argv[1]
    if mode == "at":
        run_at(work, argv[2])
    elif mode == "outside":
        run_outside(work)
    else:
        run_sweep(work, int(argv[2]), int(argv[3]), int(argv[4]) if len(argv) > 4 else 1)
    emit({"done": True})


if __name__ == "__main__":
    main(sys.argv[1:])
