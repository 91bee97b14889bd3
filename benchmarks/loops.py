"""Running loops that follow edits (``@hotswap.restartable``, issue 17): what they cost.

Two numbers, each from fresh subprocesses on Python 3.12+ (``sys.monitoring``; the current
interpreter, else the repository's ``.venv-3.13``/``.venv-3.12``):

* **loop cost, no switch pending**: a tight ``while`` loop and a ``for`` loop (two million
  iterations of ``total += i``) in a plain function and in a ``@hotswap.restartable`` one,
  best of several runs. The decorated function runs code compiled with a marker per loop
  *entry*, not per iteration, and no monitoring events are on: the ratio should be ~1.0.
* **save to the switched iteration**: a script under ``python -m hotswap run`` whose
  restartable ``main()`` loops and prints the time of each iteration; the harness saves an edit
  of the loop body and takes the time until the first iteration of the new body (the watcher's
  debounce included: that is what a user waits).

    python benchmarks/loops.py            # or: python benchmarks/run.py --only loops
"""

from __future__ import annotations

import json
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

COST = """\
import json, sys, time
import hotswap

def plain_while(n):
    total = i = 0
    while i < n:
        total += i
        i += 1
    return total

def plain_for(n):
    total = 0
    for i in range(n):
        total += i
    return total

@hotswap.restartable
def restartable_while(n):
    total = i = 0
    while i < n:
        total += i
        i += 1
    return total

@hotswap.restartable
def restartable_for(n):
    total = 0
    for i in range(n):
        total += i
    return total

n, runs = int(sys.argv[1]), int(sys.argv[2])
names = ("plain_while", "restartable_while", "plain_for", "restartable_for")
best = dict.fromkeys(names, float("inf"))
for _ in range(runs):  # interleaved: a slow moment of a shared machine hits every variant
    for name in names:
        start = time.perf_counter()
        globals()[name](n)
        best[name] = min(best[name], time.perf_counter() - start)
print(json.dumps({name: seconds * 1e3 for name, seconds in best.items()}))
"""

SWITCH = """\
import os, sys, time
import hotswap

@hotswap.restartable
def main(stop):
    n = 0
    while not os.path.exists(stop):
        n += 1
        print("v0", time.time(), n, flush=True)
        time.sleep(0.002)

main(sys.argv[1])
"""


def interpreter() -> str | None:
    """A Python 3.12+ with hotswap installed: this one, or a development venv's."""
    if sys.version_info >= (3, 12):
        return sys.executable
    for name in (".venv-3.13", ".venv-3.12"):
        path = ROOT / name / "bin" / "python"
        if path.exists():
            return str(path)
    return None


def run(smoke: bool = False) -> dict[str, Any]:
    python = interpreter()
    if python is None:
        return {"skipped": "needs Python 3.12+ (no .venv-3.12/.venv-3.13 found)"}
    with tempfile.TemporaryDirectory(prefix="hotswap-loops-") as tmp:
        return {
            "python": subprocess.check_output(
                [python, "-c", "import platform; print(platform.python_version())"], text=True
            ).strip(),
            "cost": cost(python, Path(tmp), 20_000 if smoke else 2_000_000, 2 if smoke else 7),
            "switch": switch(python, Path(tmp), 2 if smoke else 7),
        }


def cost(python: str, tmp: Path, n: int, runs: int) -> dict[str, float]:
    script = tmp / "cost.py"
    script.write_text(COST)
    done = subprocess.run(
        [python, str(script), str(n), str(runs)], capture_output=True, text=True, timeout=600
    )
    if done.returncode != 0:
        return {"error": done.stderr[-2000:]}  # type: ignore[dict-item]
    return dict(json.loads(done.stdout))


def switch(python: str, tmp: Path, saves: int) -> dict[str, Any]:
    script, stop = tmp / "switch_app.py", tmp / "stop"
    script.write_text(SWITCH)
    env = {k: v for k, v in os.environ.items() if k != "HOTSWAP_POLL"}
    proc = subprocess.Popen(
        [python, "-m", "hotswap", "run", str(script), str(stop)],
        cwd=tmp, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    ms: list[float] = []
    try:
        _until(lines, "v0 ")
        for version in range(1, saves + 1):
            text = script.read_text().replace(f'"v{version - 1}"', f'"v{version}"')
            partial = script.with_suffix(".saving")
            partial.write_text(text)
            os.replace(partial, script)
            saved = time.time()
            line = _until(lines, f"v{version} ")
            ms.append((float(line.split()[1]) - saved) * 1e3)
    except AssertionError as exc:
        return {"error": str(exc)}
    finally:
        stop.touch()
        try:
            _, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
    restarts = err.count("hotswap: restarted main()")
    if restarts != saves:
        return {"error": f"{restarts} switches for {saves} saves: {err[-2000:]}"}
    return {"ms": ms, "median": statistics.median(ms)}


def _until(lines: queue.Queue[str | None], prefix: str) -> str:
    while True:
        try:
            line = lines.get(timeout=60)
        except queue.Empty:
            raise AssertionError(f"no line starting with {prefix!r}") from None
        if line is None:
            raise AssertionError(f"the program ended before {prefix!r}")
        if line.startswith(prefix):
            return line


def render(results: dict[str, Any]) -> str:
    if "error" in results or "skipped" in results:
        why = results.get("error") or results["skipped"]
        return f"Running loops (@hotswap.restartable): {why}"
    cost, moved = results["cost"], results["switch"]
    lines = [
        f"Running loops (@hotswap.restartable, Python {results['python']}): loop cost with no "
        "switch pending (ms, best run), and save to the first iteration of the new body",
        "",
    ]
    if "error" in cost:
        lines.append(f"  loop cost: {cost['error']}")
    else:
        for kind in ("while", "for"):
            plain, ours = cost[f"plain_{kind}"], cost[f"restartable_{kind}"]
            lines.append(
                f"  {kind + ' loop':<12} undecorated {plain:8.1f}   restartable {ours:8.1f}"
                f"   ratio {ours / plain:5.2f}"
            )
    if "error" in moved:
        lines.append(f"  save to switched iteration: {moved['error']}")
    else:
        spread = f"{min(moved['ms']):.0f}-{max(moved['ms']):.0f}"
        lines.append(
            f"  save to switched iteration (hotswap run, watcher debounce included): "
            f"{moved['median']:.0f} ms [{spread}]"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(run(smoke="--smoke" in sys.argv)))
