"""The edit-scenario corpus: after every save, the live session agrees with a fresh process.

Each scenario in ``tests/corpus`` runs twice, in fresh interpreters started with
``sys.executable`` so no scenario can leak modules into another:

- the *live* side imports the files, holds references the way users do, saves each edit and
  calls ``hotswap.Reloader.check()``;
- the *oracle* side imports the files as they stand after each step into a fresh process (no
  hotswap) and evaluates the same probes.

A probe that differs, an ``expect`` value that did not survive, a failure that did not roll
back, or a report that does not name the broken file and line fails the scenario with one
readable message: scenario, step, probe, live vs oracle value and ``str(report)``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import zlib
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from _oracle import child_environ
from _preforked import Forked
from corpus import ALL, Scenario, Step  # tests/ is on sys.path (rootdir conftest, no __init__)

DRIVER = Path(__file__).parent / "corpus" / "_driver.py"
PREFIX = "@@corpus "
TIMEOUT = 90
ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


@dataclass
class Run:
    """The result lines of one driver process, plus what it wrote to stderr."""

    records: list[dict[str, Any]]
    stderr: str
    returncode: int
    finished: bool = field(init=False)

    def __post_init__(self) -> None:
        self.finished = any(r["kind"] == "done" for r in self.records)

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [r for r in self.records if r["kind"] == kind]


def _spec(scenario: Scenario, tmp_path: Path) -> dict[str, Any]:
    steps = []
    oracle_steps = []
    pres: list[str] = []
    for index, st in enumerate(scenario.steps):
        probes = scenario.probes_of(st)
        steps.append(
            {
                "files": dict(st.files),
                "delete": list(st.delete),
                "pre": st.pre,
                "probes": list(probes),
                "expect": list(st.expect),
                "ok": st.ok,
                "error_path": st.error_path,
            }
        )
        if st.pre:
            pres.append(st.pre)
        if st.ok and st.oracle:
            oracle_steps.append(
                {
                    "index": index,
                    "dir": str(tmp_path / f"oracle{index}"),
                    "files": scenario.files_after(index),
                    "pres": list(pres),
                    "probes": list(probes),
                }
            )
    return {
        "name": scenario.name,
        "workdir": str(tmp_path / "live"),
        "before": dict(scenario.before),
        "setup": scenario.setup,
        "reloader": scenario.reloader,
        "strategy": scenario.strategy,
        "mode": scenario.mode,
        "steps": steps,
        "oracle_steps": oracle_steps,
    }


def _start(side: str, spec_path: Path, cwd: Path) -> subprocess.Popen[str] | Forked:
    """The live side is forked from a server that imported the engine (``_preforked``); the
    oracle is a fresh ``python``."""
    # (started ahead on worker threads: see child_environ) Set and dict-of-str reprs must
    # match between the two sides.
    env = child_environ(PYTHONHASHSEED="0")
    if side == "live":
        return Forked([str(DRIVER), side, str(spec_path)], cwd, env, side)
    return subprocess.Popen(
        [sys.executable, str(DRIVER), side, str(spec_path)],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(proc: subprocess.Popen[str] | Forked) -> Run:
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        err += f"\n[driver killed after {TIMEOUT} s]"
    records = [
        json.loads(line[len(PREFIX) :]) for line in out.splitlines() if line.startswith(PREFIX)
    ]
    return Run(records, err, proc.returncode)


def run_scenario(scenario: Scenario, tmp_path: Path) -> tuple[Run, Run]:
    """Run the live side and the oracle side concurrently; both results."""
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(json.dumps(_spec(scenario, tmp_path)), encoding="utf-8")
    live = _start("live", spec_path, tmp_path)
    try:
        oracle = _start("oracle", spec_path, tmp_path)
    except BaseException:
        live.kill()  # not left running into another test (its ResourceWarning lands there)
        _finish(live)
        raise
    return _finish(live), _finish(oracle)


# -- judging ---------------------------------------------------------------------------------


def _shown(value: str) -> str:
    return f"raises {value[1:]}" if value.startswith("!") else value


def _module_name(path: str) -> str:
    """``pkg/sub.py`` -> ``pkg.sub``; ``pkg/__init__.py`` -> ``pkg`` (workdir is on sys.path)."""
    parts = path.removesuffix(".py").split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _judge_step(
    scenario: Scenario, index: int, live: dict[str, Any], oracle: dict[str, Any] | None
) -> list[str]:
    """Every way one live step disagrees with the oracle or with the step's claims."""
    st = scenario.steps[index]
    out: list[str] = []
    if live.get("pre_error"):
        out.append(f"pre snippet raised:\n{live['pre_error']}")
    if "check_error" in live:
        return [*out, f"r.check() raised instead of returning a Report:\n{live['check_error']}"]
    report = live["report"]
    if report["ok"] is not st.ok:
        out.append(f"report.ok is {report['ok']}, expected {st.ok}")
    if st.ok:
        out.extend(_judge_success(scenario, index, live, oracle))
    else:
        out.extend(_judge_failure(st, live))
    for expr, value in st.expect.items():
        got = live["expect"][expr]
        if got != repr(value):
            out.append(f"expect {expr}: live {_shown(got)} != expected {value!r}")
    if st.quiet and (report["reloaded"] or report["changes"]):
        out.append(f"an unchanged save should reload nothing visible; report: {report['text']!r}")
    for name in st.reloaded:
        if name not in report["reloaded"]:
            out.append(f"module {name} should be listed as reloaded")
    warned = [str(w) for w in report["warnings"]] + list(live.get("python_warnings") or [])
    if warned and not st.warns:
        out.append(f"unexpected warnings: {warned}")
    for fragment in st.says:
        if fragment not in report["text"]:
            out.append(f"str(report) should say {fragment!r}")
    for expr, value in [*live["probes"].items(), *live["expect"].items()]:
        if ADDRESS.search(value):
            out.append(f"corpus bug: probe {expr} is not address-free: {value}")
    return out


