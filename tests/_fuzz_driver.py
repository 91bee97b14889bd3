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

import importlib
import json
import os
import signal
import sys
import traceback
import warnings
from pathlib import Path
from typing import Any

# Imported before tests/ leaves sys.path (below).
from _oracle import Clock, leave_sys_path, new_session, probe_all, report_record, run_code
from _oracle import write_files as _write_files
from _snapshot import Snapshot

# Running this file by path puts tests/ first on sys.path: story modules must not see test files.
leave_sys_path(Path(__file__).resolve().parent)


def write_files(root: Path, files: dict[str, str], mtime: int | None) -> None:
    """Files arrive as latin-1 strings (lossless for any bytes) and are written as bytes."""
    _write_files(root, files, mtime, encoding="latin-1")


def _report(report: Any) -> dict[str, Any]:
    return report_record(report, changes=False)


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
