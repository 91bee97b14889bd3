"""A fork server that runs one side of a fuzz story in a pristine process per request.

Usage: ``python _fuzz_driver.py live`` or ``python _fuzz_driver.py oracle``. The server reads one
JSON request per line on stdin and answers one JSON line on stdout when it is done. For each
request it forks: the child starts from the server's pristine state (no user module ever
imported there, no Reloader ever created), runs the request, appends its result lines to
``request["out"]`` and exits. A fork is a fresh interpreter for everything the story can observe
and costs a millisecond instead of a process start, which is what lets ``make fuzz`` run ten
thousand edits.

live
    Writes the story's files (strictly later mtimes for every save), creates
    ``hotswap.Reloader(namespace=ns)`` before or after running the session setup in a fresh
    ``__main__`` namespace, then for each save: evaluates the probes (and snapshots the module)
    when the save must fail, writes the files, calls ``check()`` and evaluates the probes.
oracle
    Writes the files as they stand after one save into a directory of its own, imports them by
    running the same session setup, and evaluates the probes. hotswap is not imported.

A child that hangs is killed by ``SIGALRM`` after ``request["timeout"]`` seconds; the answer
carries its wait status, so a crash or a hang is reported, not mistaken for a result.
"""

from __future__ import annotations

import builtins
import importlib
import json
import os
import signal
import sys
import time
import traceback
import types
import warnings
from pathlib import Path
from typing import Any

from _snapshot import Snapshot  # imported before tests/ leaves sys.path (below)

# Running this file by path puts tests/ first on sys.path: story modules must not see test files.
_HERE = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if p and str(Path(p).resolve()) != _HERE]


class Clock:
    """Strictly increasing mtimes, two seconds apart (never within one timestamp tick)."""

    def __init__(self) -> None:
        self.now = time.time_ns()

    def tick(self) -> int:
        self.now = max(self.now + 2_000_000_000, time.time_ns())
        return self.now


def write_files(root: Path, files: dict[str, str], mtime: int | None) -> None:
    """Files arrive as latin-1 strings (lossless for any bytes) and are written as bytes."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("latin-1"))
        if mtime is not None:
            os.utime(path, ns=(mtime, mtime))


def new_session() -> dict[str, Any]:
    """A fresh ``__main__`` module and its namespace, as a REPL gives the user."""
    main = types.ModuleType("__main__")
    main.__dict__["__builtins__"] = builtins
    sys.modules["__main__"] = main
    return main.__dict__


def run_code(code: str, ns: dict[str, Any]) -> str | None:
    try:
        exec(compile(code, "<session>", "exec"), ns)
    except BaseException:
        return traceback.format_exc()
    return None


def probe(expr: str, ns: dict[str, Any]) -> str:
    """``repr`` of the value, or ``!TypeName`` when evaluating (or ``repr``) raises."""
    try:
        value = eval(compile(expr, "<probe>", "eval"), ns)
    except BaseException as exc:
        return "!" + type(exc).__name__
    try:
        return repr(value)
    except BaseException as exc:
        return "!repr:" + type(exc).__name__


def probe_all(exprs: list[str], ns: dict[str, Any]) -> dict[str, str]:
    return {expr: probe(expr, ns) for expr in exprs}


def _report(report: Any) -> dict[str, Any]:
    def problem(p: Any) -> dict[str, Any]:
        return {"module": p.module, "path": p.path, "line": p.line, "message": p.message}

    return {
        "ok": report.ok,
        "reloaded": list(report.reloaded),
        "failed": list(report.failed),
        "errors": [problem(p) for p in report.errors],
        "warnings": [problem(p) for p in report.warnings],
        "text": str(report),
    }


def run_live(request: dict[str, Any], emit: Any) -> None:
    import hotswap

    spec = request["spec"]
    work = Path(spec["workdir"])
    clock = Clock()
    write_files(work, spec["before"], clock.tick())
    sys.path.insert(0, str(work))
    importlib.invalidate_caches()
    ns = new_session()
    reloader = None
    if spec["reloader"] == "before":
        reloader = hotswap.Reloader(namespace=ns, strategy=spec["strategy"])
        reloader.observe(spec["setup"])
    error = run_code(spec["setup"], ns)
    if reloader is None:
        reloader = hotswap.Reloader(namespace=ns, strategy=spec["strategy"])
    emit({"kind": "setup", "error": error})
    for index, step in enumerate(spec["steps"]):
        record: dict[str, Any] = {"kind": "step", "index": index}
        snapshot = None
        if not step["ok"]:
            record["probes_before"] = probe_all(step["probes"], ns)
            module = sys.modules.get(Path(step["error_path"]).stem)
            snapshot = Snapshot(module) if module is not None else None
        write_files(work, step["files"], clock.tick())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                report = reloader.check()
                if any("still being written" in w.message for w in report.warnings):
                    # A file saved empty or cut off waits one checkpoint (it may be a save
                    # caught between two writes): the next cell applies it.
                    report = reloader.check()
                record["report"] = _report(report)
            except BaseException:
                record["check_error"] = traceback.format_exc()
        record["failures"] = sorted(reloader.failures)
        record["probes"] = probe_all(step["probes"], ns)
        if snapshot is not None:
            record["rollback"] = snapshot.diff()
        emit(record)
    reloader.close()


def run_oracle(request: dict[str, Any], emit: Any) -> None:
    spec = request["spec"]
    root = Path(spec["dir"])
    write_files(root, spec["files"], None)
    sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    ns = new_session()
    error = run_code(spec["setup"], ns)
    emit({"kind": "oracle", "index": spec["index"], "error": error,
          "probes": probe_all(spec["probes"], ns)})


def child(side: str, request: dict[str, Any]) -> None:
    """Runs in the forked process: output goes to ``out.log``, results to ``out``."""
    out = request["out"]
    results = open(out, "a", encoding="utf-8")  # noqa: SIM115 - flushed before os._exit

    def emit(record: dict[str, Any]) -> None:
        results.write(json.dumps(record) + "\n")
        results.flush()

    emit({"kind": "start", "pid": os.getpid()})
    log = os.open(out + ".log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    signal.alarm(int(request.get("timeout", 60)))
    try:
        (run_live if side == "live" else run_oracle)(request, emit)
        emit({"kind": "done"})
    except BaseException:
        emit({"kind": "crash", "error": traceback.format_exc()})
    finally:
        results.flush()
        sys.stdout.flush()
        sys.stderr.flush()


def serve(side: str) -> None:
    if side == "live":
        import hotswap  # noqa: F401 - preloaded once, so each fork starts with it imported
    import functools  # noqa: F401 - the session prelude's imports, preloaded on both sides
    import inspect  # noqa: F401

    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            try:
                child(side, request)
            finally:
                os._exit(0)
        _, status = os.waitpid(pid, 0)
        sys.stdout.write(json.dumps({"id": request["id"], "status": status}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    serve(sys.argv[1])
