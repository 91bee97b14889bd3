"""Run one corpus scenario inside this fresh interpreter: the live side or the oracle side.

Usage: ``python _driver.py live SPEC.json`` or ``python _driver.py oracle SPEC.json``.

live
    Writes the ``before`` files into ``workdir``, puts it first on ``sys.path``, creates
    ``hotswap.Reloader(namespace=ns)`` in the scenario's mode (before or after the setup
    imports), runs the setup in a fresh ``__main__`` namespace the way a REPL does, then for
    each step: runs the step's ``pre``
    snippet, writes/deletes the step's files with an explicit, strictly later mtime, calls
    ``check()`` and evaluates the probes and ``expect`` expressions. For a step that must fail it
    also evaluates the probes *before* the edit and snapshots the failing module (dict entries,
    code objects, class members) so the runner can show that nothing changed.

oracle
    For every step that must apply, writes the files as they stand after that step into a
    directory of its own, imports them fresh (the previous step's modules are dropped from
    ``sys.modules``), runs the same setup and the ``pre`` snippets up to that step, and evaluates
    the probes. No hotswap is imported on this side.

Each result is one line ``@@corpus {json}`` on the real stdout, so output printed by the user's
modules cannot be mistaken for results. The script uses the standard library only (plus hotswap
on the live side) and never imports the corpus package: the runner passes plain JSON.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import traceback
import types
import warnings
from pathlib import Path
from typing import Any

# Running this file by path puts its directory first on sys.path; the scenario modules must not
# find the corpus family files (functions.py, classes.py, ...) under their own short names, nor
# the test files: tests/_oracle.py is imported from tests/, which then leaves sys.path too.
_HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(_HERE.parent))
import _oracle  # noqa: E402
from _oracle import Clock, probe, run_code, write_files  # noqa: E402

_oracle.leave_sys_path(_HERE)
_oracle.leave_sys_path(_HERE.parent)

PREFIX = "@@corpus "
# Imported into every session before the setup, so probes can say asyncio.run(...) etc.
# (tests/_ipython_corpus_driver.py runs the same PRELUDE as a cell.)
PRELUDE = "import asyncio, functools, gc, inspect, linecache, sys, traceback\n"


def prelude_for(spec: dict[str, Any]) -> str:
    """PRELUDE, without asyncio (~0.1 s to import) for scenarios that never mention it."""
    return PRELUDE if "asyncio" in json.dumps(spec) else PRELUDE.replace("asyncio, ", "")


def emit(record: dict[str, Any]) -> None:
    """Write one result line where the runner looks for it."""
    _oracle.emit(record, PREFIX)


def new_session(spec: dict[str, Any]) -> dict[str, Any]:
    """A fresh ``__main__`` module with the scenario's prelude, and its namespace."""
    return _oracle.new_session(prelude_for(spec))


# -- live side ------------------------------------------------------------------------------


def _function_state(fn: types.FunctionType) -> dict[str, Any]:
    return {
        "__code__": fn.__code__,
        "__defaults__": fn.__defaults__,
        "__kwdefaults__": fn.__kwdefaults__,
        "__doc__": fn.__doc__,
        "__annotations__": dict(fn.__annotations__),
    }


def _member_states(value: Any) -> dict[str, Any]:
    """The functions inside a class member (plain, static, class method, property parts)."""
    parts: dict[str, Any] = {}
    if isinstance(value, types.FunctionType):
        parts[""] = _function_state(value)
    elif isinstance(value, staticmethod | classmethod):
        inner = value.__func__
        if isinstance(inner, types.FunctionType):
            parts[".__func__"] = _function_state(inner)
    elif isinstance(value, property):
        for attr in ("fget", "fset", "fdel"):
            inner = getattr(value, attr)
            if isinstance(inner, types.FunctionType):
                parts["." + attr] = _function_state(inner)
    return parts


