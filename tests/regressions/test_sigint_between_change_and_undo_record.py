"""A Ctrl-C must never leave a reload half rolled back. The journal changes an object first and
appends the record of how to undo it second; a SIGINT handled between the two (a real signal,
as it comes from a user's Ctrl-C at that instant) leaves a change that rollback does not know.

Seen in tests/test_interrupts.py (reloads of a 300-function module hit by two SIGINTs at random
moments): the report said the reload failed with ``KeyboardInterrupt``, yet one function of 300
(``f206``) kept the new code while every other function had the old one, and it stayed so until
the next successful save. This test delivers the signal at exactly that instant: a trace
function sends SIGINT just before ``Journal.setattr`` appends its undo record, or just before
``Journal.setattrs`` makes its changes, for a ``__code__`` change (nothing in hotswap is
replaced or patched). It runs in a process of its
own so no ``KeyboardInterrupt`` can reach pytest."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent(
    '''
    import importlib, inspect, json, os, signal, sys, time
    from pathlib import Path

    import hotswap
    from hotswap._engine import journal as _journal

    work = Path(sys.argv[1])
    sys.path.insert(0, str(work))
    source = "def f{i}():\\n    return {v}\\n\\n"
    def write(version):
        text = "".join(source.format(i=i, v=version) for i in range(20))
        path = work / "m.py"
        path.write_text(text)
        stamp = time.time_ns() + version * 2_000_000_000
        os.utime(path, ns=(stamp, stamp))

    write(1)
    reloader = hotswap.Reloader()
    mod = importlib.import_module("m")
    # A function's code is set by Journal.setattrs (with its defaults, at once): the signal is
    # sent where its changes are made, after its records (and, for Journal.setattr, where its
    # record is appended).
    def line_of(function, text):
        lines, first = inspect.getsourcelines(function)
        return first + next(i for i, l in enumerate(lines) if text in l)

    at = {
        _journal.Journal.setattr.__code__: line_of(_journal.Journal.setattr, "_undo.append"),
        _journal.Journal.setattrs.__code__: line_of(_journal.Journal.setattrs, "map(setattr"),
    }
    fired = []

    def trace(frame, event, arg):
        return local if frame.f_code in at else None

    def local(frame, event, arg):
        names = frame.f_locals.get("names") or [frame.f_locals.get("name")]
        if (event == "line" and frame.f_lineno == at[frame.f_code] and not fired
                and "__code__" in names):
            fired.append(frame.f_locals["obj"].__name__)
            os.kill(os.getpid(), signal.SIGINT)
        return local

    write(2)
    sys.settrace(trace)
    try:
        report = reloader.check()
        outcome = {"ok": report.ok, "errors": [e.message for e in report.errors]}
    except KeyboardInterrupt:
        outcome = {"raised": "KeyboardInterrupt"}
    finally:
        sys.settrace(None)
    outcome["interrupted_at"] = fired
    outcome["versions"] = sorted({getattr(mod, f"f{i}")() for i in range(20)})
    print("@@" + json.dumps(outcome))
    '''
)


def test_a_sigint_right_after_a_change_is_still_rolled_back(tmp_path: Path) -> None:
    """Interrupted reload: every function answers 1 (the old version), none answers 2."""
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("@@")]
    assert lines, proc.stderr[-3000:]
    outcome = json.loads(lines[-1][2:])
    assert outcome["interrupted_at"], "the signal was not delivered where intended"
    assert outcome.get("ok") is not True
    assert outcome["versions"] == [1], outcome
