"""One measurement in a fresh process: ``python benchmarks/_worker.py '<json spec>'``.

The runner (``run.py``) starts one worker per measurement, so neither tool inherits the other's
state, caches or import hooks. A worker prints one JSON object on its last line of stdout.

Both tools run inside a real IPython ``InteractiveShell``. A *cell* here means calling exactly
the callbacks the extension registered with the shell (``pre_run_cell``, ``post_execute``,
``post_run_cell``), in the order IPython calls them, with a real ``ExecutionInfo`` and
``ExecutionResult``: the cost a tool adds to every cell, without the noise of executing the
cell's own code. Output the tools print while reloading is captured (and its cost counted).
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import io
import json
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import _synth

Spec = dict[str, Any]


def main() -> None:
    argument = sys.argv[1]
    if argument.startswith("@"):
        argument = Path(argument[1:]).read_text(encoding="utf-8")
    spec: Spec = json.loads(argument)
    kind = spec["kind"]
    if kind.startswith("real_"):
        import _realwork

        real = {
            "real_probe": _realwork.probe,
            "real_load": _realwork.measure_load,
            "real_edit": _realwork.measure_edit,
            "real_oracle": _realwork.oracle,
            "real_checkout": _realwork.measure_checkout,
        }
        print(json.dumps(real[kind](spec)))
        return
    result = {"import": measure_import, "load": measure_load}.get(kind)
    if result is not None:
        print(json.dumps(result(spec)))
        return
    measure = {"percell": measure_percell, "latency": measure_latency, "memory": measure_memory}
    print(json.dumps(measure[kind](spec)))


# -- the shell and the extension ---------------------------------------------------------------


class Session:
    """An ``InteractiveShell`` with one tool loaded, and the callbacks that tool registered."""

    def __init__(self, tool: str) -> None:
        from IPython.core.interactiveshell import (
            ExecutionInfo,
            ExecutionResult,
            InteractiveShell,
        )
        from traitlets.config import Config

        config = Config()
        config.HistoryManager.enabled = False
        self.shell = InteractiveShell.instance(config=config)
        self.tool = tool
        info = ExecutionInfo("x = 1", False, False, True, None, transformed_cell="x = 1\n")
        self.info = info
        self.result = ExecutionResult(info)
        self.added: dict[str, list[Callable[..., Any]]] = {}
        self.load_seconds = 0.0
        self.load_cpu = 0.0

    def load(self) -> None:
        events = self.shell.events
        before = {name: list(callbacks) for name, callbacks in events.callbacks.items()}
        gc.collect()  # no tool pays for collecting the garbage of the set-up
        start, start_cpu = time.perf_counter(), time.process_time()
        with quiet():
            if self.tool.startswith("hotswap"):
                self.shell.run_line_magic("load_ext", "hotswap")
            else:
                self.shell.run_line_magic("load_ext", "autoreload")
                full = " --full" if self.tool == "ipython-full" else ""
                self.shell.run_line_magic("autoreload", "2" + full)
        self.load_seconds = time.perf_counter() - start
        self.load_cpu = time.process_time() - start_cpu
        for name, callbacks in events.callbacks.items():
            mine = [c for c in callbacks if c not in before.get(name, [])]
            if mine:
                self.added[name] = mine

    def cell(self) -> None:
        """What the extension adds to one cell (IPython's order of events)."""
        added, info, result = self.added, self.info, self.result
        for callback in added.get("pre_execute", ()):
            callback()
        for callback in added.get("pre_run_cell", ()):
            callback(info)
        for callback in added.get("post_execute", ()):
            callback()
        for callback in added.get("post_run_cell", ()):
            callback(result)

    def settle(self) -> None:
        """Let start-up work finish before steady-state timings (hotswap reads the baselines
        of modules loaded before it in a background thread)."""
        for _ in range(3):
            with quiet():
                self.cell()  # (the first checkpoint registers what the import hook saw)
        if self.tool.startswith("hotswap"):
            from hotswap._detect.tracker import TRACKER

            TRACKER.baselines_read(120)


@contextlib.contextmanager
def quiet() -> Any:
    """Capture what the tools print (a reload report) so the terminal stays readable."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        yield


def per_call(
    fn: Callable[[], None], budget: float, repeats: int
) -> tuple[list[float], list[float]]:
    """Seconds per call of ``fn`` (wall clock, and CPU time of this process): ``repeats``
    batches, each about ``budget / repeats`` long."""
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    calls = max(1, int(budget / repeats / once))
    samples, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter() - start) / calls)
        cpu.append((time.process_time() - start_cpu) / calls)
    return samples, cpu


def import_all(root: str, names: list[str]) -> None:
    sys.path.insert(0, root)
    importlib.invalidate_caches()
    for name in names:
        importlib.import_module(name)


# -- the measurements ----------------------------------------------------------------------------


def measure_percell(spec: Spec) -> dict[str, Any]:
    """Per-cell cost when nothing changed, with ``count`` small modules loaded."""
    names = _synth.many_module_names(spec["count"])
    import_all(spec["root"], names)
    session = Session(spec["tool"])
    session.load()
    session.settle()
    gc.collect()
    samples, cpu = per_call(session.cell, spec.get("budget", 1.0), spec.get("repeats", 7))
    # The same inside real cells (IPython's run_cell), with the callbacks on and taken off in
    # alternating batches: cold caches, and a cell with an import statement, which hotswap parses.
    import _realwork

    shares = {}
    for key, source in (("cell_us", "pass"), ("import_cell_us", "from os import path")):
        on, off = _realwork.cell_share(session, source, spec.get("budget", 1.0) / 2, 21, True)
        shares[key] = _realwork.paired(on, off) * 1e6
    # The fast path must still see an edit: change one module, the next cell reloads it.
    probe = sys.modules[next(n for n in names if "." in n)]
    path = Path(probe.__file__ or "")
    _synth.Stamps().write(path, _synth.small_module(-1))
    with quiet():
        session.cell()
    return {
        "us": statistics.median(samples) * 1e6,
        "cpu_us": statistics.median(cpu) * 1e6,
        "samples_us": [s * 1e6 for s in samples],
        "modules": len(sys.modules),
        "verified": probe.get() == -1,
        **shares,
    }


def measure_latency(spec: Spec) -> dict[str, Any]:
    """First cell after an edit of one function in each of ``modules`` modules."""
    functions, count, edit = spec["functions"], spec.get("modules", 1), spec["edit"]
    root = Path(spec["root"])
    tag = f"bench_lat_{functions}_{count}_{edit}"
    paths = []
    for k in range(count):
        path = root / f"{tag}_{k}.py"
        path.write_text(_synth.module_source(functions), encoding="utf-8")
        paths.append(path)
    names = [f"{tag}_{k}" for k in range(count)]
    import_all(str(root), names)
    session = Session(spec["tool"])
    session.load()
    session.settle()
    stamps = [_synth.Stamps() for _ in paths]
    target = _synth.edited_function(functions)
    samples, cpu, verified = [], [], True
    gc.collect()
    for r in range(spec.get("edits", 15)):
        value = r + 1
        extra = edit == "insert" and r % 2 == 0
        text = _synth.module_source(functions, value, extra)
        for path, stamp in zip(paths, stamps, strict=True):
            stamp.write(path, text)
        with quiet():
            start, start_cpu = time.perf_counter(), time.process_time()
            session.cell()
            samples.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        for name in names:
            verified &= getattr(sys.modules[name], target)(1) == _synth.expected(functions, value)
    return {
        "ms": statistics.median(samples) * 1e3,
        "first_ms": samples[0] * 1e3,
        "cpu_ms": statistics.median(cpu) * 1e3,
        "samples_ms": [s * 1e3 for s in samples],
        "bytes": len(_synth.module_source(functions)),
        "modules": len(sys.modules),
        "verified": verified,
    }


def measure_memory(spec: Spec) -> dict[str, Any]:
    """Traced memory growth over ``cycles`` edit+reload cycles (tracemalloc)."""
    cycles, warmup = spec["cycles"], spec.get("warmup", 21)
    root = Path(spec["root"])
    name = "bench_memory"
    path = root / f"{name}.py"
    path.write_text(_synth.memory_module(0, 0), encoding="utf-8")
    import_all(str(root), [name])
    session = Session(spec["tool"])
    session.load()
    session.settle()
    stamps = _synth.Stamps()
    module = sys.modules[name]
    verified = True
    # IPython 9 keeps every displayed bundle of a session in history_manager.outputs (a
    # terminal shell does; ipykernel does not by default). "drop" clears that record after each
    # cycle, to tell the tool's own memory from IPython's record of what the tool displayed.
    history = session.shell.history_manager.outputs
    drop = spec.get("outputs") == "drop"
    tracemalloc.start()

    def cycle(c: int) -> None:
        nonlocal verified
        which = c % 3
        stamps.write(path, _synth.memory_module(c + 1, which))
        with quiet():
            session.cell()
        if drop:
            history.clear()
        got = (module.plain_050(0), module.Widget().method_15(0), module.decorated_5(5))
        want = [0 + 50, 0, 0]
        want[which] += c + 1
        verified &= got == tuple(want)

    for c in range(warmup):
        cycle(c)
    points = []
    marks = {0, cycles // 2, cycles}
    for c in range(cycles + 1):
        if c in marks:
            gc.collect()
            points.append((c, tracemalloc.get_traced_memory()[0]))
        if c < cycles:
            cycle(warmup + c)
    tracemalloc.stop()
    (c0, t0), (c1, t1), (c2, t2) = points
    return {
        "kib_per_cycle": (t2 - t0) / 1024 / cycles,
        "first_half_kib_per_cycle": (t1 - t0) / 1024 / (c1 - c0),
        "second_half_kib_per_cycle": (t2 - t1) / 1024 / (c2 - c1),
        "traced_kib": [(c, t / 1024) for c, t in points],
        "displayed": sum(len(v) for v in history.values()),
        "verified": verified,
    }


def measure_import(spec: Spec) -> dict[str, Any]:
    """Time to import the tool in this fresh interpreter."""
    if spec["tool"] == "hotswap":
        start = time.perf_counter()
        import hotswap  # noqa: F401

        return {"ms": (time.perf_counter() - start) * 1e3}
    import IPython  # the autoreload extension lives inside IPython; not timed

    start = time.perf_counter()
    import IPython.extensions.autoreload  # noqa: F401

    return {"ms": (time.perf_counter() - start) * 1e3}


def measure_load(spec: Spec) -> dict[str, Any]:
    """``%load_ext`` (and ``%autoreload 2`` for IPython) with ``count`` modules loaded."""
    names = _synth.many_module_names(spec["count"])
    import_all(spec["root"], names)
    session = Session(spec["tool"])
    session.load()
    start = time.perf_counter()
    with quiet():
        session.cell()
    first = time.perf_counter() - start
    return {
        "ms": session.load_seconds * 1e3,
        "cpu_ms": session.load_cpu * 1e3,
        "first_cell_ms": first * 1e3,
        "modules": len(sys.modules),
    }


if __name__ == "__main__":
    main()