class Snapshot:
    """What a failed reload must leave untouched: the module dict, code objects, class members."""

    def __init__(self, module: types.ModuleType) -> None:
        self.module = module
        self.items = dict(vars(module))
        self.deep: dict[str, Any] = {}
        for key, value in self.items.items():
            self._record(key, value)

    def _record(self, key: str, value: Any) -> None:
        for suffix, state in _member_states(value).items():
            self.deep[key + suffix] = state
        if isinstance(value, type) and value.__module__ == self.module.__name__:
            members = {k: v for k, v in vars(value).items() if k not in ("__dict__", "__weakref__")}
            self.deep[key + ".<members>"] = members
            for name, member in members.items():
                for suffix, state in _member_states(member).items():
                    self.deep[f"{key}.{name}{suffix}"] = state

    def diff(self) -> list[str]:
        """Human-readable differences between the module now and when the snapshot was taken."""
        name = self.module.__name__
        now = vars(self.module)
        out: list[str] = []
        added = sorted(set(now) - set(self.items))
        removed = sorted(set(self.items) - set(now))
        if added:
            out.append(f"{name}: names added by the failed reload: {added}")
        if removed:
            out.append(f"{name}: names removed by the failed reload: {removed}")
        for key, old in self.items.items():
            if key in now and now[key] is not old:
                out.append(f"{name}.{key}: now a different object")
        fresh = Snapshot.__new__(Snapshot)
        fresh.module, fresh.items, fresh.deep = self.module, dict(now), {}
        for key, value in self.items.items():
            fresh._record(key, value)
        for key, old_state in self.deep.items():
            new_state = fresh.deep.get(key)
            if new_state is None:
                out.append(f"{name}.{key}: gone")
            elif key.endswith(".<members>"):
                cls = key[: -len(".<members>")]
                if set(new_state) != set(old_state):
                    out.append(
                        f"{name}.{cls}: class members changed: "
                        f"+{sorted(set(new_state) - set(old_state))} "
                        f"-{sorted(set(old_state) - set(new_state))}"
                    )
                for member, value in old_state.items():
                    if member in new_state and new_state[member] is not value:
                        out.append(f"{name}.{cls}.{member}: now a different object")
            else:
                for attr, value in old_state.items():
                    same = (
                        new_state[attr] is value
                        if attr == "__code__"
                        else (new_state[attr] == value)
                    )
                    if not same:
                        out.append(f"{name}.{key}.{attr}: changed")
        return out


def _module_at(path: Path) -> types.ModuleType | None:
    target = os.path.realpath(path)
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if isinstance(file, str) and os.path.realpath(file) == target:
            return module
    return None


def run_live(spec: dict[str, Any]) -> None:
    import hotswap

    work = Path(spec["workdir"])
    clock = Clock()
    write_files(work, spec["before"], clock.tick())
    sys.path.insert(0, str(work))
    ns = new_session(spec)
    reloader = None
    if spec["reloader"] == "before":
        reloader = hotswap.Reloader(
            namespace=ns, mode=spec.get("mode", "all"), strategy=spec["strategy"]
        )
        reloader.observe(spec["setup"])
    setup_error = run_code(spec["setup"], ns)
    if reloader is None:
        reloader = hotswap.Reloader(
            namespace=ns, mode=spec.get("mode", "all"), strategy=spec["strategy"]
        )
    emit({"kind": "setup", "error": setup_error, "watched": sorted(reloader.watched())})

    for index, step in enumerate(spec["steps"]):
        record: dict[str, Any] = {"kind": "step", "index": index}
        if step["pre"]:
            reloader.observe(step["pre"])
        record["pre_error"] = run_code(step["pre"], ns)
        snapshot = None
        if not step["ok"]:
            record["probes_before"] = {e: probe(e, ns) for e in step["probes"]}
            module = _module_at(work / step["error_path"])
            snapshot = Snapshot(module) if module is not None else None
            record["snapshot_module"] = None if module is None else module.__name__
        mtime = clock.tick()
        write_files(work, step["files"], mtime)
        for rel in step["delete"]:
            (work / rel).unlink()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                report = reloader.check()
            except BaseException:
                record["check_error"] = traceback.format_exc()
            else:
                record["report"] = _oracle.report_record(report)
        record["python_warnings"] = [f"{w.category.__name__}: {w.message}" for w in caught]
        record["failures"] = sorted(reloader.failures)
        if snapshot is not None:  # before probes run: they may call code that mutates state
            record["rollback"] = snapshot.diff()
        record["probes"] = {e: probe(e, ns) for e in step["probes"]}
        record["expect"] = {e: probe(e, ns) for e in step["expect"]}
        emit(record)
    reloader.close()


# -- oracle side ----------------------------------------------------------------------------


def run_oracle(spec: dict[str, Any]) -> None:
    for item in spec["oracle_steps"]:
        root = Path(item["dir"])
        write_files(root, item["files"], None)
        sys.path.insert(0, str(root))
        importlib.invalidate_caches()
        ns = new_session(spec)
        setup_error = run_code(spec["setup"], ns)
        pre_errors = [run_code(code, ns) for code in item["pres"]]
        probes = {e: probe(e, ns) for e in item["probes"]}
        emit(
            {
                "kind": "oracle",
                "index": item["index"],
                "setup_error": setup_error,
                "pre_errors": [e for e in pre_errors if e],
                "probes": probes,
            }
        )
        # Forget this step's modules so the next step imports its own files afresh.
        ns.clear()
        sys.path.remove(str(root))
        _oracle.forget_modules_under(root)


def main(argv: list[str]) -> None:
    side, spec_path = argv
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    if side == "live":
        run_live(spec)
    else:
        run_oracle(spec)
    emit({"kind": "done"})


if __name__ == "__main__":
    main(sys.argv[1:])