def _judge_success(
    scenario: Scenario, index: int, live: dict[str, Any], oracle: dict[str, Any] | None
) -> list[str]:
    """A save that applies: no error, no module left failing, the probes as the oracle's."""
    st = scenario.steps[index]
    out: list[str] = []
    report = live["report"]
    if report["errors"]:
        out.append(f"report has errors: {report['errors']}")
    last = index == len(scenario.steps) - 1
    written = {_module_name(path) for path in st.files}
    stuck = [n for n in live["failures"] if last or n in written]
    if stuck:
        out.append(f"r.failures still lists {stuck}")
    if not st.oracle:
        return out  # another file is still broken: only the step's expect values are checked
    if oracle is None:
        return [*out, "oracle produced no result for this step"]
    for what in ("setup_error", "pre_errors"):
        if oracle[what]:
            out.append(f"corpus bug: oracle {what}:\n{oracle[what]}")
    for expr in scenario.probes_of(st):
        got, want = live["probes"][expr], oracle["probes"][expr]
        if got != want:
            out.append(f"probe {expr}: live {_shown(got)} != oracle {_shown(want)}")
    return out


def _judge_failure(st: Step, live: dict[str, Any]) -> list[str]:
    """A failing save: reported at the right file and line, and nothing in the module changed."""
    out: list[str] = []
    report = live["report"]
    wanted = f"/{st.error_path}"
    matching = [e for e in report["errors"] if str(e["path"]).replace(os.sep, "/").endswith(wanted)]
    if not matching:
        out.append(f"no error names {st.error_path}; errors: {report['errors']}")
    elif not any(e["line"] == st.error_line for e in matching):
        lines = [e["line"] for e in matching]
        out.append(f"error for {st.error_path} is at line {lines}, expected {st.error_line}")
    module = live.get("snapshot_module")
    if module is not None and module not in live["failures"]:
        out.append(f"r.failures should list {module}; it lists {live['failures']}")
    for expr, before in live["probes_before"].items():
        after = live["probes"][expr]
        if after != before:
            out.append(
                f"probe {expr} changed by a failed reload: {_shown(before)} -> {_shown(after)}"
            )
    out.extend(f"not rolled back: {line}" for line in live.get("rollback", []))
    return out


def judge(scenario: Scenario, live: Run, oracle: Run) -> list[str]:
    """All problems of one scenario, grouped by step, ready to print."""
    problems: list[str] = []
    for side, run in (("live", live), ("oracle", oracle)):
        if not run.finished:
            problems.append(f"{side} driver died (exit {run.returncode}):\n{run.stderr[-4000:]}")
    setup = live.of("setup")
    if setup and setup[0]["error"]:
        problems.append(f"live setup raised:\n{setup[0]['error']}")
    oracles = {r["index"]: r for r in oracle.of("oracle")}
    for record in live.of("step"):
        index = record["index"]
        st = scenario.steps[index]
        found = _judge_step(scenario, index, record, oracles.get(index))
        if found:
            label = f"step {index + 1}" + (f" ({st.doc})" if st.doc else "")
            text = record.get("report", {}).get("text", "<no report>")
            details = "\n".join("    " + line.replace("\n", "\n    ") for line in found)
            warns = record.get("python_warnings") or []
            extra = f"\n  python warnings: {warns}" if warns else ""
            problems.append(f"{label}:\n{details}\n  str(report):\n    {text}{extra}")
    return problems


