"""The edit-scenario corpus through ``%load_ext hotswap``: the same results as the plain API.

For each scenario of ``tests/corpus`` the live side runs twice in fresh interpreters: once with
the plain API (``corpus/_driver.py``: ``Reloader(namespace=ns).check()``) and once in a real
IPython shell after ``%load_ext hotswap`` (``_ipython_corpus_driver.py``: cells, with the
checks made by the extension's ``pre_run_cell`` hook). Every step must give the same report,
the same probe values, the same failures and the same rollback: the extension is one code path
with the plain API, not a second engine.

Run as a script, it also scores every front-end against the fresh-process oracle, including
IPython 9's own ``%autoreload 2`` and ``%autoreload 3``::

    .venv/bin/python tests/test_ipython_corpus.py            # all scenarios
    .venv/bin/python tests/test_ipython_corpus.py NAME ...   # some scenarios
"""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

if str(Path(__file__).parent) not in sys.path:  # run as a script
    sys.path.insert(0, str(Path(__file__).parent))
from _oracle import child_environ
from _preforked import Forked
from corpus import ALL, Scenario
from test_corpus import Run, _finish, _spec, judge, missing

SHELL_DRIVER = Path(__file__).with_name("_ipython_corpus_driver.py")
PLAIN_DRIVER = Path(__file__).parent / "corpus" / "_driver.py"

pytestmark = pytest.mark.slow


def _start(command: list[str], spec: dict[str, Any], where: Path) -> subprocess.Popen[str] | Forked:
    """The live sides are forked from a server that imported the engine and IPython
    (``_preforked``); the oracle is a fresh ``python``."""
    where.mkdir(parents=True, exist_ok=True)
    spec_path = where / "spec.json"
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    env = child_environ(PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1")  # (from threads)
    if command[1:] != ["oracle"]:
        return Forked([*command, str(spec_path)], where, env, "live")
    return subprocess.Popen(
        [sys.executable, *command, str(spec_path)],
        cwd=where,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_side(scenario: Scenario, side: str, where: Path) -> tuple[Run, str]:
    """Run one side (``plain``, ``oracle``, ``hotswap-2``, ``ipython-3``...); its workdir too."""
    spec = _spec(scenario, where)
    if side == "plain":
        command = [str(PLAIN_DRIVER), "live"]
    elif side == "oracle":
        command = [str(PLAIN_DRIVER), "oracle"]
    else:
        frontend, mode = side.split("-")
        command = [str(SHELL_DRIVER), frontend, mode]
    return _finish(_start(command, spec, where)), spec["workdir"]


def _comparable(run: Run, workdir: str) -> list[dict[str, Any]]:
    """The step records with the workdir path and per-process details taken out."""
    steps = []
    for record in run.of("step"):
        text = json.dumps(record, sort_keys=True).replace(workdir, "<work>")
        item = json.loads(text)
        for key in ("pre_error", "check_error"):
            item[key] = bool(item.get(key))
        steps.append(item)
    return steps


@pytest.mark.parametrize("scenario", ALL, ids=[s.name for s in ALL])
def test_extension_gives_the_plain_api_results(scenario: Scenario, tmp_path: Path) -> None:
    """After each save, %load_ext hotswap + %autoreload 2 reports and behaves as the plain API."""
    if absent := missing(scenario):
        pytest.skip(f"{scenario.name} needs {', '.join(absent)}, which is not installed")
    with ThreadPoolExecutor(2) as pool:
        plain_job = pool.submit(run_side, scenario, "plain", tmp_path / "plain")
        side = "hotswap-3" if scenario.mode == "complete" else "hotswap-2"
        shell_job = pool.submit(run_side, scenario, side, tmp_path / "shell")
        (plain, plain_dir), (shell, shell_dir) = plain_job.result(), shell_job.result()
    assert plain.finished, plain.stderr[-3000:]
    assert shell.finished, shell.stderr[-3000:]
    plain_steps, shell_steps = _comparable(plain, plain_dir), _comparable(shell, shell_dir)
    assert len(shell_steps) == len(plain_steps) == len(scenario.steps)
    for index, (want, got) in enumerate(zip(plain_steps, shell_steps, strict=True)):
        assert got == want, f"step {index + 1} differs:\nplain: {want}\nshell: {got}"


# -- scoring against the oracle (script) --------------------------------------------------------

SIDES = ("plain", "hotswap-2", "hotswap-3", "ipython-2", "ipython-3")


def score(names: list[str], root: Path) -> dict[str, list[str]]:
    """For each side, the scenarios whose every step agrees with the fresh-process oracle."""
    chosen = [s for s in ALL if (not names or s.name in names) and not missing(s)]
    passed: dict[str, list[str]] = {side: [] for side in SIDES}

    def one(scenario: Scenario) -> None:
        base = root / scenario.name
        oracle, _ = run_side(scenario, "oracle", base / "oracle")
        for side in SIDES:
            live, _ = run_side(scenario, side, base / side)
            problems = judge(scenario, live, oracle)
            if not problems:
                passed[side].append(scenario.name)
            elif names:
                print(f"--- {side} {scenario.name}\n" + "\n".join(problems))

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(one, chosen))
    print(f"{'front-end':<12} passed (of {len(chosen)} scenarios)")
    for side in SIDES:
        failing = sorted({s.name for s in chosen} - set(passed[side]))
        shown = "" if side.startswith("ipython") else "  failing: " + ", ".join(failing)
        print(f"{side:<12} {len(passed[side])}{shown if failing else ''}")
    return passed


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        score(sys.argv[1:], Path(tmp))
