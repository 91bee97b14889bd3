"""Dask: from a save to every worker running the new code, on a ``LocalCluster`` of 2 and of 4
process workers (``benchmarks/run.py --only dask``, or this file alone).

Each save changes the text one function returns. ``hotswap.dask`` (mode ``auto``): the time from
the save (file written, mtime set) to ``link.push()`` returning with every worker at the new
version, which it checks (the client's reload, the push, each worker's reload and report).
Against it, ``client.upload_file`` (what ``distributed`` offers: it sends the file and runs
``importlib.reload`` on each worker). A module-level counter, bumped by a task on every worker
between saves, says whether the workers' state survived. Every timing is confirmed by running
the function on every worker afterwards (not timed).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _fmt import saves_table

SOURCE = (
    "COUNT = [0]\n\n\ndef token():\n    return {token!r}\n\n\n"
    "def bump():\n    COUNT[0] += 1\n    return COUNT[0]\n"
)
TOOLS = ("hotswap.dask push", "client.upload_file")


def _save(path: Path, token: str, tick: list[int]) -> None:
    path.write_text(SOURCE.format(token=token))
    tick[0] += 1
    stamp = time.time_ns() + tick[0] * 1_000_000_000  # strictly forward: never a racy look
    os.utime(path, ns=(stamp, stamp))


def measure(client: Any, root: Path, workers: int, tool: str, saves: int) -> dict[str, Any]:
    import importlib

    import hotswap.dask

    name = f"daskbench_{workers}_{tool.split()[0].replace('.', '_')}"
    path = root / f"{name}.py"
    tick = [0]
    _save(path, "t0", tick)
    times: list[float] = []
    try:
        module = importlib.import_module(name)
        link = hotswap.dask.attach(client, mode="auto") if tool.startswith("hotswap") else None
        addresses = sorted(client.run(os.getpid))
        counts = _bump_all(client, module, addresses)
        for n in range(1, saves + 1):
            token = f"t{n}"
            _save(path, token, tick)
            start = time.perf_counter()
            if link is not None:
                report = link.push()
                assert report.ok, str(report)
            else:
                client.upload_file(str(path))
                importlib.reload(module)
            times.append((time.perf_counter() - start) * 1000)
            got = {
                client.submit(module.token, workers=[a], pure=False).result()
                for a in addresses
            }
            assert got == {token}, (tool, got, token)
            counts = _bump_all(client, module, addresses)
        if link is not None:
            link.detach()
    finally:
        sys.modules.pop(name, None)
    return {
        "ms": [round(t, 1) for t in times],
        "median": round(statistics.median(times), 1),
        "state_kept": min(counts) > 1,
    }


def _bump_all(client: Any, module: Any, addresses: list[str]) -> list[int]:
    futures = [client.submit(module.bump, workers=[a], pure=False) for a in addresses]
    return [f.result() for f in futures]


def run(saves: int = 5, sizes: tuple[int, ...] = (2, 4)) -> dict[str, Any]:
    """One cluster per size; ``upload_file`` first (its module is then left alone), then
    hotswap, each with a module of its own."""
    import distributed

    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="hotswap-dask-") as tmp:
        for workers in sizes:
            root = Path(tmp) / str(workers)
            root.mkdir()
            sys.path.insert(0, str(root))
            try:
                with distributed.LocalCluster(
                    processes=True, n_workers=workers, threads_per_worker=1, host="127.0.0.1",
                    dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                ) as cluster, distributed.Client(cluster) as client:
                    client.run(exec, f"import sys; sys.path.insert(0, {str(root)!r})", {})
                    for tool in reversed(TOOLS):
                        results[f"{workers} workers: {tool}"] = measure(
                            client, root, workers, tool, saves
                        )
            finally:
                sys.path.remove(str(root))
    order = {f"{w} workers: {t}": (w, i) for w in sizes for i, t in enumerate(TOOLS)}
    return {k: results[k] for k in sorted(results, key=order.__getitem__)}


def render(results: dict[str, Any]) -> str:
    title = (
        "Dask: save to every worker running the new code (ms; median [min-max] of the saves),"
        " and whether the workers' state survived"
    )
    return "\n".join(saves_table(title, ("cluster: tool", "save to new code"), results))


if __name__ == "__main__":
    print(render(run()))
