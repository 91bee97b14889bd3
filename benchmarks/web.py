"""Web apps: from a save to the first response of the new code, hotswap against the servers' own
reloaders, in the same run (``benchmarks/run.py --only web``, or this file alone).

For FastAPI under uvicorn and for Flask's development server, each tool serves the same small
app from its own directory: ``python -m hotswap run -m uvicorn app:app`` against
``uvicorn app:app --reload``, and ``python -m hotswap run -m flask run`` against
``flask run --reload``. Each save changes the text one route returns; the time is from the save
(file written, mtime set) to the first response carrying the new text, polling every 2 ms. A
second route counts requests in memory: "state kept" says whether the count went on after the
saves (a restarting reloader starts it again at 1).
"""

from __future__ import annotations

import http.client
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from _fmt import saves_table

_PORT = re.compile(r"http://127\.0\.0\.1:(\d+)")

APPS = {
    "fastapi": (
        "from fastapi import FastAPI\n"
        "app = FastAPI()\nCOUNT = [0]\n"
        "@app.get('/token')\ndef token():\n    return {token!r}\n"
        "@app.get('/count')\ndef count():\n    COUNT[0] += 1\n    return COUNT[0]\n"
    ),
    "flask": (
        "from flask import Flask\n"
        "app = Flask(__name__)\nCOUNT = [0]\n"
        "@app.route('/token')\ndef token():\n    return {token!r}\n"
        "@app.route('/count')\ndef count():\n    COUNT[0] += 1\n    return str(COUNT[0])\n"
    ),
}

TOOLS = {
    "fastapi": {
        "hotswap": ["-m", "hotswap", "run", "-m", "uvicorn", "webbench:app"],
        "uvicorn --reload": ["-m", "uvicorn", "webbench:app", "--reload"],
    },
    "flask": {
        "hotswap": ["-m", "hotswap", "run", "-m", "flask", "--app", "webbench", "run"],
        "flask run --reload": ["-m", "flask", "--app", "webbench", "run", "--reload"],
    },
}
_ADDRESS = {"fastapi": ["--host", "127.0.0.1", "--port", "0"],
            "flask": ["--host", "127.0.0.1", "--port", "0"]}


def _get(port: int, path: str) -> str | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", path)
        return connection.getresponse().read().decode().strip('"')
    except (OSError, http.client.HTTPException):
        # A restarting server refuses the connection, or closes it in the middle of the
        # response (IncompleteRead): either way, not served yet.
        return None
    finally:
        connection.close()


class _Server:
    def __init__(self, args: list[str], cwd: Path) -> None:
        env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(cwd)}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.proc = subprocess.Popen(
            [sys.executable, *args], cwd=cwd, env=env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True,
        )
        self.port: int | None = None
        ready = threading.Event()

        def pump() -> None:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                match = _PORT.search(line)
                if match and self.port is None:
                    self.port = int(match.group(1))
                    ready.set()

        threading.Thread(target=pump, daemon=True).start()
        if not ready.wait(60):
            self.stop()
            raise RuntimeError(f"{args} did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def measure(framework: str, tool: str, saves: int, root: Path) -> dict[str, Any]:
    """Save ``saves`` times; the milliseconds from each save to the new response."""
    where = root / f"{framework}-{tool.split()[0]}"
    where.mkdir(parents=True)
    app = where / "webbench.py"
    app.write_text(APPS[framework].format(token="v0"))
    past = time.time() - 10  # written "long ago": the first save is a change for every tool
    os.utime(app, (past, past))
    server = _Server(TOOLS[framework][tool] + _ADDRESS[framework], where)
    try:
        assert server.port is not None
        port = server.port
        deadline = time.monotonic() + 30
        while _get(port, "/token") != "v0":
            if time.monotonic() > deadline:
                raise RuntimeError(f"{tool} never served")
            time.sleep(0.01)
        before = [_get(port, "/count") for _ in range(3)]
        times: list[float] = []
        for index in range(1, saves + 1):
            token = f"v{index}"
            time.sleep(0.3)  # a user saves now and then, not in a burst
            started = time.perf_counter()
            app.write_text(APPS[framework].format(token=token))
            os.utime(app, (time.time() + index, time.time() + index))
            while _get(port, "/token") != token:
                if time.perf_counter() - started > 30:
                    raise RuntimeError(f"{tool}: {token} never served")
                time.sleep(0.002)
            times.append((time.perf_counter() - started) * 1000)
        after = _get(port, "/count")
        kept = after is not None and before[-1] is not None and int(after) > int(before[-1])
        return {"ms": times, "median": statistics.median(times), "state_kept": kept}
    finally:
        server.stop()


def run(saves: int = 5) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="hotswap-web-") as tmp:
        for framework, tools in TOOLS.items():
            for tool in tools:
                results[f"{framework}: {tool}"] = measure(framework, tool, saves, Path(tmp))
    return results


def render(results: dict[str, Any]) -> str:
    title = (
        "Web apps: save to the first response of the new code (ms; median [min-max] of "
        "the saves), and whether the server's in-memory state survived"
    )
    lines = saves_table(title, ("server", "save to new response"), results)
    for framework in TOOLS:
        ours = results.get(f"{framework}: hotswap")
        theirs = [v for k, v in results.items() if k.startswith(framework) and "hotswap" not in k]
        if ours and theirs:
            ratio = theirs[0]["median"] / ours["median"]
            lines.append(f"  {framework}: hotswap is {ratio:.1f}x faster than the restart")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(run()))
