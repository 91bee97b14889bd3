"""Save-to-applied latency of ``python -m hotswap run``, with file system events and with --poll.

A program under the runner prints ``time.time()`` and a function's result every 2 ms. The script
saves a new version of that function (an in-place write, as most editors do) and notes the time
the save returned; the latency is the time of the first output line that shows the new result
minus that. Run: ``.venv/bin/python benchmarks/watch_latency.py [rounds]``.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROGRAM = """\
import sys, time
import lat_helper
while True:
    print(time.time(), lat_helper.value(), flush=True)
    time.sleep(0.002)
"""


def measure(options: list[str], rounds: int) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        helper = root / "lat_helper.py"
        helper.write_text("def value():\n    return 0\n")
        (root / "lat_app.py").write_text(PROGRAM)
        env = {**os.environ, "PYTHONPATH": str(root)}
        env.pop("HOTSWAP_POLL", None)
        proc = subprocess.Popen(
            [sys.executable, "-m", "hotswap", "run", "-q", *options, "lat_app.py"],
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        latencies = []
        try:
            proc.stdout.readline()
            time.sleep(1.5)  # the watcher is up, and the first save is not "racy"
            for n in range(1, rounds + 1):
                helper.write_text(f"def value():\n    return {n}\n")
                saved = time.time()
                while True:
                    stamp, value = proc.stdout.readline().split()
                    if int(value) == n:
                        latencies.append(float(stamp) - saved)
                        break
                time.sleep(0.5 + random.random() * 0.3)  # saves fall anywhere in a poll
        finally:
            proc.kill()
            proc.wait()
            proc.stdout.close()
        return latencies


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    for label, options in (("events", []), ("--poll", ["--poll"])):
        values = sorted(ms * 1000 for ms in measure(options, rounds))
        print(
            f"{label:7} n={len(values)} median={statistics.median(values):.0f} ms "
            f"min={values[0]:.0f} ms max={values[-1]:.0f} ms"
        )


if __name__ == "__main__":
    main()