class Ahead:
    """Runs the next few selected scenarios in the background while the current one is judged.

    Each scenario is two short-lived interpreters whose run times differ (the oracle usually
    finishes first); keeping two scenarios in flight keeps both cores busy. Every scenario still
    runs in its own fresh processes and its own directory.
    """

    def __init__(self, factory: pytest.TempPathFactory, in_flight: int = 2) -> None:
        self.factory = factory
        self.pool = ThreadPoolExecutor(max_workers=in_flight)
        self.in_flight = in_flight
        self.futures: dict[str, Future[tuple[Run, Run]]] = {}

    def submit(self, scenario: Scenario) -> None:
        if scenario.name not in self.futures:
            where = self.factory.mktemp(
                re.sub(r"\W", "_", scenario.name)
            )  # made here, not in a thread
            self.futures[scenario.name] = self.pool.submit(run_scenario, scenario, where)

    def result(self, scenario: Scenario, upcoming: list[Scenario]) -> tuple[Run, Run]:
        for item in [scenario, *upcoming[: self.in_flight]]:
            self.submit(item)
        return self.futures.pop(scenario.name).result()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(scope="module")
def ahead(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ahead]:
    runner = Ahead(tmp_path_factory)
    yield runner
    runner.close()


def _upcoming(request: pytest.FixtureRequest) -> list[Scenario]:
    """The scenarios of the selected test_scenario items after the current one, in run order."""
    items = request.session.items
    here = items.index(request.node) if request.node in items else len(items)
    out = []
    for item in items[here + 1 :]:
        spec = getattr(item, "callspec", None)
        if spec is not None and getattr(item, "originalname", "") == "test_scenario":
            scenario = spec.params.get("scenario")
            if isinstance(scenario, Scenario) and not missing(scenario):
                out.append(scenario)
    return out


def missing(scenario: Scenario) -> list[str]:
    """The modules in ``scenario.requires`` that this interpreter cannot import."""
    return [name for name in scenario.requires if importlib.util.find_spec(name) is None]


# ``pytest -m "not slow"`` (the inner loop) runs a fixed sample of the corpus: one scenario in
# FAST_SHARE, chosen by a hash of its name, so the same ones run on every machine and the
# sample spreads over the families; ``make test`` runs every scenario.
FAST_SHARE = 8


def _param(scenario: Scenario) -> Any:
    fast = zlib.crc32(scenario.name.encode()) % FAST_SHARE == 0
    return pytest.param(scenario, id=scenario.name, marks=() if fast else pytest.mark.slow)


@pytest.mark.parametrize("scenario", [_param(s) for s in ALL])
def test_scenario(scenario: Scenario, ahead: Ahead, request: pytest.FixtureRequest) -> None:
    """After each save the live session behaves as a fresh process would (see scenario.doc)."""
    if absent := missing(scenario):
        pytest.skip(f"{scenario.name} needs {', '.join(absent)}, which is not installed")
    live, oracle = ahead.result(scenario, _upcoming(request))
    problems = judge(scenario, live, oracle)
    if problems:
        header = f"scenario {scenario.name}: {scenario.doc}"
        pytest.fail(header + "\n" + "\n".join(problems), pytrace=False)


def test_corpus_is_well_formed() -> None:
    """The corpus is large, names are unique, and every scenario and failure says enough."""
    names = [s.name for s in ALL]
    assert len(names) >= 80
    assert len(set(names)) == len(names), "duplicate scenario names"
    for s in ALL:
        assert s.doc, f"{s.name} has no doc"
        assert s.steps, f"{s.name} has no steps"
        for index, st in enumerate(s.steps):
            assert st.files or st.delete, f"{s.name} step {index + 1} saves nothing"
            assert s.probes_of(st) or st.expect, f"{s.name} step {index + 1} checks nothing"
            for path in [*st.files, *st.delete]:
                assert not path.startswith("/"), f"{s.name}: paths are relative"
            if not st.ok:
                assert st.error_path in s.files_after(index), f"{s.name}: error_path not written"
        assert s.steps[-1].ok, f"{s.name}: a failing step must be followed by a fix"
